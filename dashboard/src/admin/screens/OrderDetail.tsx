import { useRef, useState } from "preact/hooks";
import { type Schemas, idempotencyKey, majorUnits, minorUnits, money, ok, when, orderName, etag } from "../../common/api";
import { Link } from "../../common/router";
import { Banner, Button, Checkbox, Input, Loading, Notice, Status, useAction, useLoad } from "../../common/ui";
import { openDocument } from "../documents";
import { href, type ScreenProps } from "../main";

type Order = Schemas["OrderView"];
type Return = Schemas["ReturnView"];

export function OrderDetail({ session, params, identity }: ScreenProps) {
  const id = params.id;
  const order = useLoad(() => ok(session.api.GET("/orders/{id}", { params: { path: { id } } })), [id]);
  const returns = useLoad(() => ok(session.api.GET("/orders/{id}/returns", { params: { path: { id } } })), [id]);
  // The audit trail is admins' (it shows who did what); staff see the order's own times.
  const trail = useLoad(
    () =>
      identity.role === "admin" ? ok(session.api.GET("/admin/audit", { params: { query: { target: `order:${id}`, limit: 100 } } })) : Promise.resolve(null),
    [id],
  );
  if (!order.value) return <Loading error={order.error} />;
  const o = order.value;
  const reload = () => {
    order.reload();
    returns.reload();
    trail.reload();
  };
  return (
    <section>
      <p>
        <Link href={href("/orders?status=" + o.status)}>← Orders</Link>
      </p>
      <h1>
        Order {orderName(o)} <Status value={o.status} />
      </h1>
      <p class="muted">
        {o.id} · placed {when(o.created_at)} by {o.email ?? o.customer}
      </p>
      <Actions
        session={session}
        order={o}
        onChange={(next) => {
          if (next) order.setValue(next);
          returns.reload();
          trail.reload();
        }}
      />
      <div class="columns">
        <Lines order={o} />
        <div>
          {(o.shipping_address || o.billing_address) && <h2>Addresses</h2>}
          <Address title="Ship to" address={o.shipping_address} />
          <Address title="Bill to" address={o.billing_address} />
          {o.shipment && (
            <p>
              Sent with {o.shipment.carrier}, tracking <code>{o.shipment.tracking_number}</code>
            </p>
          )}
          <h2>Documents</h2>
          <Documents session={session} order={o} />
        </div>
      </div>
      <h2>Returns</h2>
      {returns.value ? <Returns session={session} order={o} returns={returns.value} onChange={reload} /> : <Loading error={returns.error} />}
      <h2>Timeline</h2>
      <Timeline order={o} trail={trail.value?.items} />
    </section>
  );
}

