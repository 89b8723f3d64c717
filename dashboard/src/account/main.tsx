// The pages the shop's e-mails link to when the merchant has no storefront of
// their own (`StorefrontUrl` left empty): confirm an address, choose or reset a
// password, and a guest's view of their order. Each takes its token from the
// link and posts it to the API; nothing is stored in the browser.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { type Api, type Schemas, appConfig, client, money, ok, safeUrl, when } from "../common/api";
import { follow } from "../common/live";
import { match, useLocation } from "../common/router";
import { Banner, Button, Input, Loading, Notice, Status, useAction, useLoad } from "../common/ui";

const BASE = "/account";

// A one-time token from an e-mail link (`?token=`), kept for this page and taken
// out of the address bar and the history, where it would outlive its use.
const LINK_TOKEN = new URLSearchParams(location.search).get("token") ?? "";
if (LINK_TOKEN) history.replaceState(null, "", location.pathname + location.hash);

function Page({ title, children }: { title: string; children: preact.ComponentChildren }) {
  document.title = title;
  return (
    <main class="signin" id="main">
      <h1>{title}</h1>
      {children}
    </main>
  );
}

function VerifyEmail({ api, token }: { api: Api; token: string }) {
  const result = useLoad(() => ok(api.POST("/auth/verify-email", { body: { token } })).then(() => true), [token]);
  return (
    <Page title="Confirm your e-mail address">
      {result.value ? (
        <Notice>Your address is confirmed. You can sign in to the shop now.</Notice>
      ) : result.error ? (
        <Banner error={result.error} />
      ) : (
        <Loading />
      )}
    </Page>
  );
}

function ResetPassword({ api, token }: { api: Api; token: string }) {
  const [password, setPassword] = useState("");
  const [again, setAgain] = useState("");
  const [done, setDone] = useState(false);
  const action = useAction();
  return (
    <Page title="Choose a password">
      {done ? (
        <Notice>Your password is set. Sign in with it in the shop; other sessions of your account have ended.</Notice>
      ) : (
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            if (password !== again) return action.setError(new Error("The two passwords differ."));
            // 204: no body, so the outcome is whether it threw.
            if (await action.run(() => ok(api.POST("/auth/password/reset", { body: { token, password } })).then(() => true))) setDone(true);
          }}
        >
          <Banner error={action.error} />
          <Input
            label="New password"
            name="password"
            type="password"
            autoComplete="new-password"
            value={password}
            onValue={setPassword}
            errors={action.fields}
            required
            minLength={10}
            hint="At least 10 characters"
          />
          <Input label="The same again" name="again" type="password" autoComplete="new-password" value={again} onValue={setAgain} required />
          <Button type="submit" busy={action.busy}>
            Save password
          </Button>
        </form>
      )}
    </Page>
  );
}

function ForgotPassword({ api }: { api: Api }) {
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  const action = useAction();
  return (
    <Page title="Reset your password">
      {sent ? (
        <Notice>If {email} has an account, an e-mail with a link is on its way.</Notice>
      ) : (
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            if (await action.run(() => ok(api.POST("/auth/password/forgot", { body: { email } })).then(() => true))) setSent(true);
          }}
        >
          <Banner error={action.error} />
          <Input label="E-mail" name="email" type="email" autoComplete="email" value={email} onValue={setEmail} errors={action.fields} required />
          <Button type="submit" busy={action.busy}>
            Send me a link
          </Button>
        </form>
      )}
    </Page>
  );
}

/** A guest's order, opened with the link from their e-mail: the link rides in
 * the URL's fragment (never sent to a server) and goes to the API as `Order-Token`. */
