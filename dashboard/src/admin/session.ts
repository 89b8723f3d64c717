// Signing in to the dashboard: the access token lives in memory (and the tab's
// sessionStorage, so a reload keeps it), the refresh token in localStorage so
// the merchant stays signed in across tabs for the session's 30 days. The
// strict Content-Security-Policy is what keeps scripts of others from reading it.
import type { Middleware } from "openapi-fetch";
import { type Api, client, describe, ok } from "../common/api";

export type Role = "customer" | "staff" | "admin";

export interface Identity {
  sub: string;
  role: Role;
  email: string;
}

interface Stored {
  access: string;
  expiresAt: number;
  email: string;
}

const REFRESH = "tillbox.dashboard.refresh";
const ACCESS = "tillbox.dashboard.access";
const EMAIL = "tillbox.dashboard.email";

function claims(jwt: string): { sub: string; role: Role; exp: number } {
  const payload = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(payload));
}

export class Session {
  private stored: Stored | null = JSON.parse(sessionStorage.getItem(ACCESS) ?? "null");
  private refreshing: Promise<void> | null = null;
  /** Told when the session ends (signed out, expired or revoked), with what
   * the sign-in page should say about it. */
  onEnd: (reason?: string) => void = () => {};
  readonly api: Api;
  private readonly bare: Api;

  constructor(baseUrl: string) {
    this.bare = client(baseUrl);
    this.api = client(baseUrl, this.middleware());
  }

  get identity(): Identity | null {
    if (!this.stored) return null;
    const c = claims(this.stored.access);
    return { sub: c.sub, role: c.role, email: this.stored.email };
  }

  /** Picks up a session kept from before the reload; false when there is none. */
  async resume(): Promise<boolean> {
    if (this.stored && this.stored.expiresAt > Date.now() + 30_000) return true;
    if (!localStorage.getItem(REFRESH)) return false;
    try {
      await this.refresh();
      return true;
    } catch {
      return false;
    }
  }

  async signIn(email: string, password: string): Promise<Identity> {
    const tokens = await ok(this.bare.POST("/auth/login", { body: { email, password } }));
    const role = claims(tokens.access_token).role;
    if (role === "customer") {
      await this.bare.POST("/auth/logout", { body: { refresh_token: tokens.refresh_token, everywhere: false } });
      throw new Error("This account is a customer's. Ask an admin to make it staff.");
    }
    this.keep(tokens, email);
    return this.identity!;
  }

  /** Ends this session, or with `everywhere` every session of the account.
   * Signing out here always forgets the tokens; "everywhere" first makes sure
   * the API did it, or throws so the person knows the other devices are not
   * signed out yet. */
  async signOut(everywhere = false) {
    const refresh = localStorage.getItem(REFRESH);
    if (!refresh) return this.forget();
    const reply = this.bare.POST("/auth/logout", { body: { refresh_token: refresh, everywhere } });
    if (!everywhere) {
      await reply.catch(() => undefined);
      return this.forget();
    }
    try {
      await ok(reply);
      this.forget("Signed out on every device.");
    } catch (e) {
      // The API ends this session whatever happened to the others.
      this.forget(`Signed out here, but maybe not on your other devices (${describe(e)}). Sign in and try again.`);
    }
  }

  private keep(tokens: { access_token: string; refresh_token: string; expires_in: number }, email: string) {
    this.stored = { access: tokens.access_token, expiresAt: Date.now() + tokens.expires_in * 1000, email };
    sessionStorage.setItem(ACCESS, JSON.stringify(this.stored));
    localStorage.setItem(REFRESH, tokens.refresh_token);
    localStorage.setItem(EMAIL, email);
  }

  private forget(reason?: string) {
    const had = this.stored !== null;
    this.stored = null;
    sessionStorage.removeItem(ACCESS);
    localStorage.removeItem(REFRESH);
    localStorage.removeItem(EMAIL);
    if (had) this.onEnd(reason);
  }

  /** One refresh at a time, across every tab of the dashboard: the refresh
   * token is spent by use, and the API ends the session when a spent one comes
   * back (reuse detection), so two tabs refreshing with the same token would
   * sign the merchant out. The Web Locks API serializes them; inside the lock
   * the token is read again, so each tab uses the one the last tab stored. */
  private refresh(): Promise<void> {
    const inLock = async () => {
      const token = localStorage.getItem(REFRESH);
      if (!token) {
        this.forget();
        throw new Error("You are signed out.");
      }
      const reply = await this.bare.POST("/auth/refresh", { body: { refresh_token: token } });
      if (reply.data) return this.keep(reply.data, localStorage.getItem(EMAIL) ?? "");
      // Only a refusal of the token ends the session here; a 429 or a 503
      // is worth retrying and leaves every tab signed in.
      if (reply.response.status === 401 || reply.response.status === 403) {
        this.forget();
        throw new Error("Your session ended: sign in again.");
      }
      await ok(Promise.resolve(reply));
    };
    const refreshing = (this.refreshing ??= (async () => {
      try {
        await navigator.locks.request("tillbox.dashboard.refresh", inLock);
      } finally {
        this.refreshing = null;
      }
    })());
    return refreshing;
  }

  /** A current access token, refreshed when it has less than a minute left. */
  async accessToken(): Promise<string> {
    if (!this.stored || this.stored.expiresAt < Date.now() + 60_000) await this.refresh();
    return this.stored!.access;
  }

  private middleware(): Middleware {
    return {
      onRequest: async ({ request }) => {
        request.headers.set("Authorization", `Bearer ${await this.accessToken()}`);
        return request;
      },
      onResponse: async ({ response }) => {
        if (response.status === 401) this.forget("Your session ended: sign in again.");
        return response;
      },
    };
  }
}
