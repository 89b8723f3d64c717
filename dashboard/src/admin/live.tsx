// The shop's live feed (docs/architecture.md, "Live updates"): orders,
// payments, returns, low stock, failed webhook deliveries and endpoints Tillbox
// stopped delivering to, as they happen, beside the menu.
import { useEffect, useState } from "preact/hooks";
import { money } from "../common/api";
import { type LiveState, type LiveUpdate, follow } from "../common/live";
import { Link } from "../common/router";
import { href } from "./main";
import type { Session } from "./session";

const KEPT = 15;

const HEADLINES: Record<string, string> = {
  "order.placed": "Order placed",
  "order.paid": "Order paid",
  "order.fulfilled": "Order shipped",
  "order.cancelled": "Order cancelled",
  "order.refunded": "Refunded",
  "order.disputed": "Payment disputed",
  "return.requested": "Return requested",
  "return.approved": "Return approved",
  "return.rejected": "Return rejected",
  "return.received": "Return received",
  "inventory.low": "Low stock",
  "webhook.endpoint_disabled": "Webhook endpoint disabled",
  "webhook.delivery_failed": "Webhook delivery failed",
};

/** `admin`: the webhook screens are theirs, so only they get links to them. */
function Entry({ event, admin }: { event: LiveUpdate; admin: boolean }) {
  const headline = HEADLINES[event.type] ?? event.type;
  const at = new Date(event.occurred_at).toLocaleTimeString(undefined, { timeStyle: "medium", timeZone: "UTC" });
  const { order, data } = event;
  let detail = "";
  if (event.type === "order.refunded" && order) detail = money(data.amount, order.currency);
  else if (event.type === "order.fulfilled" && order?.shipment) detail = `${order.shipment.carrier} ${order.shipment.tracking_number}`;
  else if (order) detail = money(order.total, order.currency);
  else if (event.type === "inventory.low") detail = `${data.sku}: ${data.stock} left`;
  else if (event.type === "webhook.delivery_failed") detail = `after ${data.attempts} attempts`;
  const title = data.order_id ? (
    <Link href={href(`/orders/${data.order_id}`)}>{headline}</Link>
  ) : data.endpoint_id && admin ? (
    <Link href={href(`/webhooks/${data.endpoint_id}`)}>{headline}</Link>
  ) : (
    headline
  );
  return (
    <li>
      <span class="what">{title}</span>
      {detail && <span class="detail">{detail}</span>}
      <time dateTime={event.occurred_at}>{at} UTC</time>
    </li>
  );
}

export function LiveFeed({ session, url, admin }: { session: Session; url?: string; admin: boolean }) {
  const [events, setEvents] = useState<LiveUpdate[]>([]);
  const [state, setState] = useState<LiveState>("connecting");
  useEffect(() => {
    if (!url) return;
    return follow({
      url,
      subscribe: { topic: "feed" },
      token: () => session.accessToken(),
      onUpdate: (pushed) => setEvents((shown) => [pushed, ...shown.filter((e) => e.id !== pushed.id)].slice(0, KEPT)),
      onState: setState,
    });
  }, [url]);

  if (!url) return null;
  const label = { connecting: "connecting…", live: "live", offline: "offline, retrying" }[state];
  return (
    <section class="live" aria-labelledby="live-title">
      <h2 id="live-title">
        Live <span class={`state is-${state}`}>{label}</span>
      </h2>
      {events.length === 0 ? (
        <p class="quiet">Orders, payments, returns, low stock and failed webhook deliveries appear here as they happen.</p>
      ) : (
        <ul aria-live="polite">
          {events.map((event) => (
            <Entry key={event.id} event={event} admin={admin} />
          ))}
        </ul>
      )}
    </section>
  );
}