function GuestOrder({ api, live, id, token }: { api: Api; live?: string; id: string; token: string }) {
  const header = { "Order-Token": token };
  const order = useLoad(() => (token ? ok(api.GET("/orders/{id}", { params: { path: { id }, header } })) : Promise.resolve(undefined)), [id]);
  const returns = useLoad(() => (token ? ok(api.GET("/orders/{id}/returns", { params: { path: { id }, header } })) : Promise.resolve([])), [id]);
  const action = useAction();
  // Paid, shipped, refunded, a return's progress: the page follows the order
  // and reads it again at each change (and once subscribed, so nothing falls
  // between the first read and the subscription).
  useEffect(() => {
    if (!live || !token) return;
    const reload = () => {
      order.reload();
      returns.reload();
    };
    return follow({
      url: live,
      subscribe: { topic: `order:${id}`, order_token: token },
      onUpdate: reload,
      onState: (state) => state === "live" && reload(),
    });
  }, [live, id, token]);
  if (!order.value)
    return (
      <Page title="Your order">
        {token ? (
          <Loading error={order.error} />
        ) : (
          <Banner
            error={
              new Error(
                "This link is incomplete: open the whole link from your e-mail (its key is the part after #). With an account, your orders are in the shop.",
              )
            }
          />
        )}
      </Page>
    );
  const o: Schemas["OrderView"] = order.value;
  return (
    <Page title={`Your order of ${new Date(o.created_at).toLocaleDateString(undefined, { dateStyle: "long", timeZone: "UTC" })}`}>
      <p>
        <Status value={o.status} />{" "}
        {o.shipment && (
          <>
            Sent with {o.shipment.carrier}, tracking number <code>{o.shipment.tracking_number}</code>.
          </>
        )}
      </p>
      <table class="list" aria-label="Items">
        <tbody>
          {o.lines.map((l) => (
            <tr key={l.variant_id}>
              <td>
                {l.quantity} × {l.name}
              </td>
              <td class="num">{money(l.total - l.discount, o.currency)}</td>
            </tr>
          ))}
          {o.shipping && (
            <tr>
              <td>Shipping: {o.shipping.name}</td>
              <td class="num">{money(o.shipping.amount, o.currency)}</td>
            </tr>
          )}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total {o.prices_include_tax ? `(incl. ${money(o.tax, o.currency)} tax)` : ""}</th>
            <td class="num">{money(o.total, o.currency)}</td>
          </tr>
          {o.refunded > 0 && (
            <tr>
              <th scope="row">Refunded</th>
              <td class="num">{money(o.refunded, o.currency)}</td>
            </tr>
          )}
        </tfoot>
      </table>
      {o.paid_at && (
        <Button
          kind="secondary"
          busy={action.busy}
          onClick={() =>
            action.run(async () => {
              const link = safeUrl((await ok(api.GET("/orders/{id}/receipt", { params: { path: { id }, header } }))).url);
              if (!link) throw new Error("The shop answered a link that is not http(s).");
              location.href = link;
            })
          }
        >
          Download the invoice
        </Button>
      )}
      <Banner error={action.error} />
      {returns.value && returns.value.length > 0 && (
        <>
          <h2>Returns</h2>
          <ul>
            {returns.value.map((r) => (
              <li key={r.id}>
                {when(r.created_at)}: <Status value={r.status} /> {r.note}
              </li>
            ))}
          </ul>
        </>
      )}
    </Page>
  );
}

function App({ api, live }: { api: Api; live?: string }) {
  const url = useLocation();
  const path = url.pathname.slice(BASE.length) || "/";
  const token = LINK_TOKEN;
  const order = match("/orders/:id", path) ?? match("/orders/:id/receipt", path);
  if (path === "/verify-email") return <VerifyEmail api={api} token={token} />;
  if (path === "/reset-password") return <ResetPassword api={api} token={token} />;
  if (path === "/forgot-password") return <ForgotPassword api={api} />;
  if (order) return <GuestOrder api={api} live={live} id={order.id} token={new URLSearchParams(url.hash.slice(1)).get("token") ?? ""} />;
  return (
    <Page title="Your account">
      <p>Use the link in the shop's e-mail to confirm your address or choose a password.</p>
      <p>
        <a href={`${BASE}/forgot-password`}>Forgot your password?</a>
      </p>
    </Page>
  );
}

appConfig().then(({ api, live }) => render(<App api={client(api)} live={live} />, document.getElementById("app")!));
