/**
 * Shared pieces of the console UI: the JSON client (bad input comes back as `{ error, message, details }`,
 * which forms show next to the named field), a polling hook, a server-sent events hook and small widgets.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiErrorBody, FieldProblem } from '../api-types';

export interface ApiFailure {
  readonly status: number;
  readonly error: string;
  readonly message: string;
  readonly details: readonly FieldProblem[];
}

/** A detail names `name` itself or a field under it (`value` covers `value.payload.totalCents`). */
const isFor = (field: string, name: string) => field === name || field.startsWith(`${name}.`);

export class ApiProblem extends Error {
  constructor(readonly failure: ApiFailure) {
    super(failure.message);
  }
  /** The message for one field (matched on the detail's field, or its first segment). */
  field(name: string): string | undefined {
    return this.failure.details.find((d) => isFor(d.field, name))?.message;
  }
  /**
   * This problem once the value of `name` has changed: its messages for that field go (they were about the
   * old value); nothing is left when they were the only ones, since the form's message summed them up.
   */
  without(name: string): ApiProblem | undefined {
    const rest = this.failure.details.filter((d) => !isFor(d.field, name));
    if (rest.length === this.failure.details.length) return this;
    return rest.length === 0 ? undefined : new ApiProblem({ ...this.failure, details: rest });
  }
}

/** A form's problem from its last submit, and `edited(field)` to call as a field's value changes. */
export function useProblem() {
  const [problem, setProblem] = useState<ApiProblem | undefined>(undefined);
  const edited = (field: string) => setProblem((p) => p?.without(field));
  return { problem, setProblem, edited };
}

/**
 * A form of text fields: its values, its problem from the last submit (useProblem), and `bind(name)`, the
 * props every `<Field>` of the form repeats (name, value, onInput, problem, edited).
 */
export function useForm<T extends Record<string, string>>(initial: T) {
  const [values, setValues] = useState(initial);
  const { problem, setProblem, edited } = useProblem();
  const set = (name: keyof T & string) => (v: string) => setValues((f) => ({ ...f, [name]: v }));
  const bind = (name: keyof T & string) => ({
    name,
    value: values[name],
    onInput: set(name),
    problem,
    edited,
  });
  return { values, set, bind, problem, setProblem };
}

/** What a failed answer's body says, whatever shape it came in (a proxy's text, an older server). */
function failureOf(status: number, json: unknown): ApiFailure {
  const body = (json ?? {}) as { [K in keyof ApiErrorBody]?: unknown } & { details?: unknown };
  const details = Array.isArray(body.details)
    ? body.details.map((d: unknown): FieldProblem => {
        if (typeof d === 'string') return { field: '', message: d };
        const o = (d ?? {}) as { field?: unknown; path?: unknown; message?: unknown };
        return { field: String(o.field ?? o.path ?? ''), message: String(o.message ?? d) };
      })
    : [];
  return { status, error: String(body.error ?? status), message: String(body.message ?? status), details };
}

/** Calls the console's API; `T` is the endpoint's answer from api-types.ts. Bad input throws an ApiProblem. */
export async function api<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const res = await fetch(path, {
    method: init?.method ?? 'GET',
    headers: init?.body === undefined ? {} : { 'content-type': 'application/json' },
    body: init?.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = { message: text };
  }
  if (!res.ok) throw new ApiProblem(failureOf(res.status, json));
  return json as T;
}

/** Fetches `path` now, whenever `deps` change and every `everyMs` (0: once). */
export function useApi<T>(path: string | undefined, everyMs = 0, deps: unknown[] = []) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!path) return;
    let live = true;
    const load = () =>
      api<T>(path).then(
        (d) => {
          if (live) {
            setData(d);
            setError(undefined);
          }
        },
        (e: Error) => live && setError(e.message),
      );
    void load();
    const timer = everyMs > 0 ? setInterval(load, everyMs) : undefined;
    return () => {
      live = false;
      if (timer) clearInterval(timer);
    };
  }, [path, everyMs, tick, ...deps]);
  return { data, error, reload: () => setTick((t) => t + 1) };
}

/** Listens to a server-sent event feed while mounted; `T` is what the feed's `event` carries (api-types.ts). */
export function useStream<T>(path: string | undefined, event: string, onData: (data: T) => void) {
  const handler = useRef(onData);
  handler.current = onData;
  useEffect(() => {
    if (!path) return;
    const es = new EventSource(path);
    const listener = (e: MessageEvent<string>) => handler.current(JSON.parse(e.data) as T);
    es.addEventListener(event, listener as EventListener);
    return () => es.close();
  }, [path, event]);
}

