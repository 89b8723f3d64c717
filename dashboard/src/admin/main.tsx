// The merchant's dashboard: signs in, then shows the screens the signed-in
// role may use. Admin-only screens are left out of a staff member's menu (and
// the API refuses them anyway).
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { appConfig } from "../common/api";
import { LiveFeed } from "./live";
import { Link, match, navigate, useLocation } from "../common/router";
import { Button, Loading, useAction } from "../common/ui";
import { type Identity, type Role, Session } from "./session";
import { Audit } from "./screens/Audit";
import { Dashboard } from "./screens/Dashboard";
import { Discounts } from "./screens/Discounts";
import { Exports } from "./screens/Exports";
import { OrderDetail } from "./screens/OrderDetail";
import { Orders } from "./screens/Orders";
import { People } from "./screens/People";
import { ProductEdit } from "./screens/ProductEdit";
import { Products } from "./screens/Products";
import { Settings } from "./screens/Settings";
import { SignIn } from "./screens/SignIn";
import { WebhookDetail, Webhooks } from "./screens/Webhooks";

export interface ScreenProps {
  session: Session;
  params: Record<string, string>;
  query: URLSearchParams;
  identity: Identity;
}

interface Screen {
  path: string;
  title: string;
  role: Role;
  view: (props: ScreenProps) => preact.JSX.Element;
  /** Listed in the menu (detail screens are reached from their list). */
  menu?: boolean;
}

const BASE = "/admin";

const SCREENS: Screen[] = [
  { path: "/", title: "Dashboard", role: "admin", view: Dashboard, menu: true },
  { path: "/orders", title: "Orders", role: "staff", view: Orders, menu: true },
  { path: "/orders/:id", title: "Order", role: "staff", view: OrderDetail },
  { path: "/products", title: "Products", role: "staff", view: Products, menu: true },
  { path: "/products/new", title: "New product", role: "staff", view: ProductEdit },
  { path: "/products/:id", title: "Product", role: "staff", view: ProductEdit },
  { path: "/discounts", title: "Discounts", role: "staff", view: Discounts, menu: true },
  { path: "/settings", title: "Shipping & tax", role: "admin", view: Settings, menu: true },
  { path: "/people", title: "Customers & staff", role: "admin", view: People, menu: true },
  { path: "/webhooks", title: "Webhooks", role: "admin", view: Webhooks, menu: true },
  { path: "/webhooks/:id", title: "Webhook", role: "admin", view: WebhookDetail },
  { path: "/audit", title: "Audit log", role: "admin", view: Audit, menu: true },
  { path: "/exports", title: "Exports", role: "admin", view: Exports, menu: true },
];

function allowed(identity: Identity, screen: Screen) {
  return screen.role !== "admin" || identity.role === "admin";
}

export function href(path: string) {
  return BASE + (path === "/" ? "/" : path);
}

function App({ session, live }: { session: Session; live?: string }) {
  const [identity, setIdentity] = useState<Identity | null | undefined>(undefined);
  const url = useLocation();
  const signingOut = useAction();
  const [ended, setEnded] = useState<string | undefined>();
  useEffect(() => {
    session.onEnd = (reason) => {
      setEnded(reason);
      setIdentity(null);
    };
    session.resume().then((live) => setIdentity(live ? session.identity : null));
  }, []);

  if (identity === undefined) return <Loading />;
  if (identity === null) return <SignIn session={session} onSignedIn={setIdentity} notice={ended} />;

  const path = url.pathname.slice(BASE.length) || "/";
  const visible = SCREENS.filter((s) => allowed(identity, s));
  const found = visible.map((s) => ({ s, params: match(s.path, path) })).find((m) => m.params);
  if (!found && path === "/") {
    // Staff have no dashboard: their day starts with the orders.
    navigate(href("/orders"), true);
    return <Loading />;
  }
  const screen = found?.s;
  document.title = `${screen ? screen.title : "Not found"} · Tillbox`;
  return (
    <div class="layout">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <strong class="brand">Tillbox</strong>
        <span class="who">
          {identity.email || identity.sub} · {identity.role}
        </span>
        <Button kind="secondary" busy={signingOut.busy} onClick={() => signingOut.run(() => session.signOut())}>
          Sign out
        </Button>
        <Button
          kind="secondary"
          busy={signingOut.busy}
          onClick={() => signingOut.run(() => session.signOut(true))}
          title="Ends every session of this account, on every device"
        >
          Sign out everywhere
        </Button>
      </header>

      <div class="side">
        <nav aria-label="Screens">
          <ul>
            {visible
              .filter((s) => s.menu)
              .map((s) => (
                <li key={s.path}>
                  <Link href={href(s.path)} current={s === screen || (s.path !== "/" && path.startsWith(s.path + "/"))}>
                    {s.title}
                  </Link>
                </li>
              ))}
          </ul>
        </nav>
        <LiveFeed session={session} url={live} admin={identity.role === "admin"} />
      </div>
      <main id="main" tabIndex={-1}>
        {screen && found ? (
          <screen.view session={session} params={found.params!} query={url.searchParams} identity={identity} key={url.pathname} />
        ) : (
          <section>
            <h1>Not found</h1>
            <p>
              There is no such screen{SCREENS.some((s) => match(s.path, path)) ? " for your role" : ""}. <Link href={href("/")}>Back to the start</Link>
            </p>
          </section>
        )}
      </main>
    </div>
  );
}

appConfig().then(({ api, live }) => render(<App session={new Session(api)} live={live} />, document.getElementById("app")!));
