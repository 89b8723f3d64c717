import { useState } from "preact/hooks";
import { ApiProblem, type Schemas, majorUnits, minorUnits, money, ok, etag } from "../../common/api";
import { Link, navigate } from "../../common/router";
import { Banner, Button, Input, Loading, Notice, Select, useAction, useLoad } from "../../common/ui";
import { href, type ScreenProps } from "../main";
import { uploadImage } from "../upload";

type Product = Schemas["ProductView"];
type Currency = Schemas["MoneyInput"]["currency"];
const CURRENCIES: Currency[] = ["EUR", "USD", "GBP", "CHF", "SEK", "DKK", "NOK", "PLN", "CAD", "AUD", "JPY"];

interface VariantDraft {
  options: Record<string, string>;
  sku: string;
  stock: string;
  price: string;
  weight_grams: string;
}

interface Draft {
  name: string;
  description: string;
  category: string;
  status: Schemas["ProductStatus"];
  tax_category: Schemas["TaxCategory"];
  price: string;
  currency: Currency;
  options: { name: string; values: string }[];
  variants: VariantDraft[];
}

function blank(): Draft {
  return {
    name: "",
    description: "",
    category: "",
    // As the API: a new product is a draft until someone puts it on sale.
    status: "draft",
    tax_category: "standard",
    price: "",
    currency: "EUR",
    options: [],
    variants: [{ options: {}, sku: "", stock: "0", price: "", weight_grams: "0" }],
  };
}

function fromProduct(p: Product): Draft {
  return {
    name: p.name,
    description: p.description,
    category: p.category ?? "",
    status: p.status as Schemas["ProductStatus"],
    tax_category: p.tax_category,
    price: majorUnits(p.price.amount, p.price.currency),
    currency: p.price.currency,
    options: p.options.map((o) => ({ name: o.name, values: o.values.join(", ") })),
    variants: [],
  };
}

const values = (text: string) =>
  text
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);

/** Every combination of the options' values, keeping what was typed for ones already there. */
function combinations(draft: Draft): VariantDraft[] {
  let combos: Record<string, string>[] = [{}];
  for (const o of draft.options.filter((o) => o.name.trim())) {
    combos = combos.flatMap((c) => values(o.values).map((v) => ({ ...c, [o.name.trim()]: v })));
  }
  return combos.map((options) => {
    const same = draft.variants.find((v) => JSON.stringify(v.options) === JSON.stringify(options));
    const sku = Object.values(options)
      .join("-")
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, "-");
    return same ?? { options, sku, stock: "0", price: "", weight_grams: "0" };
  });
}

/** Creates a product (`/products/new`) or edits one: its fields, options,
 * variants with stock, and images. */
export function ProductEdit({ session, params }: ScreenProps) {
  const id = params.id;
  const loaded = useLoad(() => (id ? ok(session.api.GET("/products/{id}", { params: { path: { id } } })) : Promise.resolve(null)), [id]);
  if (id && !loaded.value) return <Loading error={loaded.error} />;
  return loaded.value ? <Edit session={session} product={loaded.value} onSaved={loaded.setValue} /> : <Create session={session} />;
}

function ProductFields({
  draft,
  set,
  errors,
  fixedCurrency,
}: {
  draft: Draft;
  set: (d: Draft) => void;
  errors: Record<string, string>;
  fixedCurrency?: boolean;
}) {
  return (
    <fieldset>
      <legend>Product</legend>
      <Input label="Name" name="name" value={draft.name} onValue={(name) => set({ ...draft, name })} errors={errors} required />
      <div class="field">
        <label for="description">Description</label>
        <textarea
          id="description"
          name="description"
          rows={3}
          value={draft.description}
          onInput={(e) => set({ ...draft, description: (e.target as HTMLTextAreaElement).value })}
        />
      </div>
      <div class="row">
        <Input
          label="Category"
          name="category"
          value={draft.category}
          onValue={(category) => set({ ...draft, category })}
          errors={errors}
          hint="a-z, 0-9 and -"
        />
        <Select
          label="Status"
          name="status"
          value={draft.status}
          onValue={(status) => set({ ...draft, status: status as Draft["status"] })}
          options={["draft", "active", "archived"]}
          errors={errors}
        />
        <Select
          label="Tax category"
          name="tax_category"
          value={draft.tax_category}
          onValue={(t) => set({ ...draft, tax_category: t as Draft["tax_category"] })}
          options={["standard", "reduced", "zero"]}
          errors={errors}
        />
      </div>
      <div class="row">
        <Input
          label="Price"
          name="price.amount"
          inputMode="decimal"
          value={draft.price}
          onValue={(price) => set({ ...draft, price })}
          errors={errors}
          required
        />
        {fixedCurrency ? (
          <p class="field">
            <span class="label">Currency</span> {draft.currency}
          </p>
        ) : (
          <Select
            label="Currency"
            name="price.currency"
            value={draft.currency}
            onValue={(c) => set({ ...draft, currency: c as Currency })}
            options={CURRENCIES}
            errors={errors}
          />
        )}
      </div>
    </fieldset>
  );
}

