import { useState } from "preact/hooks";
import { type Schemas, majorUnits, minorUnits, ok } from "../../common/api";
import { Banner, Button, Checkbox, Input, Loading, Notice, Select, useAction, useLoad } from "../../common/ui";
import type { ScreenProps } from "../main";

/** A document read with its version, to be written back with `If-Match`. */
async function versioned<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>) {
  const reply = await call;
  return { value: await ok(Promise.resolve(reply)), etag: reply.response.headers.get("etag") ?? "" };
}

export function Settings({ session }: ScreenProps) {
  return (
    <section>
      <h1>Shipping &amp; tax</h1>
      <Zones session={session} />
      <Taxes session={session} />
    </section>
  );
}

interface MethodDraft {
  id?: string | null;
  name: string;
  currency: string;
  flat: string;
  tiers: string;
  free_from: string;
  days: string;
}

interface ZoneDraft {
  id?: string | null;
  name: string;
  countries: string;
  methods: MethodDraft[];
}

function zoneDrafts(body: Schemas["ShippingZonesBody"]): ZoneDraft[] {
  return body.zones.map((z) => ({
    id: z.id,
    name: z.name,
    countries: z.countries.join(", "),
    methods: (z.methods ?? []).map((m) => ({
      id: m.id,
      name: m.name,
      currency: m.currency,
      flat: m.flat_amount != null ? majorUnits(m.flat_amount, m.currency) : "",
      tiers: (m.weight_tiers ?? []).map((t) => `${t.up_to_grams}:${majorUnits(t.amount, m.currency)}`).join(", "),
      free_from: m.free_from != null ? majorUnits(m.free_from, m.currency) : "",
      days: m.delivery_days?.join("-") ?? "",
    })),
  }));
}

function zoneBody(zones: ZoneDraft[]): Schemas["ShippingZonesBody"] {
  // Amounts that do not parse are sent as -1 so the API names the field.
  const amount = (text: string, currency: string) => minorUnits(text, currency) ?? -1;
  return {
    zones: zones.map((z) => ({
      id: z.id ?? undefined,
      name: z.name,
      countries: z.countries
        .split(/[\s,]+/)
        .filter(Boolean)
        .map((c) => c.toUpperCase()),
      methods: z.methods.map((m) => ({
        id: m.id ?? undefined,
        name: m.name,
        currency: m.currency.toUpperCase(),
        flat_amount: m.tiers.trim() ? null : amount(m.flat, m.currency),
        weight_tiers: m.tiers.trim()
          ? m.tiers.split(",").map((t) => {
              const [grams, price] = t.split(":");
              return { up_to_grams: Number(grams), amount: amount(price ?? "", m.currency) };
            })
          : null,
        free_from: m.free_from.trim() ? amount(m.free_from, m.currency) : null,
        delivery_days: m.days.trim() ? m.days.split("-").map(Number) : null,
      })),
    })),
  };
}

function Zones({ session }: { session: ScreenProps["session"] }) {
  const loaded = useLoad(() => versioned(session.api.GET("/shipping-zones")));
  const [zones, setZones] = useState<ZoneDraft[] | null>(null);
  const action = useAction();
  const [saved, setSaved] = useState(false);
  if (!loaded.value) return <Loading error={loaded.error} />;
  const current = zones ?? zoneDrafts(loaded.value.value);
  const f = action.fields;
  const setZone = (i: number, z: Partial<ZoneDraft>) => setZones(current.map((x, j) => (j === i ? { ...x, ...z } : x)));
  const setMethod = (i: number, k: number, m: Partial<MethodDraft>) =>
    setZone(i, { methods: current[i].methods.map((x, j) => (j === k ? { ...x, ...m } : x)) });
  return (
    <form
      aria-label="Shipping zones"
      onSubmit={async (e) => {
        e.preventDefault();
        setSaved(false);
        const next = await action.run(() =>
          versioned(session.api.PUT("/shipping-zones", { params: { header: { "If-Match": loaded.value!.etag } }, body: zoneBody(current) })),
        );
        if (next) {
          loaded.setValue(next);
          setZones(null);
          setSaved(true);
        }
      }}
    >
      <h2>Shipping zones</h2>
      <p class="muted">
        Each country in at most one zone. A method costs a flat amount, or by weight with tiers written <code>grams:price</code> (lightest first).
      </p>
      {saved && <Notice>Shipping zones saved.</Notice>}
      <Banner error={action.error} />
      {current.map((z, i) => (
        <fieldset key={i}>
          <legend>Zone {z.name || i + 1}</legend>
          <div class="row">
            <Input label="Zone name" name={`zones.${i}.name`} value={z.name} onValue={(name) => setZone(i, { name })} errors={f} required />
            <Input
              label="Countries (ISO codes)"
              name={`zones.${i}.countries`}
              value={z.countries}
              onValue={(countries) => setZone(i, { countries })}
              errors={f}
              hint="DE, AT, FR"
            />
            <Button kind="danger" type="button" onClick={() => setZones(current.filter((_, j) => j !== i))}>
              Remove zone {z.name}
            </Button>
          </div>
          {z.methods.map((m, k) => (
            <div class="row method" key={k}>
              <Input label="Method" name={`zones.${i}.methods.${k}.name`} value={m.name} onValue={(name) => setMethod(i, k, { name })} errors={f} required />
              <Input
                label="Currency"
                name={`zones.${i}.methods.${k}.currency`}
                value={m.currency}
                onValue={(currency) => setMethod(i, k, { currency })}
                errors={f}
                size={4}
              />
              <Input
                label="Flat price"
                name={`zones.${i}.methods.${k}.flat_amount`}
                inputMode="decimal"
                value={m.flat}
                onValue={(flat) => setMethod(i, k, { flat })}
                errors={f}
              />
              <Input
                label="Or weight tiers"
                name={`zones.${i}.methods.${k}.weight_tiers`}
                value={m.tiers}
                onValue={(tiers) => setMethod(i, k, { tiers })}
                errors={f}
                hint="500:4.90, 2000:6.90"
              />
              <Input
                label="Free from"
                name={`zones.${i}.methods.${k}.free_from`}
                inputMode="decimal"
                value={m.free_from}
                onValue={(free_from) => setMethod(i, k, { free_from })}
                errors={f}
              />
              <Input
                label="Days"
                name={`zones.${i}.methods.${k}.delivery_days`}
                value={m.days}
                onValue={(days) => setMethod(i, k, { days })}
                errors={f}
                hint="2-4"
                size={5}
              />
              <Button kind="secondary" type="button" onClick={() => setZone(i, { methods: z.methods.filter((_, j) => j !== k) })}>
                Remove method {m.name}
              </Button>
            </div>
          ))}
          <Button
            kind="secondary"
            type="button"
            onClick={() => setZone(i, { methods: [...z.methods, { name: "", currency: "EUR", flat: "", tiers: "", free_from: "", days: "" }] })}
          >
            Add method to {z.name || `zone ${i + 1}`}
          </Button>
        </fieldset>
      ))}
      <div class="row">
        <Button kind="secondary" type="button" onClick={() => setZones([...current, { name: "", countries: "", methods: [] }])}>
          Add zone
        </Button>
        <Button type="submit" busy={action.busy}>
          Save shipping zones
        </Button>
      </div>
    </form>
  );
}

