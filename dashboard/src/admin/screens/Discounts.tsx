import { useState } from "preact/hooks";
import { type Schemas, minorUnits, money, ok, when, etag } from "../../common/api";
import { Banner, Button, Checkbox, Input, Loading, Pager, Select, usePages, useAction } from "../../common/ui";
import type { ScreenProps } from "../main";

type Currency = NonNullable<Schemas["NewDiscount"]["currency"]>;

export function Discounts({ session }: ScreenProps) {
  const [tick, setTick] = useState(0);
  const list = usePages((cursor) => ok(session.api.GET("/discounts", { params: { query: { cursor, limit: 25 } } })), [tick]);
  const action = useAction();
  const toggle = (d: Schemas["DiscountView"]) =>
    action.run(async () => {
      await ok(
        session.api.PATCH("/discounts/{code}", { params: { path: { code: d.code }, header: { "If-Match": etag(d.version) } }, body: { active: !d.active } }),
      );
      list.reload();
    });
  return (
    <section>
      <h1>Discounts</h1>
      <NewDiscount session={session} onCreated={() => setTick(tick + 1)} />
      <h2>Codes</h2>
      <Banner error={action.error} />
      {!list.items ? (
        <Loading error={list.error} />
      ) : list.items.length === 0 ? (
        <p class="muted">No discount codes yet.</p>
      ) : (
        <table class="list" aria-label="Discount codes">
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Value</th>
              <th scope="col">Window</th>
              <th scope="col" class="num">
                Used
              </th>
              <th scope="col">Active</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((d) => (
              <tr key={d.code}>
                <td>
                  <code>{d.code}</code>
                  {d.once_per_customer && <small class="muted"> once per customer</small>}
                </td>
                <td>{d.kind === "percentage" ? `${d.percent}%` : money(d.amount, d.currency)}</td>
                <td>
                  {d.starts_at ? when(d.starts_at) : "now"} → {d.ends_at ? when(d.ends_at) : "no end"}
                </td>
                <td class="num">
                  {d.uses}
                  {d.usage_limit != null && ` / ${d.usage_limit}`}
                </td>
                <td>
                  <Button kind="secondary" busy={action.busy} onClick={() => toggle(d)} aria-pressed={d.active ? "true" : "false"}>
                    {d.active ? `Deactivate ${d.code}` : `Activate ${d.code}`}
                  </Button>
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

function NewDiscount({ session, onCreated }: { session: ScreenProps["session"]; onCreated: () => void }) {
  const [d, set] = useState({ code: "", kind: "percentage", value: "", currency: "EUR" as Currency, usage_limit: "", once: false, ends: "" });
  const action = useAction();
  return (
    <form
      aria-label="New discount"
      onSubmit={async (e) => {
        e.preventDefault();
        const created = await action.run(() => {
          const fixed = d.kind === "fixed";
          const amount = fixed ? minorUnits(d.value, d.currency) : null;
          return ok(
            session.api.POST("/discounts", {
              body: {
                code: d.code,
                kind: d.kind,
                percent: fixed ? null : Number(d.value),
                amount: fixed ? (amount ?? -1) : null,
                currency: fixed ? d.currency : null,
                usage_limit: d.usage_limit ? Number(d.usage_limit) : null,
                once_per_customer: d.once,
                ends_at: d.ends ? `${d.ends}T23:59:59Z` : null,
              },
            }),
          );
        });
        if (created) {
          set({ ...d, code: "", value: "" });
          onCreated();
        }
      }}
    >
      <h2>New code</h2>
      <Banner error={action.error} />
      <div class="row">
        <Input label="Code" name="code" value={d.code} onValue={(code) => set({ ...d, code })} errors={action.fields} required />
        <Select
          label="Kind"
          name="kind"
          value={d.kind}
          onValue={(kind) => set({ ...d, kind })}
          options={[
            ["percentage", "Percent off"],
            ["fixed", "Amount off"],
          ]}
          errors={action.fields}
        />
        <Input
          label={d.kind === "fixed" ? `Amount (${d.currency})` : "Percent"}
          name={d.kind === "fixed" ? "amount" : "percent"}
          inputMode="decimal"
          value={d.value}
          onValue={(value) => set({ ...d, value })}
          errors={action.fields}
          required
        />
        {d.kind === "fixed" && (
          <Select
            label="Currency"
            name="currency"
            value={d.currency}
            onValue={(c) => set({ ...d, currency: c as Currency })}
            options={["EUR", "USD", "GBP", "CHF"]}
            errors={action.fields}
          />
        )}
        <Input
          label="Usage limit"
          name="usage_limit"
          type="number"
          min={1}
          value={d.usage_limit}
          onValue={(usage_limit) => set({ ...d, usage_limit })}
          errors={action.fields}
          hint="empty: no limit"
        />
        <Input label="Last day (UTC)" name="ends_at" type="date" value={d.ends} onValue={(ends) => set({ ...d, ends })} errors={action.fields} />
      </div>
      <Checkbox label="Once per customer" checked={d.once} onValue={(once) => set({ ...d, once })} />
      <Button type="submit" busy={action.busy}>
        Create code
      </Button>
    </form>
  );
}