function Create({ session }: { session: ScreenProps["session"] }) {
  const [draft, set] = useState(blank);
  const action = useAction();
  document.title = "New product · Tillbox";
  const submit = async (e: Event) => {
    e.preventDefault();
    const product = await action.run(async () => {
      const price = minorUnits(draft.price, draft.currency);
      if (price === null) throw fieldProblem("price.amount", `a number of ${draft.currency}, like 24.90`);
      const options = draft.options.filter((o) => o.name.trim()).map((o) => ({ name: o.name.trim(), values: values(o.values) }));
      const variants = draft.variants.map((v, i) => {
        const own = v.price.trim() ? minorUnits(v.price, draft.currency) : null;
        if (v.price.trim() && own === null) throw fieldProblem(`variants.${i}.price.amount`, `a number of ${draft.currency}`);
        return {
          options: v.options,
          sku: v.sku,
          stock: Number(v.stock || 0),
          weight_grams: Number(v.weight_grams || 0),
          price: own === null ? null : { amount: own, currency: draft.currency },
          low_stock_threshold: 5,
          max_per_order: 10,
        };
      });
      const common = {
        name: draft.name,
        description: draft.description,
        category: draft.category || null,
        status: draft.status,
        tax_category: draft.tax_category,
        price: { amount: price, currency: draft.currency },
      };
      const body: Schemas["NewProduct"] = options.length
        ? { ...common, options, variants, max_per_order: null }
        : { ...common, sku: variants[0].sku, stock: variants[0].stock, max_per_order: 10 };
      return ok(session.api.POST("/products", { body }));
    });
    if (product) navigate(href(`/products/${product.id}`), true);
  };
  // Errors of a product sold one way name `sku`/`stock`; show them on its only row.
  const errors = { ...action.fields };
  for (const name of ["sku", "stock"]) if (errors[name]) errors[`variants.0.${name}`] = errors[name];
  return (
    <form onSubmit={submit} aria-label="New product">
      <p>
        <Link href={href("/products")}>← Products</Link>
      </p>
      <h1>New product</h1>
      <Banner error={action.error} />
      <ProductFields draft={draft} set={set} errors={errors} />
      <fieldset>
        <legend>Options</legend>
        <p class="muted">Leave empty for a product sold one way. Up to 3 options (size, colour…).</p>
        {draft.options.map((o, i) => (
          <div class="row" key={i}>
            <Input
              label={`Option ${i + 1}`}
              name={`options.${i}.name`}
              value={o.name}
              onValue={(name) => set({ ...draft, options: draft.options.map((x, j) => (j === i ? { ...x, name } : x)) })}
              errors={errors}
            />
            <Input
              label="Values, comma separated"
              name={`options.${i}.values`}
              value={o.values}
              onValue={(v) => set({ ...draft, options: draft.options.map((x, j) => (j === i ? { ...x, values: v } : x)) })}
              errors={errors}
            />
            <Button kind="secondary" type="button" onClick={() => set({ ...draft, options: draft.options.filter((_, j) => j !== i) })}>
              Remove option {i + 1}
            </Button>
          </div>
        ))}
        <div class="row">
          {draft.options.length < 3 && (
            <Button kind="secondary" type="button" onClick={() => set({ ...draft, options: [...draft.options, { name: "", values: "" }] })}>
              Add option
            </Button>
          )}
          {draft.options.length > 0 && (
            <Button kind="secondary" type="button" onClick={() => set({ ...draft, variants: combinations(draft) })}>
              Make variants from options
            </Button>
          )}
        </div>
      </fieldset>
      <fieldset>
        <legend>{draft.options.length ? "Variants" : "Stock"}</legend>
        <VariantRows draft={draft} set={set} errors={errors} />
      </fieldset>
      <Button type="submit" busy={action.busy}>
        Create product
      </Button>
    </form>
  );
}