function Taxes({ session }: { session: ScreenProps["session"] }) {
  const loaded = useLoad(() => versioned(session.api.GET("/tax-settings")));
  const [draft, setDraft] = useState<Schemas["TaxSettingsBody"] | null>(null);
  const action = useAction();
  const [saved, setSaved] = useState(false);
  if (!loaded.value) return <Loading error={loaded.error} />;
  const t = draft ?? loaded.value.value;
  const f = action.fields;
  const rates = t.rates ?? [];
  const setRate = (i: number, r: Partial<Schemas["RateBody"]>) => setDraft({ ...t, rates: rates.map((x, j) => (j === i ? { ...x, ...r } : x)) });
  return (
    <form
      aria-label="Tax settings"
      onSubmit={async (e) => {
        e.preventDefault();
        setSaved(false);
        const next = await action.run(() => versioned(session.api.PUT("/tax-settings", { params: { header: { "If-Match": loaded.value!.etag } }, body: t })));
        if (next) {
          loaded.setValue(next);
          setDraft(null);
          setSaved(true);
        }
      }}
    >
      <h2>Taxes</h2>
      <p class="muted">Destinations without a rate here use Tillbox's built-in rates (EU, UK, CH and NO VAT, US state sales tax, Canadian GST/HST).</p>
      {saved && <Notice>Tax settings saved.</Notice>}
      <Banner error={action.error} />
      <div class="row">
        <Checkbox label="Catalog prices include tax" checked={t.prices_include_tax} onValue={(prices_include_tax) => setDraft({ ...t, prices_include_tax })} />
        <Input
          label="Shop's country"
          name="origin_country"
          value={t.origin_country ?? ""}
          onValue={(c) => setDraft({ ...t, origin_country: c.toUpperCase() || null })}
          errors={f}
          size={3}
        />
        <Select
          label="Shipping is taxed"
          name="shipping"
          value={t.shipping ?? "standard"}
          onValue={(s) => setDraft({ ...t, shipping: s as Schemas["ShippingTax"] })}
          options={[
            ["standard", "at the standard rate"],
            ["highest_line_rate", "at the goods' highest rate"],
            ["exempt", "not at all"],
          ]}
          errors={f}
        />
      </div>
      <table class="list" aria-label="Tax rates">
        <thead>
          <tr>
            <th scope="col">Country</th>
            <th scope="col">Region</th>
            <th scope="col">Standard %</th>
            <th scope="col">Reduced %</th>
            <th scope="col">
              <span class="visually-hidden">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rates.map((r, i) => (
            <tr key={i}>
              <td>
                <Input
                  label="Country"
                  name={`rates.${i}.country`}
                  value={r.country}
                  onValue={(country) => setRate(i, { country: country.toUpperCase() })}
                  errors={f}
                  size={3}
                />
              </td>
              <td>
                <Input
                  label="Region"
                  name={`rates.${i}.region`}
                  value={r.region ?? ""}
                  onValue={(region) => setRate(i, { region: region.toUpperCase() || null })}
                  errors={f}
                  size={3}
                />
              </td>
              <td>
                <Input
                  label="Standard"
                  name={`rates.${i}.standard`}
                  inputMode="decimal"
                  value={r.standard}
                  onValue={(standard) => setRate(i, { standard })}
                  errors={f}
                  size={6}
                />
              </td>
              <td>
                <Input
                  label="Reduced"
                  name={`rates.${i}.reduced`}
                  inputMode="decimal"
                  value={r.reduced ?? ""}
                  onValue={(reduced) => setRate(i, { reduced: reduced || null })}
                  errors={f}
                  size={6}
                />
              </td>
              <td>
                <Button kind="secondary" type="button" onClick={() => setDraft({ ...t, rates: rates.filter((_, j) => j !== i) })}>
                  Remove {r.country}
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="row">
        <Button kind="secondary" type="button" onClick={() => setDraft({ ...t, rates: [...rates, { country: "", standard: "" }] })}>
          Add rate
        </Button>
        <Button type="submit" busy={action.busy}>
          Save tax settings
        </Button>
      </div>
    </form>
  );
}
