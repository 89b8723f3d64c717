import { money, ok } from "../../common/api";
import { Link, navigate } from "../../common/router";
import { Loading, Pager, Select, Status, usePages } from "../../common/ui";
import { href, type ScreenProps } from "../main";

export function Products({ session, query }: ScreenProps) {
  const status = (query.get("status") ?? "active") as "active" | "draft" | "archived";
  const list = usePages((cursor) => ok(session.api.GET("/products", { params: { query: { status, cursor, limit: 25 } } })), [status]);
  return (
    <section>
      <div class="heading">
        <h1>Products</h1>
        <Link class="btn primary" href={href("/products/new")}>
          New product
        </Link>
      </div>
      <div class="filters">
        <Select
          label="Status"
          name="status"
          value={status}
          onValue={(v) => navigate(href("/products") + "?status=" + v)}
          options={["active", "draft", "archived"]}
        />
      </div>
      {!list.items ? (
        <Loading error={list.error} />
      ) : list.items.length === 0 ? (
        <p class="muted">No {status} products.</p>
      ) : (
        <table class="list" aria-label="Products">
          <thead>
            <tr>
              <th scope="col">
                <span class="visually-hidden">Image</span>
              </th>
              <th scope="col">Name</th>
              <th scope="col">Variants</th>
              <th scope="col" class="num">
                Stock
              </th>
              <th scope="col" class="num">
                Price
              </th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((p) => {
              const live = p.variants.filter((v) => !v.archived);
              const thumb = p.images[0]?.thumbnails[0];
              return (
                <tr key={p.id}>
                  <td class="thumb">{thumb ? <img src={thumb.url} alt="" width={40} height={40} /> : null}</td>
                  <td>
                    <Link href={href(`/products/${p.id}`)}>{p.name}</Link>
                    {p.category && <small class="muted"> {p.category}</small>}
                  </td>
                  <td>{p.options.length ? live.length : <code>{live[0]?.sku}</code>}</td>
                  <td class="num">
                    {live.reduce((n, v) => n + v.stock, 0)}
                    {live.some((v) => v.low_stock) && <span class="status s-low stock-flag">low</span>}
                  </td>
                  <td class="num">{money(p.price.amount, p.price.currency)}</td>
                  <td>
                    <Status value={p.status} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <Pager page={list.page} next={list.next} previous={list.previous} />
    </section>
  );
}
