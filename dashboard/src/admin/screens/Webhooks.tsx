import { useState } from "preact/hooks";
import { type Schemas, ok, when, etag } from "../../common/api";
import { Link, navigate } from "../../common/router";
import { Banner, Button, Checkbox, Input, Loading, Notice, Pager, Status, useAction, useLoad, usePages } from "../../common/ui";
import { href, type ScreenProps } from "../main";

type Endpoint = Schemas["WebhookEndpointView"];
type Topic = Exclude<Schemas["NewWebhookEndpoint"]["events"][number], "*">;
// Every topic the API knows, checked against its type: a topic added to the API
// and missing here fails the build (Record needs every key).
const TOPIC_SET: Record<Topic, true> = {
  "order.placed": true,
  "order.paid": true,
  "order.fulfilled": true,
  "order.cancelled": true,
  "order.refunded": true,
  "order.disputed": true,
  "user.signed_up": true,
  "product.created": true,
  "product.updated": true,
  "product.archived": true,
  "inventory.low": true,
  "cart.abandoned": true,
  "return.requested": true,
  "return.approved": true,
  "return.rejected": true,
  "return.received": true,
};
const TOPICS = Object.keys(TOPIC_SET) as Topic[];

/** The signing secret is shown once, when made or rotated: it stays on the
 * screen until the admin leaves it, and is never stored by the page. */
function Secret({ secret }: { secret: string }) {
  return (
    <Notice>
      Signing secret, shown this once — copy it into the receiver now: <code class="secret">{secret}</code>
    </Notice>
  );
}

