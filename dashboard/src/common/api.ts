// The typed API client both apps use. Paths, parameters and bodies come from
// `api/schema.d.ts`, generated from the OpenAPI document the API serves, so a
// change to the API that the pages do not follow fails `tsc` (and the browser
// tests check the file matches the served document).
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, paths } from "../api/schema";
import { minorDigits } from "./currencies";

export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];

/** A refused request, as the API's `application/problem+json` describes it. */
export class ApiProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title);
  }

  /** Each rejected input's message by its dotted path, indices as segments
   * (`variants[0].sku` → `variants.0.sku`), as the forms name their inputs. */
  get fields(): Record<string, string> {
    const path = (field: string) => field.replace(/\[(\d+)\]/g, ".$1");
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) out[path(e.field)] ??= e.message;
    if (this.problem.field) out[path(this.problem.field)] ??= this.problem.detail;
    return out;
  }

  /** 412: someone saved the record after it was read. */
  get stale(): boolean {
    return this.problem.status === 412;
  }
}

/** What a failed call tells a person: the problem's detail, or why the network failed. */
export function describe(error: unknown): string {
  if (error instanceof ApiProblem) {
    return error.stale ? "Changed by someone else — reload to see their change." : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Where the app's services are. */
export interface AppConfig {
  /** The HTTP API. */
  api: string;
  /** The WebSocket API for live updates (`LiveUrl`), when there is one. */
  live?: string;
}

/** `config.json` in the app's folder (written at publish time; resolved from
 * the app's base, not the page, whose path may be a deep link like
 * /admin/orders/…). Without one, the API is the page's own origin (the local
 * gateway serves both). */
export async function appConfig(): Promise<AppConfig> {
  try {
    const reply = await fetch(new URL(import.meta.env.BASE_URL + "config.json", location.origin), { cache: "no-cache" });
    if (reply.ok) {
      const config = (await reply.json()) as { api?: string; live_url?: string };
      return { api: config.api?.replace(/\/$/, "") || location.origin, live: config.live_url || undefined };
    }
  } catch {
    // No config: same origin, no live updates.
  }
  return { api: location.origin };
}

export type Api = Client<paths, "application/json">;

/** A client whose failures throw [`ApiProblem`], with `middleware` (auth) in front. */
export function client(baseUrl: string, ...middleware: Middleware[]): Api {
  const api = createClient<paths, "application/json">({ baseUrl, headers: { Accept: "application/json" } });
  for (const m of middleware) api.use(m);
  return api;
}

/** The body of an answer, or the problem thrown: `data` is set when `error` is not. */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const problem = (error ?? {}) as Partial<Problem>;
    throw new ApiProblem({
      type: "about:blank",
      code: problem.code ?? "http_" + response.status,
      title: problem.title ?? response.statusText,
      status: response.status,
      detail: problem.detail ?? `The API answered ${response.status}.`,
      field: problem.field,
      errors: problem.errors,
    });
  }
  return data as T;
}

/** The `If-Match` value for a record read at `version`: the API's ETag is the
 * version, quoted. */
export function etag(version: number): string {
  return `"${version}"`;
}

/** A fresh key for one attempt at a write: a retry of the same click reuses it. */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}

/** Money in minor units, shown in its currency with the API's digits. */
export function money(amount: number | null | undefined, currency: string | null | undefined): string {
  if (amount == null || !currency) return "—";
  const digits = minorDigits(currency);
  return new Intl.NumberFormat(undefined, { style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(
    amount / 10 ** digits,
  );
}

/** Minor units from what a person typed (`24.90`, `24,90`, `1000`), in
 * `currency`'s digits; null when it is not such an amount. Thousands
 * separators are refused rather than guessed (`1,000` could be either). */
export function minorUnits(text: string, currency: string): number | null {
  const digits = minorDigits(currency);
  const match = /^\s*(\d{1,13})(?:[.,](\d*))?\s*$/.exec(text);
  if (!match || (match[2] ?? "").length > digits) return null;
  return Number(match[1]) * 10 ** digits + Number((match[2] ?? "").padEnd(digits, "0") || 0);
}

/** Major units as a person edits them (`2490` EUR → `24.90`). */
export function majorUnits(amount: number, currency: string): string {
  const digits = minorDigits(currency);
  return digits ? (amount / 10 ** digits).toFixed(digits) : String(amount);
}

/** A link from the API, only if it is http(s): a `javascript:` URL in an
 * answer must never become something a click runs. */
export function safeUrl(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/** How people name an order: its invoice number once paid, else the end of its
 * id (ids are time-ordered, so their starts are alike). */
export function orderName(order: { id: string; invoice_number: number | null }): string {
  return order.invoice_number ? `INV-${String(order.invoice_number).padStart(6, "0")}` : `…${order.id.slice(-8)}`;
}

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " UTC" : "—";
}
