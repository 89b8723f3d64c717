import { useState } from "preact/hooks";
import { ok, when } from "../../common/api";
import { navigate } from "../../common/router";
import { Input, Loading, Pager, usePages } from "../../common/ui";
import { href, type ScreenProps } from "../main";

/** Who did what to what: the append-only trail, filtered by actor, action or target. */
export function Audit({ session, query }: ScreenProps) {
  const filters = { actor: query.get("actor") ?? "", action: query.get("action") ?? "", target: query.get("target") ?? "" };
  const [draft, setDraft] = useState(filters);
  const list = usePages(
    (cursor) =>
      ok(
        session.api.GET("/admin/audit", {
          params: { query: { actor: filters.actor || undefined, action: filters.action || undefined, target: filters.target || undefined, cursor, limit: 50 } },
        }),
      ),
    [filters.actor, filters.action, filters.target],
  );
  return (
    <section>
      <h1>Audit log</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          const q = new URLSearchParams(Object.entries(draft).filter(([, v]) => v));
          navigate(href("/audit") + "?" + q);
        }}
      >
        <Input label="Actor" name="actor" value={draft.actor} onValue={(actor) => setDraft({ ...draft, actor })} />
        <Input label="Action" name="action" value={draft.action} onValue={(action) => setDraft({ ...draft, action })} hint="order.fulfilled" />
        <Input label="Target" name="target" value={draft.target} onValue={(target) => setDraft({ ...draft, target })} hint="order:<id>" />
        <button class="btn secondary" type="submit">
          Filter
        </button>
      </form>
      {!list.items ? (
        <Loading error={list.error} />
      ) : list.items.length === 0 ? (
        <p class="muted">No records in the last 30 days match.</p>
      ) : (
        <table class="list" aria-label="Audit records">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((a) => (
              <tr key={a.id}>
                <td>{when(a.at)}</td>
                <td>{a.actor}</td>
                <td>
                  <code>{a.action}</code>
                </td>
                <td>
                  <code>{a.target}</code>
                </td>
                <td>
                  <details>
                    <summary>before / after</summary>
                    <pre>{JSON.stringify({ before: a.before, after: a.after }, null, 2)}</pre>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager page={list.page} next={list.next} previous={list.previous} />
    </section>
  );
}
