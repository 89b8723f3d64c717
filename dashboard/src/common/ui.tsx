// The few building blocks every screen uses: fields that show the API's error
// for their own input, a banner for the rest, buttons that say they are busy,
// and a list that pages with the API's cursors.
import type { ComponentChildren, JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiProblem, describe } from "./api";

/** Runs a call, remembering whether it is under way and how it failed. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async <T,>(call: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await call();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  const fields = error instanceof ApiProblem ? error.fields : {};
  return { busy, error, fields, run, setError };
}

/** Loads once (and again when `deps` change or `reload` is called). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []) {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setError(null);
    load().then(
      (v) => live && setValue(v),
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return { value, error, setValue, reload: () => setTick((t) => t + 1) };
}

/** The failure of the last action, above the form: what went wrong and, for
 * each refused input, its path and message (the field shows its own message
 * too), as an error summary does. A 412 offers the reload it needs. */
export function Banner({ error }: { error: unknown }) {
  if (!error) return null;
  const fields = error instanceof ApiProblem ? Object.entries(error.fields) : [];
  const stale = error instanceof ApiProblem && error.stale;
  return (
    <div class="banner error" role="alert">
      <p>{fields.length > 1 ? "Some fields need a change:" : describe(error)}</p>
      {fields.length > 1 && (
        <ul>
          {fields.map(([name, message]) => (
            <li key={name}>
              <code>{name}</code>: {message}
            </li>
          ))}
        </ul>
      )}
      {stale && (
        <button type="button" class="btn secondary" onClick={() => location.reload()}>
          Reload
        </button>
      )}
    </div>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <div class="banner ok" role="status">
      {children}
    </div>
  );
}

let nextId = 0;
function useId(prefix: string) {
  const [id] = useState(() => `${prefix}-${++nextId}`);
  return id;
}

type InputProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, "onInput" | "value" | "label"> & {
  label: string;
  name: string;
  value: string | number;
  onValue: (value: string) => void;
  errors?: Record<string, string>;
  hint?: string;
};

/** A labelled input; the API's message for `name` (a dotted body path) shows under it. */
/** The message for `name`, or for a part of it (`zones.0.countries.2` shows on `zones.0.countries`). */
function errorFor(errors: Record<string, string>, name: string): string | undefined {
  return errors[name] ?? Object.entries(errors).find(([path]) => path.startsWith(name + "."))?.[1];
}

export function Input({ label, name, value, onValue, errors = {}, hint, ...rest }: InputProps) {
  const id = useId("f");
  const error = errorFor(errors, name);
  return (
    <div class={"field" + (error ? " invalid" : "")}>
      <label for={id}>{label}</label>
      <input
        id={id}
        name={name}
        value={value}
        onInput={(e) => onValue((e.target as HTMLInputElement).value)}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined}
        {...rest}
      />
      {hint && !error && (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} class="error-text" data-field={name}>
          {error}
        </small>
      )}
    </div>
  );
}

export function Select({
  label,
  name,
  value,
  onValue,
  options,
  errors = {},
}: {
  label: string;
  name: string;
  value: string;
  onValue: (value: string) => void;
  options: (string | [string, string])[];
  errors?: Record<string, string>;
}) {
  const id = useId("s");
  const error = errorFor(errors, name);
  return (
    <div class={"field" + (error ? " invalid" : "")}>
      <label for={id}>{label}</label>
      <select
        id={id}
        name={name}
        value={value}
        onChange={(e) => onValue((e.target as HTMLSelectElement).value)}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      >
        {options.map((o) => {
          const [v, text] = typeof o === "string" ? [o, o] : o;
          return (
            <option key={v} value={v}>
              {text}
            </option>
          );
        })}
      </select>
      {error && (
        <small id={`${id}-error`} class="error-text" data-field={name}>
          {error}
        </small>
      )}
    </div>
  );
}

export function Checkbox({ label, checked, onValue, name }: { label: string; checked: boolean; onValue: (v: boolean) => void; name?: string }) {
  const id = useId("c");
  return (
    <div class="field check">
      <input id={id} type="checkbox" name={name} checked={checked} onChange={(e) => onValue((e.target as HTMLInputElement).checked)} />
      <label for={id}>{label}</label>
    </div>
  );
}

export function Button({
  busy,
  children,
  kind = "primary",
  ...rest
}: JSX.ButtonHTMLAttributes<HTMLButtonElement> & { busy?: boolean; kind?: "primary" | "secondary" | "danger" }) {
  return (
    <button class={`btn ${kind}`} disabled={busy || (rest.disabled as boolean)} aria-busy={busy ? "true" : undefined} {...rest}>
      {children}
    </button>
  );
}

/** One page of a listing and the cursors to move through it. The API pages
 * forward only, so "previous" replays the cursors already seen. The cursors
 * belong to the filters (`deps`) they were read with: new filters start again
 * at the first page, never with a cursor of the old ones. */
export function usePages<T>(load: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor?: string | null }>, deps: unknown[]) {
  const key = JSON.stringify(deps);
  const [state, setState] = useState<{ key: string; cursors: (string | undefined)[] }>({ key, cursors: [undefined] });
  const cursors = state.key === key ? state.cursors : [undefined];
  const page = cursors.length - 1;
  const loaded = useLoad(() => load(cursors[page]), [key, page, cursors[page]]);
  const next = loaded.value?.next_cursor;
  // The last page may still carry a cursor (the API cannot know it is last):
  // a page with fewer items than asked, or none, ends the listing too.
  const more = next && (loaded.value?.items.length ?? 0) > 0;
  return {
    ...loaded,
    items: loaded.value?.items,
    page,
    next: more ? () => setState({ key, cursors: [...cursors, next] }) : undefined,
    previous: page > 0 ? () => setState({ key, cursors: cursors.slice(0, -1) }) : undefined,
  };
}

export function Pager({ page, next, previous }: { page: number; next?: () => void; previous?: () => void }) {
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" class="btn secondary" disabled={!previous} onClick={previous}>
        ← Previous
      </button>
      <span>Page {page + 1}</span>
      <button type="button" class="btn secondary" disabled={!next} onClick={next}>
        Next →
      </button>
    </nav>
  );
}

export function Loading({ error }: { error?: unknown }) {
  return error ? (
    <Banner error={error} />
  ) : (
    <p class="muted" role="status">
      Loading…
    </p>
  );
}

export function Status({ value }: { value: string }) {
  return <span class={`status s-${value}`}>{value.replace(/_/g, " ")}</span>;
}