export function Webhooks({ session }: ScreenProps) {
  const list = usePages((cursor) => ok(session.api.GET("/admin/webhooks", { params: { query: { cursor, limit: 50 } } })), []);
  const [form, set] = useState({ url: "", description: "", all: true, events: [] as Topic[] });
  const action = useAction();
  const [created, setCreated] = useState<Endpoint | null>(null);
  return (
    <section>
      <h1>Webhooks</h1>
      <form
        aria-label="New endpoint"
        onSubmit={async (e) => {
          e.preventDefault();
          const endpoint = await action.run(() =>
            ok(session.api.POST("/admin/webhooks", { body: { url: form.url, description: form.description, events: form.all ? ["*"] : form.events } })),
          );
          if (endpoint) {
            setCreated(endpoint);
            set({ url: "", description: "", all: true, events: [] });
            list.reload();
          }
        }}
      >
        <h2>New endpoint</h2>
        {created?.secret && <Secret secret={created.secret} />}
        <Banner error={action.error} />
        <div class="row">
          <Input label="URL" name="url" type="url" value={form.url} onValue={(url) => set({ ...form, url })} errors={action.fields} required />
          <Input
            label="Description"
            name="description"
            value={form.description}
            onValue={(description) => set({ ...form, description })}
            errors={action.fields}
          />
        </div>
        <Checkbox label="Every event, including ones added later" checked={form.all} onValue={(all) => set({ ...form, all })} />
        {!form.all && (
          <fieldset class="topics">
            <legend>Events</legend>
            {TOPICS.map((t) => (
              <Checkbox
                key={t}
                label={t}
                checked={form.events.includes(t)}
                onValue={(on) => set({ ...form, events: on ? [...form.events, t] : form.events.filter((x) => x !== t) })}
              />
            ))}
          </fieldset>
        )}
        <Button type="submit" busy={action.busy}>
          Add endpoint
        </Button>
      </form>
      <h2>Endpoints</h2>
      {!list.items ? (
        <Loading error={list.error} />
      ) : list.items.length === 0 ? (
        <p class="muted">No endpoints yet.</p>
      ) : (
        <table class="list" aria-label="Endpoints">
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Events</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((w) => (
              <tr key={w.id}>
                <td>
                  <Link href={href(`/webhooks/${w.id}`)}>{w.url}</Link>
                  {w.description && <small class="muted"> {w.description}</small>}
                </td>
                <td>{w.events.join(", ")}</td>
                <td>
                  {w.enabled ? (
                    w.failing_since ? (
                      <span class="status s-cancelled">failing since {when(w.failing_since)}</span>
                    ) : (
                      "enabled"
                    )
                  ) : (
                    `disabled${w.disabled_reason ? `: ${w.disabled_reason}` : ""}`
                  )}
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

export function WebhookDetail({ session, params }: ScreenProps) {
  const id = params.id;
  const endpoint = useLoad(() => ok(session.api.GET("/admin/webhooks/{id}", { params: { path: { id } } })), [id]);
  const deliveries = usePages(
    (cursor) => ok(session.api.GET("/admin/webhooks/{id}/deliveries", { params: { path: { id }, query: { cursor, limit: 25 } } })),
    [id],
  );
  const action = useAction();
  const [secret, setSecret] = useState("");
  const [note, setNote] = useState("");
  if (!endpoint.value) return <Loading error={endpoint.error} />;
  const w = endpoint.value;
  const ifMatch = { "If-Match": etag(w.version) };
  return (
    <section>
      <p>
        <Link href={href("/webhooks")}>← Webhooks</Link>
      </p>
      <h1>{w.url}</h1>
      <p class="muted">
        {w.events.join(", ")} · {w.enabled ? "enabled" : "disabled"}
      </p>
      {secret && <Secret secret={secret} />}
      {note && <Notice>{note}</Notice>}
      <Banner error={action.error} />
      <div class="row">
        <Button
          kind="secondary"
          busy={action.busy}
          onClick={() =>
            action.run(async () => {
              setSecret((await ok(session.api.POST("/admin/webhooks/{id}/rotate-secret", { params: { path: { id } } }))).secret ?? "");
              // Rotating moves the endpoint's version: the next change needs the new one.
              endpoint.reload();
            })
          }
        >
          Rotate secret
        </Button>
        <Button
          kind="secondary"
          busy={action.busy}
          onClick={() =>
            action.run(async () =>
              endpoint.setValue(
                await ok(session.api.PATCH("/admin/webhooks/{id}", { params: { path: { id }, header: ifMatch }, body: { enabled: !w.enabled } })),
              ),
            )
          }
        >
          {w.enabled ? "Disable" : "Enable"}
        </Button>
        <Button
          kind="danger"
          busy={action.busy}
          onClick={() =>
            confirm(`Delete the endpoint ${w.url}? Deliveries stop at once.`) &&
            action.run(async () => {
              await ok(session.api.DELETE("/admin/webhooks/{id}", { params: { path: { id }, header: ifMatch } }));
              navigate(href("/webhooks"));
            })
          }
        >
          Delete
        </Button>
      </div>
      <h2>Deliveries</h2>
      {!deliveries.items ? (
        <Loading error={deliveries.error} />
      ) : deliveries.items.length === 0 ? (
        <p class="muted">Nothing delivered yet.</p>
      ) : (
        <table class="list" aria-label="Deliveries">
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Created</th>
              <th scope="col">Status</th>
              <th scope="col">Last attempt</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {deliveries.items.map((d) => {
              const last = d.attempts[d.attempts.length - 1];
              return (
                <tr key={d.id}>
                  <td>
                    <code>{d.event_type}</code>
                  </td>
                  <td>{when(d.created_at)}</td>
                  <td>
                    <Status value={d.status} />
                    {d.next_attempt_at && <small class="muted"> next {when(d.next_attempt_at)}</small>}
                  </td>
                  <td>{last ? `#${last.number}: ${last.status ?? last.error ?? "no answer"} in ${last.duration_ms} ms` : "—"}</td>
                  <td>
                    <Button
                      kind="secondary"
                      busy={action.busy}
                      onClick={() =>
                        action.run(async () => {
                          await ok(
                            session.api.POST("/admin/webhooks/{id}/deliveries/{delivery_id}/redeliver", { params: { path: { id, delivery_id: d.id } } }),
                          );
                          setNote(`Redelivering ${d.event_type}.`);
                          deliveries.reload();
                        })
                      }
                    >
                      Redeliver
                    </Button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <Pager page={deliveries.page} next={deliveries.next} previous={deliveries.previous} />
    </section>
  );
}
