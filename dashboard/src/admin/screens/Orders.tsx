import { useState } from "preact/hooks";
import { money, ok, when, orderName } from "../../common/api";
import { Link, navigate } from "../../common/router";
import { Input, Loading, Pager, Select, Status, usePages } from "../../common/ui";
import { href, type ScreenProps } from "../main";

const STATUSES = ["pending_payment", "paid", "fulfilled", "partially_refunded", "refunded", "cancelled"] as const;

/** Orders in one status, or one customer's (the API lists staff orders by
 * either), newest first, optionally between two dates; the filters live in the
 * URL so a reload or a shared link shows the same list. */
export function Orders({ session, query }: ScreenProps) {
  const customer = query.get("customer") ?? undefined;
  const status = (query.get("status") ?? "paid") as (typeof STATUSES)[number];
  const from = query.get("from") ?? "";
  const to = query.get("to") ?? "";
  const [draft, setDraft] = useState({ from, to });
  const list = usePages(
    (cursor) =>
      ok(
        session.api.GET("/orders", {
          params: {
            query: {
              ...(customer ? { customer } : { status }),
              from: from ? `${from}T00:00:00Z` : undefined,
              to: to ? `${to}T00:00:00Z` : undefined,
              cursor,
              limit: 25,
            },
          },
        }),
      ),
    [customer, status, from, to],
  );
  const filter = (next: Record<string, string>) => {
    // Dates keep the customer's view; choosing a status leaves it.
    const q = new URLSearchParams({ ...(customer && !("status" in next) ? { customer } : { status }), from, to, ...next });
    for (const [k, v] of [...q]) if (!v) q.delete(k);
    navigate(href("/orders") + "?" + q);
  };
  return (
    <section>
      <h1>Orders{customer && <small class="muted"> of {customer}</small>}</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          filter(draft);
        }}
      >
        <Select
          label="Status"
          name="status"
          value={customer ? "" : status}
          onValue={(v) => filter({ status: v })}
          options={[
            ...(customer ? [["", "any (this customer)"] as [string, string]] : []),
            ...STATUSES.map((s): [string, string] => [s, s === "paid" ? "paid (to fulfil)" : s.replace(/_/g, " ")]),
          ]}
        />
        <Input label="Placed from (UTC)" name="from" type="date" value={draft.from} onValue={(v) => setDraft({ ...draft, from: v })} />
        <Input label="Placed before (UTC)" name="to" type="date" value={draft.to} onValue={(v) => setDraft({ ...draft, to: v })} />
        <button class="btn secondary" type="submit">
          Filter
        </button>
      </form>
      {!list.items ? (
        <Loading error={list.error} />
      ) : list.items.length === 0 ? (
        <p class="muted">
          No {customer ? "" : status.replace(/_/g, " ") + " "}orders{from || to ? " in these dates" : ""}.
        </p>
      ) : (
        <table class="list" aria-label="Orders">
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Placed</th>
              <th scope="col">Customer</th>
              <th scope="col">Items</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">
                Total
              </th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((o) => (
              <tr key={o.id}>
                <td>
                  <Link href={href(`/orders/${o.id}`)}>{orderName(o)}</Link>
                </td>
                <td>{when(o.created_at)}</td>
                <td>{o.email ?? o.customer}</td>
                <td>{o.lines.reduce((n, l) => n + l.quantity, 0)}</td>
                <td>
                  <Status value={o.status} />
                </td>
                <td class="num">{money(o.total, o.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager page={list.page} next={list.next} previous={list.previous} />
    </section>
  );
}