function fieldProblem(field: string, message: string) {
  return new ApiProblem({
    type: "about:blank",
    code: "validation_failed",
    title: "Unprocessable Entity",
    status: 422,
    detail: `${field}: ${message}`,
    field,
    errors: [{ field, message }],
  });
}

function VariantRows({ draft, set, errors }: { draft: Draft; set: (d: Draft) => void; errors: Record<string, string> }) {
  const change = (i: number, patch: Partial<VariantDraft>) => set({ ...draft, variants: draft.variants.map((v, j) => (j === i ? { ...v, ...patch } : v)) });
  return (
    <div class="variants">
      {draft.variants.map((v, i) => (
        <div class="row variant" key={i}>
          {Object.keys(v.options).length > 0 && <strong class="variant-name">{Object.values(v.options).join(" / ")}</strong>}
          <Input label="SKU" name={`variants.${i}.sku`} value={v.sku} onValue={(sku) => change(i, { sku })} errors={errors} required />
          <Input label="Stock" name={`variants.${i}.stock`} type="number" min={0} value={v.stock} onValue={(stock) => change(i, { stock })} errors={errors} />
          {draft.options.length > 0 && (
            <Input
              label="Own price"
              name={`variants.${i}.price.amount`}
              inputMode="decimal"
              value={v.price}
              onValue={(price) => change(i, { price })}
              errors={errors}
              hint="empty: the product's"
            />
          )}
          <Input
            label="Weight (g)"
            name={`variants.${i}.weight_grams`}
            type="number"
            min={0}
            value={v.weight_grams}
            onValue={(weight_grams) => change(i, { weight_grams })}
            errors={errors}
          />
          {draft.variants.length > 1 && (
            <Button kind="secondary" type="button" onClick={() => set({ ...draft, variants: draft.variants.filter((_, j) => j !== i) })}>
              Remove
            </Button>
          )}
        </div>
      ))}
    </div>
  );
}

function Edit({ session, product, onSaved }: { session: ScreenProps["session"]; product: Product; onSaved: (p: Product) => void }) {
  const [draft, set] = useState(() => fromProduct(product));
  const action = useAction();
  const [saved, setSaved] = useState(false);
  document.title = `${product.name} · Tillbox`;
  const save = async (e: Event) => {
    e.preventDefault();
    setSaved(false);
    const next = await action.run(async () => {
      const price = minorUnits(draft.price, draft.currency);
      if (price === null) throw fieldProblem("price.amount", `a number of ${draft.currency}`);
      const body: Schemas["ProductChanges"] = {
        name: draft.name,
        description: draft.description,
        category: draft.category || null,
        status: draft.status,
        tax_category: draft.tax_category,
        price: { amount: price, currency: draft.currency },
        options: product.options.length ? draft.options.map((o) => ({ name: o.name.trim(), values: values(o.values) })) : undefined,
      };
      return ok(session.api.PATCH("/products/{id}", { params: { path: { id: product.id }, header: { "If-Match": etag(product.version) } }, body }));
    });
    if (next) {
      onSaved(next);
      setSaved(true);
    }
  };
  return (
    <section>
      <p>
        <Link href={href("/products")}>← Products</Link>
      </p>
      <h1>{product.name}</h1>
      <form onSubmit={save} aria-label="Product">
        {saved && <Notice>Saved.</Notice>}
        <Banner error={action.error} />
        <ProductFields draft={draft} set={set} errors={action.fields} fixedCurrency />
        {product.options.length > 0 && (
          <fieldset>
            <legend>Options</legend>
            {draft.options.map((o, i) => (
              <Input
                key={i}
                label={o.name}
                name={`options.${i}.values`}
                value={o.values}
                onValue={(v) => set({ ...draft, options: draft.options.map((x, j) => (j === i ? { ...x, values: v } : x)) })}
                errors={action.fields}
                hint="values, comma separated"
              />
            ))}
          </fieldset>
        )}
        <Button type="submit" busy={action.busy}>
          Save product
        </Button>
      </form>
      <Variants session={session} product={product} onSaved={onSaved} />
      <Images session={session} product={product} onSaved={onSaved} />
    </section>
  );
}