export function FieldError({ problem, field }: { problem?: ApiProblem; field: string }) {
  const m = problem?.field(field);
  return m ? (
    <span class="field-error" data-field-error={field}>
      {m}
    </span>
  ) : null;
}

/** What Field and TextArea share (useForm's `bind(name)` gives all but the label). */
interface InputProps {
  label: string;
  name: string;
  value: string;
  onInput: (v: string) => void;
  problem?: ApiProblem;
  edited?: (field: string) => void;
}

/** An input's handler: `edited` hears of the field first (its old error goes), then `onInput` the value. */
const onValue = (props: InputProps, field: string) => (e: Event) => {
  props.edited?.(field);
  props.onInput((e.target as HTMLInputElement | HTMLTextAreaElement).value);
};

/**
 * A labelled input with its error under it. `edited` (useProblem's) is told the field's name as its value
 * changes, so an error about the old value does not stay under the new one.
 */
export function Field(props: InputProps & { errorField?: string; placeholder?: string; size?: number }) {
  const field = props.errorField ?? props.name;
  return (
    <label>
      {props.label}
      <input
        name={props.name}
        value={props.value}
        placeholder={props.placeholder}
        size={props.size}
        onInput={onValue(props, field)}
      />
      <FieldError problem={props.problem} field={field} />
    </label>
  );
}

/** Field's multi-line sibling: a labelled textarea with its error under it (and `children`, more errors). */
export function TextArea(props: InputProps & { children?: ComponentChildren }) {
  return (
    <label>
      {props.label}
      <textarea name={props.name} value={props.value} onInput={onValue(props, props.name)} />
      <FieldError problem={props.problem} field={props.name} />
      {props.children}
    </label>
  );
}

export function FormError({ problem }: { problem?: ApiProblem }) {
  if (!problem) return null;
  return (
    <div class="error" data-testid="form-error">
      {problem.failure.message}
    </div>
  );
}

export function Pill({ children, kind }: { children: ComponentChildren; kind?: string }) {
  return <span class={`pill ${kind ?? String(children)}`}>{children}</span>;
}

export const cents = (n: number | undefined) =>
  typeof n === 'number' ? `${n < 0 ? '-' : ''}$${(Math.abs(n) / 100).toFixed(2)}` : '—';
export const time = (iso: string | number) => new Date(iso).toISOString().slice(11, 23);
export const link = (path: string) => `#${path}`;

const LANE_COLORS = ['#2f6fed', '#1b8a4b', '#b7791f', '#8e44ad', '#c62f3b', '#16a085', '#7f8c8d', '#d35400'];
export const laneColor = (i: number) => LANE_COLORS[i % LANE_COLORS.length]!;

/** A small SVG line chart of several series over a shared x axis. */
export function Chart({
  series,
  height = 110,
  width = 420,
  label,
}: {
  series: { name: string; points: [number, number][]; color: string }[];
  height?: number;
  width?: number;
  label: string;
}) {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return <div class="muted">no data yet</div>;
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const y1 = Math.max(1, ...ys);
  const px = (x: number) => 30 + ((x - x0) / Math.max(1, x1 - x0)) * (width - 40);
  const py = (y: number) => height - 18 - (y / y1) * (height - 30);
  return (
    <svg width={width} height={height} role="img" aria-label={label}>
      <text x={2} y={12}>
        {y1.toFixed(y1 < 10 ? 1 : 0)}
      </text>
      <text x={2} y={height - 18}>
        0
      </text>
      <line x1={30} x2={width - 10} y1={height - 18} y2={height - 18} stroke="#ccc" />
      {series.map((s) => (
        <g key={s.name}>
          <polyline
            fill="none"
            stroke={s.color}
            stroke-width={2}
            points={s.points.map(([x, y]) => `${px(x)},${py(y)}`).join(' ')}
          />
          {s.points.map(([x, y]) => (
            <circle cx={px(x)} cy={py(y)} r={2.5} fill={s.color} />
          ))}
        </g>
      ))}
      {series.map((s, i) => (
        <text x={40 + i * 90} y={height - 3} fill={s.color}>
          {s.name}
        </text>
      ))}
    </svg>
  );
}