function Lines({ order: o }: { order: Order }) {
  return (
    <table class="list" aria-label="Lines">
      <thead>
        <tr>
          <th scope="col">Item</th>
          <th scope="col">SKU</th>
          <th scope="col" class="num">
            Qty
          </th>
          <th scope="col" class="num">
            Unit
          </th>
          <th scope="col" class="num">
            Tax
          </th>
          <th scope="col" class="num">
            Total
          </th>
        </tr>
      </thead>
      <tbody>
        {o.lines.map((l) => (
          <tr key={l.variant_id}>
            <td>
              {l.name}
              {l.restocked > 0 && <small class="muted"> ({l.restocked} restocked)</small>}
            </td>
            <td>
              <code>{l.sku}</code>
            </td>
            <td class="num">{l.quantity}</td>
            <td class="num">{money(l.unit_price, o.currency)}</td>
            <td class="num">
              {money(l.tax, o.currency)} <small class="muted">{l.tax_rate}%</small>
            </td>
            <td class="num">{money(l.total, o.currency)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row" colSpan={5}>
            Subtotal
          </th>
          <td class="num">{money(o.subtotal, o.currency)}</td>
        </tr>
        {o.discount && (
          <tr>
            <th scope="row" colSpan={5}>
              Discount <code>{o.discount.code}</code>
            </th>
            <td class="num">−{money(o.discount.amount, o.currency)}</td>
          </tr>
        )}
        {o.shipping && (
          <tr>
            <th scope="row" colSpan={5}>
              Shipping: {o.shipping.name}
            </th>
            <td class="num">{money(o.shipping.amount, o.currency)}</td>
          </tr>
        )}
        <tr>
          <th scope="row" colSpan={5}>
            Tax {o.prices_include_tax ? "(included)" : ""}
          </th>
          <td class="num">{money(o.tax, o.currency)}</td>
        </tr>
        <tr class="total">
          <th scope="row" colSpan={5}>
            Total
          </th>
          <td class="num">{money(o.total, o.currency)}</td>
        </tr>
        {o.refunded > 0 && (
          <tr>
            <th scope="row" colSpan={5}>
              Refunded
            </th>
            <td class="num">−{money(o.refunded, o.currency)}</td>
          </tr>
        )}
      </tfoot>
    </table>
  );
}

function Address({ title, address: a }: { title: string; address: Schemas["AddressBody"] | null }) {
  if (!a) return null;
  return (
    <address>
      <strong>{title}</strong>
      <br />
      {[a.name, a.company, a.line1, a.line2, [a.postal_code, a.city].filter(Boolean).join(" "), [a.region, a.country].filter(Boolean).join(", "), a.phone]
        .filter(Boolean)
        .map((line) => (
          <span key={line}>
            {line}
            <br />
          </span>
        ))}
    </address>
  );
}

function Documents({ session, order: o }: { session: ScreenProps["session"]; order: Order }) {
  const action = useAction();
  if (!o.paid_at) return <p class="muted">Invoice and packing slip come with the payment.</p>;
  return (
    <div class="row">
      <Button
        kind="secondary"
        busy={action.busy}
        onClick={() => action.run(() => openDocument(session.api.GET("/orders/{id}/receipt", { params: { path: { id: o.id } } })))}
      >
        Invoice
      </Button>
      <Button
        kind="secondary"
        busy={action.busy}
        onClick={() => action.run(() => openDocument(session.api.GET("/orders/{id}/packing-slip", { params: { path: { id: o.id } } })))}
      >
        Packing slip
      </Button>
      <Banner error={action.error} />
    </div>
  );
}

/** What staff can do with the order in its state. Each action carries an
 * Idempotency-Key kept until it succeeds, so a double click or a retry after a
 * lost answer is one action; the next action gets a key of its own. */
function Actions({ session, order: o, onChange }: { session: ScreenProps["session"]; order: Order; onChange: (o?: Order) => void }) {
  const action = useAction();
  const keys = useRef<Record<string, string>>({});
  const [done, setDone] = useState("");
  const [shipment, setShipment] = useState({ carrier: "", tracking_number: "" });
  const blankRefund = (order: Order) => ({
    amount: majorUnits(order.total - order.refunded, order.currency),
    reason: "",
    restock: {} as Record<string, string>,
  });
  const [refund, setRefundState] = useState(() => blankRefund(o));
  // A changed refund is another request: it gets a key of its own.
  const setRefund = (next: typeof refund) => {
    delete keys.current.refund;
    setRefundState(next);
  };
  const path = (action: string) => ({ params: { path: { id: o.id }, header: { "Idempotency-Key": (keys.current[action] ??= idempotencyKey()) } } });
  const act = async (what: string, name: string, call: () => Promise<Order>) => {
    const next = await action.run(call);
    if (next) {
      delete keys.current[name];
      setDone(what);
      if (name === "refund") setRefundState(blankRefund(next));
      onChange(next);
    }
  };
  const refundable = ["paid", "fulfilled", "partially_refunded"].includes(o.status);
  return (
    <div class="actions">
      {done && <Notice>{done}</Notice>}
      <Banner error={action.error} />
      {o.status === "pending_payment" && (
        <div class="row">
          <Button
            busy={action.busy}
            onClick={() =>
              confirm(
                `Mark ${orderName(o)} paid without taking a payment? Only when ${money(o.total, o.currency)} arrived outside Tillbox (a bank transfer, cash).`,
              ) && act("Marked paid.", "mark-paid", () => ok(session.api.POST("/orders/{id}/mark-paid", path("mark-paid"))))
            }
          >
            Mark paid
          </Button>
          <Button
            kind="danger"
            busy={action.busy}
            onClick={() =>
              confirm(`Cancel ${orderName(o)}? Its stock goes back on sale and the customer can no longer pay it.`) &&
              act("Cancelled.", "cancel", () => ok(session.api.POST("/orders/{id}/cancel", path("cancel"))))
            }
          >
            Cancel order
          </Button>
        </div>
      )}
      {o.status === "paid" && (
        <form
          class="inline"
          aria-label="Fulfil"
          onSubmit={(e) => {
            e.preventDefault();
            act("Fulfilled: the customer has been told.", "fulfil", () => ok(session.api.POST("/orders/{id}/fulfil", { ...path("fulfil"), body: shipment })));
          }}
        >
          <Input
            label="Carrier"
            name="carrier"
            value={shipment.carrier}
            onValue={(carrier) => setShipment({ ...shipment, carrier })}
            errors={action.fields}
            required
          />
          <Input
            label="Tracking number"
            name="tracking_number"
            value={shipment.tracking_number}
            onValue={(tracking_number) => setShipment({ ...shipment, tracking_number })}
            errors={action.fields}
            required
          />
          <Button type="submit" busy={action.busy}>
            Fulfil
          </Button>
        </form>
      )}
      {refundable && o.refunded < o.total && (
        <form
          class="inline"
          aria-label="Refund"
          onSubmit={(e) => {
            e.preventDefault();
            const amount = minorUnits(refund.amount, o.currency);
            if (amount === null) return action.setError(new Error(`Amount: a number of ${o.currency}, like ${majorUnits(o.total, o.currency)}.`));
            if (!confirm(`Refund ${money(amount, o.currency)} of ${orderName(o)} to the customer? This cannot be undone.`)) return;
            const restock = o.lines
              .map((l) => ({ product_id: l.product_id, variant_id: l.variant_id, quantity: Number(refund.restock[l.variant_id] || 0) }))
              .filter((l) => l.quantity > 0);
            act(
              "Refunded.",
              "refund",
              async () => (await ok(session.api.POST("/orders/{id}/refunds", { ...path("refund"), body: { amount, reason: refund.reason, restock } }))).order,
            );
          }}
        >
          <Input
            label={`Refund amount (${o.currency})`}
            name="amount"
            inputMode="decimal"
            value={refund.amount}
            onValue={(amount) => setRefund({ ...refund, amount })}
            errors={action.fields}
            required
          />
          <Input label="Reason" name="reason" value={refund.reason} onValue={(reason) => setRefund({ ...refund, reason })} errors={action.fields} required />
          {o.lines
            .filter((l) => l.quantity > l.restocked)
            .map((l, i) => (
              <Input
                key={l.variant_id}
                label={`Back in stock: ${l.name}`}
                name={`restock.${i}.quantity`}
                type="number"
                min={0}
                max={l.quantity - l.restocked}
                value={refund.restock[l.variant_id] ?? "0"}
                onValue={(q) => setRefund({ ...refund, restock: { ...refund.restock, [l.variant_id]: q } })}
                errors={action.fields}
              />
            ))}
          <Button type="submit" kind="danger" busy={action.busy}>
            Refund
          </Button>
        </form>
      )}
    </div>
  );
}

function Returns({ session, order: o, returns, onChange }: { session: ScreenProps["session"]; order: Order; returns: Return[]; onChange: () => void }) {
  const action = useAction();
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [shipping, setShipping] = useState<Record<string, boolean>>({});
  if (returns.length === 0) return <p class="muted">No returns asked for.</p>;
  const decide = (r: Return, body: Schemas["ReturnDecision"]) =>
    action.run(async () => {
      await ok(
        session.api.PATCH("/orders/{id}/returns/{return_id}", {
          params: { path: { id: o.id, return_id: r.id }, header: { "If-Match": etag(r.version) } },
          body,
        }),
      );
      onChange();
    });
  return (
    <>
      <Banner error={action.error} />
      <table class="list" aria-label="Returns">
        <thead>
          <tr>
            <th scope="col">Asked</th>
            <th scope="col">Items</th>
            <th scope="col">Reason</th>
            <th scope="col">Status</th>
            <th scope="col">Refund</th>
            <th scope="col">Decide</th>
          </tr>
        </thead>
        <tbody>
          {returns.map((r) => (
            <tr key={r.id}>
              <td>{when(r.created_at)}</td>
              <td>
                {r.lines.map((l) => (
                  <div key={l.variant_id}>
                    {l.quantity} × {o.lines.find((x) => x.variant_id === l.variant_id)?.name ?? l.variant_id}
                  </div>
                ))}
              </td>
              <td>{r.reason}</td>
              <td>
                <Status value={r.status} />
                {r.note && <small class="muted"> {r.note}</small>}
              </td>
              <td>{r.refund_amount != null ? money(r.refund_amount, o.currency) : "—"}</td>
              <td>
                <div class="row">
                  {r.status === "requested" && (
                    <>
                      <Button busy={action.busy} onClick={() => decide(r, { status: "approved" })}>
                        Approve
                      </Button>
                      <form
                        class="row"
                        aria-label="Reject"
                        onSubmit={(e) => {
                          e.preventDefault();
                          decide(r, { status: "rejected", note: notes[r.id] ?? "" });
                        }}
                      >
                        <Input
                          label="Why not (the customer sees this)"
                          name="note"
                          value={notes[r.id] ?? ""}
                          onValue={(note) => setNotes({ ...notes, [r.id]: note })}
                          errors={action.fields}
                        />
                        <Button type="submit" kind="danger" busy={action.busy}>
                          Reject
                        </Button>
                      </form>
                    </>
                  )}
                  {r.status === "approved" && (
                    <>
                      <Checkbox label="Refund the shipping too" checked={!!shipping[r.id]} onValue={(on) => setShipping({ ...shipping, [r.id]: on })} />
                      <Button busy={action.busy} onClick={() => decide(r, { status: "received", refund_shipping: !!shipping[r.id] })}>
                        Received: restock and refund
                      </Button>
                    </>
                  )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Timeline({ order: o, trail }: { order: Order; trail?: Schemas["AuditView"][] }) {
  const events: [string, string, string][] = trail
    ? trail.map((a) => [a.at, a.action.replace(/[._]/g, " "), a.actor])
    : ([
        [o.created_at, "placed", o.customer],
        [o.paid_at, "paid", ""],
        [o.fulfilled_at, "fulfilled", ""],
        [o.cancelled_at, "cancelled", o.cancel_reason ?? ""],
      ].filter(([at]) => at) as [string, string, string][]);
  events.sort((a, b) => a[0].localeCompare(b[0]));
  return (
    <ol class="timeline">
      {events.map(([at, what, who], i) => (
        <li key={i}>
          <time dateTime={at}>{when(at)}</time> <strong>{what}</strong> {who && <span class="muted">by {who}</span>}
        </li>
      ))}
    </ol>
  );
}
