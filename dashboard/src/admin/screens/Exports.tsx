import { useEffect, useState } from "preact/hooks";
import { type Schemas, idempotencyKey, ok, safeUrl, when } from "../../common/api";
import { Banner, Button, Input, Select, useAction } from "../../common/ui";
import type { ScreenProps } from "../main";

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** Starts an orders CSV export and follows it to its download link. The API
 * keeps no list of exports, so the page shows the ones started here (and says so). */
export function Exports({ session }: ScreenProps) {
  const [form, set] = useState({ from: day(-30), to: day(1), status: "" });
  const [exports, setExports] = useState<Schemas["ExportView"][]>([]);
  const action = useAction();
  const running = exports.filter((e) => !e.completed_at && !e.failure);
  useEffect(() => {
    if (running.length === 0) return;
    const timer = setTimeout(async () => {
      const fresh = await Promise.all(running.map((e) => ok(session.api.GET("/admin/exports/{id}", { params: { path: { id: e.id } } }))));
      setExports((all) => all.map((e) => fresh.find((f) => f.id === e.id) ?? e));
    }, 1000);
    return () => clearTimeout(timer);
  }, [exports]);
  return (
    <section>
      <h1>Exports</h1>
      <form
        aria-label="New export"
        onSubmit={async (e) => {
          e.preventDefault();
          const started = await action.run(() =>
            ok(
              session.api.POST("/admin/exports/orders", {
                params: { header: { "Idempotency-Key": idempotencyKey() } },
                body: { from: `${form.from}T00:00:00Z`, to: `${form.to}T00:00:00Z`, status: form.status || null },
              }),
            ),
          );
          if (started) setExports([started, ...exports]);
        }}
      >
        <div class="row">
          <Input label="Orders placed from (UTC)" name="from" type="date" value={form.from} onValue={(from) => set({ ...form, from })} errors={action.fields} />
          <Input label="Before (UTC)" name="to" type="date" value={form.to} onValue={(to) => set({ ...form, to })} errors={action.fields} />
          <Select
            label="Status"
            name="status"
            value={form.status}
            onValue={(status) => set({ ...form, status })}
            options={[["", "any"], "paid", "fulfilled", "refunded", "partially_refunded", "cancelled", "pending_payment"]}
            errors={action.fields}
          />
        </div>
        <Banner error={action.error} />
        <Button type="submit" busy={action.busy}>
          Export orders as CSV
        </Button>
      </form>
      <p class="muted">Exports started on this page are listed here until you leave it; each download link works for 10 minutes.</p>
      {exports.length > 0 && (
        <table class="list" aria-label="Exports">
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Range</th>
              <th scope="col">Progress</th>
              <th scope="col">File</th>
            </tr>
          </thead>
          <tbody>
            {exports.map((e) => (
              <tr key={e.id}>
                <td>{when(e.created_at)}</td>
                <td>
                  {e.from.slice(0, 10)} → {e.to.slice(0, 10)} {e.order_status?.replace(/_/g, " ") ?? ""}
                </td>
                <td role="status">
                  {e.failure ? `failed: ${e.failure}` : e.completed_at ? `${e.rows} rows from ${e.orders} orders` : `${e.status}: ${e.orders} orders so far…`}
                </td>
                <td>
                  {e.download && safeUrl(e.download.url) ? (
                    <a href={safeUrl(e.download.url)!} download>
                      Download CSV <small class="muted">(link works until {when(e.download.expires_at)})</small>
                    </a>
                  ) : (
                    "—"
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