function Variants({ session, product, onSaved }: { session: ScreenProps["session"]; product: Product; onSaved: (p: Product) => void }) {
  const action = useAction();
  const [edits, setEdits] = useState<Record<string, { stock: string; price: string }>>({});
  const [adding, setAdding] = useState<VariantDraft | null>(null);
  const path = (variant_id: string) => ({ params: { path: { id: product.id, variant_id }, header: { "If-Match": etag(product.version) } } });
  const currency = product.price.currency;
  const saveRow = (v: Schemas["VariantView"]) =>
    action.run(async () => {
      const e = edits[v.id];
      const price = e.price.trim() ? minorUnits(e.price, currency) : null;
      if (e.price.trim() && price === null) throw fieldProblem("price.amount", `a number of ${currency}`);
      if (!/^\d+$/.test(e.stock.trim())) throw fieldProblem("stock", "a whole number, 0 or more");
      const next = await ok(
        session.api.PATCH("/products/{id}/variants/{variant_id}", {
          ...path(v.id),
          body: { stock: Number(e.stock), price: price === null ? null : { amount: price, currency } },
        }),
      );
      setEdits(({ [v.id]: _, ...rest }) => rest);
      onSaved(next);
    });
  return (
    <section aria-labelledby="variants-heading">
      <h2 id="variants-heading">Variants and stock</h2>
      <Banner error={action.error} />
      <table class="list" aria-label="Variants">
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col">SKU</th>
            <th scope="col">Stock</th>
            <th scope="col">Price</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {product.variants.map((v) => {
            const e = edits[v.id];
            const label = Object.values(v.options).join(" / ") || "(only variant)";
            return (
              <tr key={v.id} class={v.archived ? "archived" : ""}>
                <td>
                  {label} {v.archived && <span class="status">archived</span>}
                  {v.low_stock && !v.archived && <span class="status s-low">low stock</span>}
                </td>
                <td>
                  <code>{v.sku}</code>
                </td>
                <td>
                  {e ? (
                    <input
                      aria-label={`Stock of ${label}`}
                      type="number"
                      min={0}
                      value={e.stock}
                      onInput={(x) => setEdits({ ...edits, [v.id]: { ...e, stock: (x.target as HTMLInputElement).value } })}
                    />
                  ) : (
                    v.stock
                  )}
                </td>
                <td>
                  {e ? (
                    <input
                      aria-label={`Own price of ${label} (empty: the product's)`}
                      inputMode="decimal"
                      value={e.price}
                      onInput={(x) => setEdits({ ...edits, [v.id]: { ...e, price: (x.target as HTMLInputElement).value } })}
                    />
                  ) : (
                    money(v.price.amount, v.price.currency)
                  )}
                </td>
                <td>
                  <div class="row">
                    {!v.archived &&
                      (e ? (
                        <Button busy={action.busy} onClick={() => saveRow(v)}>
                          Save {label}
                        </Button>
                      ) : (
                        <Button
                          kind="secondary"
                          onClick={() =>
                            setEdits({ ...edits, [v.id]: { stock: String(v.stock), price: v.price_override ? majorUnits(v.price.amount, currency) : "" } })
                          }
                        >
                          Edit {label}
                        </Button>
                      ))}
                    {!v.archived && product.options.length > 0 && (
                      <Button
                        kind="danger"
                        busy={action.busy}
                        onClick={() => action.run(async () => onSaved(await ok(session.api.DELETE("/products/{id}/variants/{variant_id}", path(v.id)))))}
                      >
                        Archive {label}
                      </Button>
                    )}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {product.options.length > 0 &&
        (adding ? (
          <form
            aria-label="New variant"
            onSubmit={(e) => {
              e.preventDefault();
              action.run(async () => {
                const price = adding.price.trim() ? minorUnits(adding.price, currency) : null;
                if (adding.price.trim() && price === null) throw fieldProblem("price.amount", `a number of ${currency}`);
                if (!/^\d+$/.test(adding.stock.trim())) throw fieldProblem("stock", "a whole number, 0 or more");
                const next = await ok(
                  session.api.POST("/products/{id}/variants", {
                    params: { path: { id: product.id }, header: { "If-Match": etag(product.version) } },
                    body: {
                      options: adding.options,
                      sku: adding.sku,
                      stock: Number(adding.stock || 0),
                      weight_grams: Number(adding.weight_grams || 0),
                      price: price === null ? null : { amount: price, currency },
                      low_stock_threshold: 5,
                      max_per_order: 10,
                    },
                  }),
                );
                setAdding(null);
                onSaved(next);
              });
            }}
          >
            <div class="row">
              {product.options.map((o) => (
                <Select
                  key={o.name}
                  label={o.name}
                  name={`options.${o.name}`}
                  value={adding.options[o.name] ?? ""}
                  onValue={(val) => setAdding({ ...adding, options: { ...adding.options, [o.name]: val } })}
                  options={["", ...o.values]}
                  errors={action.fields}
                />
              ))}
              <Input label="SKU" name="sku" value={adding.sku} onValue={(sku) => setAdding({ ...adding, sku })} errors={action.fields} required />
              <Input
                label="Stock"
                name="stock"
                type="number"
                min={0}
                value={adding.stock}
                onValue={(stock) => setAdding({ ...adding, stock })}
                errors={action.fields}
              />
              <Input
                label="Own price"
                name="price.amount"
                inputMode="decimal"
                value={adding.price}
                onValue={(price) => setAdding({ ...adding, price })}
                errors={action.fields}
              />
            </div>
            <Button type="submit" busy={action.busy}>
              Add variant
            </Button>
          </form>
        ) : (
          <Button kind="secondary" onClick={() => setAdding({ options: {}, sku: "", stock: "0", price: "", weight_grams: "0" })}>
            New variant
          </Button>
        ))}
    </section>
  );
}

function Images({ session, product, onSaved }: { session: ScreenProps["session"]; product: Product; onSaved: (p: Product) => void }) {
  const action = useAction();
  const [progress, setProgress] = useState<{ name: string; sent: number; stage: string } | null>(null);
  const upload = (file: File) =>
    action.run(async () => {
      setProgress({ name: file.name, sent: 0, stage: "Uploading" });
      try {
        const next = await uploadImage(session, product, file, (sent, stage) => setProgress({ name: file.name, sent, stage }));
        onSaved(next);
      } finally {
        setProgress(null);
      }
    });
  return (
    <section aria-labelledby="images-heading">
      <h2 id="images-heading">Images</h2>
      <Banner error={action.error} />
      <ul class="images">
        {product.images.map((img, i) => (
          <li key={img.id}>
            <img src={(img.thumbnails[0] ?? img).url} alt={`${product.name}, image ${i + 1}`} width={120} height={120} />
          </li>
        ))}
      </ul>
      {progress && (
        <div role="status" class="upload">
          <label for="upload-progress">
            {progress.stage} {progress.name}
          </label>
          <progress id="upload-progress" max={100} value={progress.sent} />
        </div>
      )}
      <div class="field">
        <label for="image-file">Add an image (JPEG, PNG or WebP)</label>
        <input
          id="image-file"
          type="file"
          accept="image/jpeg,image/png,image/webp"
          disabled={action.busy}
          onChange={(e) => {
            const input = e.target as HTMLInputElement;
            const file = input.files?.[0];
            if (file) upload(file).then(() => (input.value = ""));
          }}
        />
      </div>
    </section>
  );
}
