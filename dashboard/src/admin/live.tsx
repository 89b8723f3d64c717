// The shop's live feed (docs/architecture.md, "Live updates"): orders, payments, returns, low
// stock, failed webhook deliveries and endpoints Tillbox stopped delivering to,
// as they happen.
// One WebSocket per tab, signed in with the access token offered as a
// subprotocol (a browser cannot send headers, and a URL would be logged);
// reconnected with a fresh token when it closes (API Gateway ends connections
// after two hours, and after ten idle minutes).
import { useEffect, useState } from "preact/hooks";
import { money } from "../common/api";
import { Link } from "../common/router";
import { href } from "./main";
import type { Session } from "./session";

const PROTOCOL = "tillbox-live";
const KEPT = 15;

/** A pushed change: the event as on every queue, with the order as it is now. */
interface LiveEvent {
  type: string;
  id: string;
  occurred_at: string;
  data: { order_id?: string; amount?: number; sku?: string; stock?: number; endpoint_id?: string; attempts?: number };
  order?: { id: string; total: number; currency: string; shipment?: { carrier: string; tracking_number: string } | null };
}

type State = "connecting" | "live" | "offline";

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
function Entry({ event, admin }: { event: LiveEvent; admin: boolean }) {
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
  const [events, setEvents] = useState<LiveEvent[]>([]);
  const [state, setState] = useState<State>("connecting");
  useEffect(() => {
    if (!url) return;
    let socket: WebSocket | undefined;
    let stopped = false;
    let failures = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const open = async () => {
      setState("connecting");
      let token: string;
      try {
        token = await session.accessToken();
      } catch {
        setState("offline");
        return;
      }
      if (stopped) return;
      socket = new WebSocket(url, [PROTOCOL, token]);
      socket.onopen = () => socket?.send(JSON.stringify({ action: "subscribe", topic: "feed" }));
      socket.onmessage = (message) => {
        const pushed = JSON.parse(String(message.data)) as LiveEvent & { status?: number };
        if (pushed.type === "subscribed") {
          failures = 0;
          setState("live");
        } else if (pushed.type === "error") {
          // Refused (a session that ended): closing retries with a fresh token.
          socket?.close();
        } else {
          setEvents((shown) => [pushed, ...shown.filter((e) => e.id !== pushed.id)].slice(0, KEPT));
        }
      };
      socket.onclose = () => {
        if (stopped) return;
        setState("offline");
        // 1 s, 2 s, 4 s … up to 30 s between attempts.
        timer = setTimeout(open, Math.min(30_000, 1000 * 2 ** failures++));
      };
    };
    void open();
    return () => {
      stopped = true;
      clearTimeout(timer);
      socket?.close();
    };
  }, [url]);

  if (!url) return null;
  const label = { connecting: "connecting…", live: "live", offline: "offline, retrying" }[state];
  return (
    <section class="live" aria-labelledby="live-title">
      <h2 id="live-title">
        Live <span class={`state ${state}`}>{label}</span>
      </h2>
      {events.length === 0 ? (
        <p class="quiet">Orders, payments, returns and low stock appear here as they happen.</p>
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
