// Following a topic on the WebSocket API (docs/architecture.md, "Live
// updates"), for both apps: the dashboard's feed and a guest's order page.
// Signed in, the access token is offered as a second subprotocol (a browser
// cannot set headers, and a URL would be logged). The connection is opened
// again when it closes (API Gateway ends connections after two hours, and
// after ten idle minutes), 1 s, 2 s, 4 s … up to 30 s apart; a refusal of the
// subscription stops it.

const PROTOCOL = "tillbox-live";

/** A pushed change: the event as on every queue, with the order as it is now. */
export interface LiveUpdate {
  type: string;
  id: string;
  occurred_at: string;
  data: { order_id?: string; amount?: number; sku?: string; stock?: number; endpoint_id?: string; attempts?: number };
  order?: { id: string; total: number; currency: string; shipment?: { carrier: string; tracking_number: string } | null };
}

export type LiveState = "connecting" | "live" | "offline";

export interface Follow {
  url: string;
  /** The subscription: `{ topic }`, and a guest's `order_token`. */
  subscribe: { topic: string; order_token?: string };
  /** A current access token, when signed in. */
  token?: () => Promise<string>;
  onUpdate: (update: LiveUpdate) => void;
  /** Also told "live" at each (re)subscription: read the current state then. */
  onState: (state: LiveState) => void;
}

/** Follows until the returned function is called. */
export function follow({ url, subscribe, token, onUpdate, onState }: Follow): () => void {
  let socket: WebSocket | undefined;
  let stopped = false;
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const open = async () => {
    onState("connecting");
    let protocols = [PROTOCOL];
    try {
      if (token) protocols = [PROTOCOL, await token()];
    } catch {
      onState("offline");
      return;
    }
    if (stopped) return;
    socket = new WebSocket(url, protocols);
    socket.onopen = () => socket?.send(JSON.stringify({ action: "subscribe", ...subscribe }));
    socket.onmessage = (message) => {
      const pushed = JSON.parse(String(message.data)) as LiveUpdate;
      if (pushed.type === "subscribed") {
        failures = 0;
        onState("live");
      } else if (pushed.type === "error") {
        // Refused: a signed-in page tries again with a fresh token; a link stays refused.
        if (!token) stopped = true;
        socket?.close();
      } else {
        onUpdate(pushed);
      }
    };
    socket.onclose = () => {
      onState("offline");
      if (!stopped) timer = setTimeout(open, Math.min(30_000, 1000 * 2 ** failures++));
    };
  };
  void open();
  return () => {
    stopped = true;
    clearTimeout(timer);
    socket?.close();
  };
}
