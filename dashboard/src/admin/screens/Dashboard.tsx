import { useState } from "preact/hooks";
import { type Schemas, money, ok } from "../../common/api";
import { Link } from "../../common/router";
import { Loading, Select, useLoad } from "../../common/ui";
import { href, type ScreenProps } from "../main";

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** Revenue and orders per day, and the best sellers, from `/admin/stats`. */
export function Dashboard({ session }: ScreenProps) {
  const [days, setDays] = useState("30");
  const stats = useLoad(() => {
    const to = new Date();
    const from = new Date(to.getTime() - (Number(days) - 1) * 86_400_000);
    return ok(session.api.GET("/admin/stats", { params: { query: { from: isoDay(from), to: isoDay(to) } } }));
  }, [days]);
  return (
    <section>
      <div class="heading">
        <h1>Dashboard</h1>
        <Select
          label="Period"
          name="days"
          value={days}
          onValue={setDays}
          options={[
            ["7", "Last 7 days"],
            ["30", "Last 30 days"],
            ["90", "Last 90 days"],
          ]}
        />
      </div>
      {stats.value ? <Stats stats={stats.value} /> : <Loading error={stats.error} />}
    </section>
  );
}

function Stats({ stats }: { stats: Schemas["StatsView"] }) {
  const currencies = Object.keys(stats.totals.currencies).sort();
  const [currency, setCurrency] = useState(currencies[0] ?? "");
  const totals = stats.totals.currencies[currency];
  return (
    <>
      <dl class="cards">
        <div>
          <dt>Orders paid</dt>
          <dd data-stat="orders_paid">{stats.totals.orders_paid}</dd>
        </div>
        <div>
          <dt>Orders placed</dt>
          <dd data-stat="orders_placed">{stats.totals.orders_placed}</dd>
        </div>
        <div>
          <dt>Revenue {currency}</dt>
          <dd data-stat="revenue">{money(totals?.revenue ?? 0, currency || "EUR")}</dd>
        </div>
        <div>
          <dt>Refunded</dt>
          <dd data-stat="refunded">{money(totals?.refunded ?? 0, currency || "EUR")}</dd>
        </div>
        <div>
          <dt>Net (after refunds)</dt>
          <dd data-stat="net">{money(totals?.net ?? 0, currency || "EUR")}</dd>
        </div>
      </dl>
      {currencies.length > 1 && <Select label="Currency" name="currency" value={currency} onValue={setCurrency} options={currencies} />}
      <div class="columns">
        <Chart
          title={`Revenue per day (${currency || "no sales yet"})`}
          days={stats.days}
          value={(d) => d.currencies[currency]?.revenue ?? 0}
          format={(v) => money(v, currency || "EUR")}
        />
        <Chart title="Orders paid per day" days={stats.days} value={(d) => d.orders_paid} format={String} />
      </div>
      <h2>Best sellers</h2>
      {(() => {
        const top = stats.top_products.find((t) => t.currency === currency);
        if (!top || top.by_revenue.length === 0) return <p class="muted">Nothing sold in this period.</p>;
        return (
          <table class="list" aria-label="Best sellers">
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col" class="num">
                  Units
                </th>
                <th scope="col" class="num">
                  Revenue
                </th>
              </tr>
            </thead>
            <tbody>
              {top.by_revenue.map((p) => (
                <tr key={p.product_id}>
                  <td>
                    <Link href={href(`/products/${p.product_id}`)}>{p.name}</Link>
                  </td>
                  <td class="num">{p.units}</td>
                  <td class="num">{money(p.revenue, currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        );
      })()}
    </>
  );
}

/** A bar per day, drawn as SVG (no chart library: it would triple the bundle).
 * The numbers are also in a table for screen readers. */
function Chart({
  title,
  days,
  value,
  format,
}: {
  title: string;
  days: Schemas["DayView"][];
  value: (d: Schemas["DayView"]) => number;
  format: (v: number) => string;
}) {
  const values = days.map(value);
  const max = Math.max(1, ...values);
  const width = 600;
  const height = 160;
  const bar = width / Math.max(1, days.length);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height + 20}`} role="img" aria-label={`${title}: ${format(values.reduce((a, b) => a + b, 0))} in ${days.length} days`}>
        <line x1={0} y1={height} x2={width} y2={height} class="axis" />
        {days.map((d, i) => {
          const h = (values[i] / max) * (height - 10);
          return (
            <rect key={d.date} x={i * bar + 1} y={height - h} width={Math.max(1, bar - 2)} height={h} class="bar">
              <title>
                {d.date}: {format(values[i])}
              </title>
            </rect>
          );
        })}
        <text x={0} y={height + 16} class="tick">
          {days[0]?.date}
        </text>
        <text x={width} y={height + 16} class="tick end">
          {days[days.length - 1]?.date}
        </text>
        <text x={4} y={12} class="tick">
          {format(max)}
        </text>
      </svg>
    </figure>
  );
}
