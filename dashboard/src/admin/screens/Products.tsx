import { useState } from "preact/hooks";
import { money, ok } from "../../common/api";
import { Link, navigate } from "../../common/router";
import { Input, Loading, Pager, Select, Status, usePages } from "../../common/ui";
import { href, type ScreenProps } from "../main";

type ProductStatus = "active" | "draft" | "archived";

/** The catalog by status, or what a search finds (`?q=`: drafts too unless a status is chosen). */
export function Products({ session, query }: ScreenProps) {
  const q = query.get("q") ?? "";
  const chosen = query.get("status") as ProductStatus | null;
  const [draft, setDraft] = useState(q);
  const show = (changes: { q?: string; status?: string }) => {
    const next = new URLSearchParams(Object.entries({ q, status: chosen ?? "", ...changes }).filter(([, v]) => v)).toString();
    navigate(href("/products") + (next ? "?" + next : ""));
  };
  return (
    <section>
      <div class="heading">
        <h1>Products</h1>
        <Link class="btn primary" href={href("/products/new")}>
          New product
        </Link>
      </div>
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          show({ q: draft.trim() });
        }}
      >
        <Input label="Search" name="q" type="search" value={draft} onValue={setDraft} hint="name, SKU, category or words" />
        <button class="btn secondary" type="submit">
          Search
        </button>
        <Select
          label="Status"
          name="status"
          value={chosen ?? (q ? "" : "active")}
          onValue={(status) => show({ status })}
          options={q ? [["", "active and draft"], "active", "draft", "archived"] : ["active", "draft", "archived"]}
        />
      </form>
      {q ? <Found session={session} q={q} status={chosen ?? undefined} /> : <Listed session={session} status={chosen ?? "active"} />}
    </section>
  );
}

function Listed({ session, status }: Pick<ScreenProps, "session"> & { status: ProductStatus }) {
  const list = usePages((cursor) => ok(session.api.GET("/products", { params: { query: { status, cursor, limit: 25 } } })), [status]);
  return (
    <>
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
    </>
  );
}

/** Search hits, most relevant first: what the index holds, not the whole product. */
function Found({ session, q, status }: Pick<ScreenProps, "session"> & { q: string; status?: ProductStatus }) {
  const list = usePages((cursor) => ok(session.api.GET("/search/products", { params: { query: { q, status, cursor, limit: 25 } } })), [q, status]);
  return (
    <>
      {!list.items ? (
        <Loading error={list.error} />
      ) : list.items.length === 0 ? (
        <p class="muted">Nothing matches “{q}”.</p>
      ) : (
        <table class="list" aria-label="Products found">
          <thead>
            <tr>
              <th scope="col">
                <span class="visually-hidden">Image</span>
              </th>
              <th scope="col">Name</th>
              <th scope="col">SKUs</th>
              <th scope="col" class="num">
                Price
              </th>
              <th scope="col">Stock</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((p) => (
              <tr key={p.id}>
                <td class="thumb">{p.thumbnail_url ? <img src={p.thumbnail_url} alt="" width={40} height={40} /> : null}</td>
                <td>
                  <Link href={href(`/products/${p.id}`)}>{p.name}</Link>
                  {p.category && <small class="muted"> {p.category}</small>}
                </td>
                <td>
                  {p.skus.slice(0, 3).map((sku) => (
                    <code key={sku}>{sku} </code>
                  ))}
                  {p.skus.length > 3 && <small class="muted">+{p.skus.length - 3}</small>}
                </td>
                <td class="num">
                  {money(p.price.amount, p.price.currency)}
                  {p.price_max.amount !== p.price.amount && <> – {money(p.price_max.amount, p.price_max.currency)}</>}
                </td>
                <td>{p.in_stock ? "in stock" : <span class="status s-low">sold out</span>}</td>
                <td>
                  <Status value={p.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager page={list.page} next={list.next} previous={list.previous} />
    </>
  );
}
