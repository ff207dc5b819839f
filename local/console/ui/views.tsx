/**
 * The other views: overview (health, counts, the pausable live feed), topics (partitions, offsets, the
 * message browser with its filters and JSON path, producing a validated event), mappings and consumer groups
 * (offsets, lag, invocation counters, resetting a group), schedules (pending with time left, fire now) and
 * logs (live tail with filters, duration and invocation charts from the REPORT lines).
 */
import { useEffect, useState } from 'preact/hooks';
import type {
  FireScheduleResponse,
  FunctionsResponse,
  LogLine,
  LogStatsResponse,
  MappingsResponse,
  MessagesResponse,
  OverviewResponse,
  ProduceResponse,
  ResetGroupResponse,
  SagaFeedEvent,
  SchedulesResponse,
  TopicsResponse,
} from '../api-types';
import {
  type ApiProblem,
  api,
  Chart,
  Field,
  FieldError,
  FormError,
  laneColor,
  link,
  Pill,
  time,
  useApi,
  useProblem,
  useStream,
} from './lib';

export function Overview() {
  const o = useApi<OverviewResponse>('/api/overview', 3000);
  const [feed, setFeed] = useState<SagaFeedEvent[]>([]);
  const [paused, setPaused] = useState(false);
  useEffect(() => {
    if (o.data && feed.length === 0) setFeed(o.data.recent.slice().reverse());
  }, [o.data]);
  useStream<SagaFeedEvent>('/api/stream', 'saga', (e) => {
    if (!paused) setFeed((f) => [e, ...f].slice(0, 200));
  });
  const d = o.data;
  if (!d) return <div>{o.error ?? 'loading…'}</div>;
  const h = d.health;
  const card = (name: string, ok: boolean, text: string) => (
    <div class="card" data-health={name}>
      <b>{name}</b> <Pill kind={ok ? 'good' : 'bad'}>{ok ? 'up' : 'down'}</Pill>
      <div class="muted">{text}</div>
    </div>
  );
  return (
    <div>
      <h2>Overview</h2>
      <div class="grid">
        {card('broker', h.broker.ok, h.broker.message ?? 'answering')}
        {card('functions', h.functions.ok, `${h.functions.count} functions`)}
        {card(
          'mappings',
          h.mappings.ok,
          `${h.mappings.count} event-source mappings${h.mappings.failing.length ? `; failed invocations: ${h.mappings.failing.join(', ')}` : ''}`,
        )}
        {card('tables', h.tables.ok, h.tables.names.join(', '))}
        {card(
          'scheduler',
          h.scheduler.ok,
          h.scheduler.ok
            ? `${h.scheduler.pending} pending schedule(s)`
            : (h.scheduler.message ?? 'not answering'),
        )}
        <div class="card">
          <b>dead letters</b>{' '}
          <a href={link('/dead-letters')}>
            <Pill kind={d.deadLetters.open ? 'bad' : 'good'}>{d.deadLetters.open} open</Pill>
          </a>
          <div class="muted">{d.deadLetters.total} in all</div>
        </div>
        <div class="card">
          <b>orders</b> {d.orders.total}
          <div class="muted">
            {Object.entries(d.orders.byStatus)
              .map(([k, v]) => `${k} ${v}`)
              .join(' · ')}
          </div>
        </div>
      </div>
      <h3>Records per topic</h3>
      <table>
        <tbody>
          {d.topics.map((t) => (
            <tr>
              <td>
                <a href={link(`/topics/${t.name}`)}>{t.name}</a>
              </td>
              <td class="num">{t.records}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>
        Live saga events{' '}
        <button type="button" class="secondary" data-testid="pause" onClick={() => setPaused(!paused)}>
          {paused ? 'Resume' : 'Pause'}
        </button>
      </h3>
      <div class="feed card" data-testid="feed">
        {feed.map((e) => (
          <div>
            <span class="mono">{time(e.time)}</span>{' '}
            <a href={link(`/orders/${e.orderId}`)} class="mono">
              {e.orderId}
            </a>{' '}
            <b>{e.type}</b>{' '}
            <span class="muted">
              {e.topic} · {e.source}
            </span>{' '}
            {e.summary}
          </div>
        ))}
      </div>
    </div>
  );
}

export function Topics({ name }: { name?: string }) {
  const topics = useApi<TopicsResponse>('/api/topics', 5000);
  return (
    <div>
      <h2>Topics</h2>
      <table data-testid="topics">
        <thead>
          <tr>
            <th>topic</th>
            <th>partitions (low..high)</th>
            <th class="num">records</th>
            <th class="num">bytes in console window</th>
            <th>retention</th>
          </tr>
        </thead>
        <tbody>
          {topics.data?.topics.map((t) => (
            <tr>
              <td>
                <a href={link(`/topics/${t.name}`)}>{t.name}</a>
              </td>
              <td class="mono">
                {t.partitions.map((p) => `${p.partition}: ${p.low}..${p.high}`).join('  ')}
              </td>
              <td class="num">{t.partitions.reduce((n, p) => n + p.records, 0)}</td>
              <td class="num">{t.partitions.reduce((n, p) => n + p.bytes, 0)}</td>
              <td>
                {t.retentionMs === undefined
                  ? 'broker default'
                  : t.retentionMs < 0
                    ? 'forever'
                    : `${Math.round(t.retentionMs / 3_600_000)} h`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {name && <Browser name={name} key={name} />}
      {name && <Produce name={name} key={`p-${name}`} />}
    </div>
  );
}

function Browser({ name }: { name: string }) {
  const empty = {
    partition: '',
    fromOffset: '',
    toOffset: '',
    key: '',
    type: '',
    orderId: '',
    since: '',
    until: '',
    jsonPath: '',
  };
  const [f, setF] = useState(empty);
  const [page, setPage] = useState<MessagesResponse | undefined>(undefined);
  const { problem, setProblem, edited } = useProblem();
  const [cursors, setCursors] = useState<string[]>([]);
  const load = async (cursor?: string) => {
    setProblem(undefined);
    const qs = new URLSearchParams(Object.entries(f).filter(([, v]) => v !== ''));
    if (cursor) qs.set('cursor', cursor);
    qs.set('limit', '50');
    try {
      setPage(await api<MessagesResponse>(`/api/topics/${encodeURIComponent(name)}/messages?${qs}`));
    } catch (err) {
      setProblem(err as ApiProblem);
      setPage(undefined);
    }
  };
  useEffect(() => {
    void load();
  }, [name]);
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  return (
    <div>
      <h3>Messages on {name}</h3>
      <form
        class="inline"
        data-testid="browser-filters"
        onSubmit={(e) => {
          e.preventDefault();
          setCursors([]);
          void load();
        }}
      >
        <Field
          label="partition"
          name="partition"
          value={f.partition}
          onInput={set('partition')}
          problem={problem}
          edited={edited}
          size={3}
        />
        <Field
          label="from offset"
          name="fromOffset"
          value={f.fromOffset}
          onInput={set('fromOffset')}
          problem={problem}
          edited={edited}
          size={6}
        />
        <Field
          label="to offset"
          name="toOffset"
          value={f.toOffset}
          onInput={set('toOffset')}
          problem={problem}
          edited={edited}
          size={6}
        />
        <Field label="key" name="key" value={f.key} onInput={set('key')} problem={problem} edited={edited} />
        <Field
          label="type"
          name="type"
          value={f.type}
          onInput={set('type')}
          problem={problem}
          edited={edited}
        />
        <Field
          label="order id"
          name="orderId"
          value={f.orderId}
          onInput={set('orderId')}
          problem={problem}
          edited={edited}
        />
        <Field
          label="since"
          name="since"
          value={f.since}
          onInput={set('since')}
          problem={problem}
          edited={edited}
          size={12}
        />
        <Field
          label="until"
          name="until"
          value={f.until}
          onInput={set('until')}
          problem={problem}
          edited={edited}
          size={12}
        />
        <Field
          label="JSON path on the payload"
          name="jsonPath"
          value={f.jsonPath}
          onInput={set('jsonPath')}
          problem={problem}
          edited={edited}
          placeholder="$.items[?(@.quantity > 1)]"
          size={28}
        />
        <button type="submit">Filter</button>
      </form>
      <FormError problem={problem} />
      {page && (
        <div>
          <div class="row muted">
            {page.messages.length} shown, {page.scanned} scanned
            <button
              type="button"
              class="secondary"
              disabled={cursors.length === 0}
              onClick={() => {
                const prev = cursors.slice(0, -1);
                setCursors(prev);
                void load(prev.at(-1));
              }}
            >
              Previous page
            </button>
            <button
              type="button"
              class="secondary"
              disabled={!page.next}
              onClick={() => {
                setCursors([...cursors, page.next!]);
                void load(page.next);
              }}
            >
              Next page
            </button>
          </div>
          <table data-testid="messages">
            <thead>
              <tr>
                <th>p@offset</th>
                <th>time</th>
                <th>key</th>
                <th>type</th>
                <th>source</th>
                <th>payload / value</th>
              </tr>
            </thead>
            <tbody>
              {page.messages.map((m) => (
                <tr data-offset={`${m.partition}@${m.offset}`}>
                  <td class="mono">
                    {m.partition}@{m.offset}
                  </td>
                  <td class="mono">{time(m.timestamp)}</td>
                  <td class="mono">{m.key}</td>
                  <td>{m.envelope?.type ?? <span class="muted">not an event</span>}</td>
                  <td>{m.envelope?.source}</td>
                  <td>
                    <pre>{m.envelope ? JSON.stringify(m.envelope.payload) : m.value}</pre>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function Produce({ name }: { name: string }) {
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const { problem, setProblem, edited } = useProblem();
  const [done, setDone] = useState('');
  return (
    <form
      class="card"
      data-testid="produce"
      onSubmit={async (e) => {
        e.preventDefault();
        setProblem(undefined);
        setDone('');
        try {
          const r = await api<ProduceResponse>(`/api/topics/${encodeURIComponent(name)}/messages`, {
            method: 'POST',
            body: { ...(key ? { key } : {}), value },
          });
          setDone(`produced at ${r.partition}@${r.offset}`);
        } catch (err) {
          setProblem(err as ApiProblem);
        }
      }}
    >
      <h3>Produce an event to {name} (validated against the event schema)</h3>
      <Field
        label="key (default: the correlation id)"
        name="key"
        value={key}
        onInput={setKey}
        problem={problem}
        edited={edited}
      />
      <label>
        value (an event envelope, JSON)
        <textarea
          name="value"
          value={value}
          onInput={(e) => {
            edited('value');
            setValue((e.target as HTMLTextAreaElement).value);
          }}
        />
        <FieldError problem={problem} field="value" />
      </label>
      {problem?.failure.details
        .filter((d) => d.field.startsWith('value.'))
        .map((d) => (
          <div class="field-error">
            {d.field}: {d.message}
          </div>
        ))}
      <button type="submit">Produce</button>
      <FormError problem={problem} />
      {done && <div class="ok">{done}</div>}
    </form>
  );
}

export function Mappings() {
  const m = useApi<MappingsResponse>('/api/mappings', 3000);
  return (
    <div>
      <h2>Event-source mappings and consumer groups</h2>
      <p class="note">
        Local runtime: every number below is the emulator's own. Against the LocalStack bridge the console is
        not served (the bridge runs no mapping emulators and Lambda's ESM does not expose per-partition
        counters); use <code>campusg doctor --target localstack</code>.
      </p>
      {m.error && <p class="error">{m.error}</p>}
      {m.data?.mappings.map((x) => (
        <div class="card" data-mapping={x.groupId}>
          <h3>
            {x.functionName} ← {x.topic} <span class="muted mono">{x.groupId}</span>
          </h3>
          <div class="muted">
            batch {x.batchSize} · retries {x.maximumRetryAttempts} · bisect{' '}
            {String(x.bisectBatchOnFunctionError)} · on failure {x.onFailureDestination ?? 'none'} · queued{' '}
            {x.queued}
          </div>
          <div>
            invocations {x.stats.invocations} · errors {x.stats.failedInvocations} · retries {x.stats.retries}{' '}
            · bisects {x.stats.bisects} · to destination {x.stats.recordsSentToDestination}
            {x.stats.lastBatch &&
              ` · last batch ${x.stats.lastBatch.records} record(s) p${x.stats.lastBatch.partition}@${x.stats.lastBatch.firstOffset}..${x.stats.lastBatch.lastOffset} at ${time(x.stats.lastBatch.at)}`}
          </div>
          {x.stats.lastError && <div class="error">last error: {x.stats.lastError}</div>}
          <table>
            <thead>
              <tr>
                <th>partition</th>
                <th class="num">committed</th>
                <th class="num">end</th>
                <th class="num">lag</th>
              </tr>
            </thead>
            <tbody>
              {x.partitions.map((p) => (
                <tr>
                  <td>{p.partition}</td>
                  <td class="num">{p.committed ?? '—'}</td>
                  <td class="num">{p.end}</td>
                  <td class="num">{p.lag}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <ResetGroup groupId={x.groupId} topic={x.topic} />
        </div>
      ))}
    </div>
  );
}

function ResetGroup({ groupId, topic }: { groupId: string; topic: string }) {
  const [to, setTo] = useState('earliest');
  const [ts, setTs] = useState('');
  const [confirm, setConfirm] = useState('');
  const { problem, setProblem, edited } = useProblem();
  const [done, setDone] = useState('');
  return (
    <form
      class="inline"
      onSubmit={async (e) => {
        e.preventDefault();
        setProblem(undefined);
        try {
          await api<ResetGroupResponse>(`/api/groups/${encodeURIComponent(groupId)}/reset`, {
            method: 'POST',
            body: {
              topic,
              to,
              confirm,
              ...(to === 'timestamp' ? { timestamp: Date.parse(ts) || Number(ts) } : {}),
            },
          });
          setDone('offsets reset');
        } catch (err) {
          setProblem(err as ApiProblem);
        }
      }}
    >
      <label>
        reset offsets to
        <select
          value={to}
          onChange={(e) => {
            edited('timestamp');
            setTo((e.target as HTMLSelectElement).value);
          }}
        >
          <option>earliest</option>
          <option>latest</option>
          <option>timestamp</option>
        </select>
      </label>
      {to === 'timestamp' && (
        <Field
          label="timestamp (ISO)"
          name="timestamp"
          value={ts}
          onInput={setTs}
          problem={problem}
          edited={edited}
        />
      )}
      <Field
        label={`type ${groupId} to confirm`}
        name="confirm"
        value={confirm}
        onInput={setConfirm}
        problem={problem}
        edited={edited}
      />
      <button type="submit" class="danger">
        Reset
      </button>
      <FormError problem={problem} />
      {done && <span class="ok">{done}</span>}
    </form>
  );
}

export function Schedules() {
  const s = useApi<SchedulesResponse>('/api/schedules', 1000);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  return (
    <div>
      <h2>Schedules</h2>
      {problem && <p class="error">{problem}</p>}
      <h3>Pending</h3>
      <table data-testid="pending-schedules">
        <thead>
          <tr>
            <th>schedule</th>
            <th>order</th>
            <th>due</th>
            <th class="num">time left</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {s.data?.pending.map((p) => (
            <tr data-schedule={p.name}>
              <td class="mono">
                {p.group}/{p.name}
              </td>
              <td>{p.orderId && <a href={link(`/orders/${p.orderId}`)}>{p.orderId}</a>}</td>
              <td class="mono">{p.dueAt}</td>
              <td class="num">{Math.round(p.msLeft / 1000)} s</td>
              <td>
                <button
                  type="button"
                  onClick={async () => {
                    setProblem(undefined);
                    try {
                      await api<FireScheduleResponse>('/api/schedules/fire', {
                        method: 'POST',
                        body: { name: p.name, group: p.group },
                      });
                      s.reload();
                    } catch (err) {
                      setProblem((err as Error).message);
                    }
                  }}
                >
                  Fire now
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="cols">
        <div>
          <h3>Fired (ORDER_TIMEOUT seen)</h3>
          {s.data?.fired.map((f) => (
            <div>
              <a href={link(`/orders/${f.orderId}`)}>{f.name}</a>{' '}
              <span class="muted">deadline {f.deadline}</span>
            </div>
          ))}
        </div>
        <div>
          <h3>Deleted (TIMER_CANCELLED seen)</h3>
          {s.data?.deleted.map((f) => (
            <div>
              <a href={link(`/orders/${f.orderId}`)}>{f.name}</a>
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}

export function Logs() {
  const fns = useApi<FunctionsResponse>('/api/functions');
  const stats = useApi<LogStatsResponse>('/api/logs/stats', 5000);
  const [f, setF] = useState({ fn: '', level: '', orderId: '', text: '' });
  const [lines, setLines] = useState<LogLine[]>([]);
  const [paused, setPaused] = useState(false);
  const qs = new URLSearchParams(Object.entries(f).filter(([, v]) => v !== '')).toString();
  useEffect(() => setLines([]), [qs]);
  useStream<LogLine>(`/api/logs/stream?${qs}`, 'line', (l) => {
    if (!paused) setLines((ls) => [...ls, l].slice(-1000));
  });
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  return (
    <div>
      <h2>Logs</h2>
      <div class="grid">
        {stats.data?.functions
          .filter((s) => s.invocations > 0)
          .map((s, i) => (
            <div class="card" data-stats={s.fn}>
              <b>{s.fn}</b>
              <div class="muted">
                {s.invocations} invocations · {s.errors} errors · p50 {s.p50?.toFixed(1) ?? '—'} ms · p99{' '}
                {s.p99?.toFixed(1) ?? '—'} ms
              </div>
              <Chart
                label={`${s.fn} duration`}
                series={[
                  {
                    name: 'p50 ms',
                    color: laneColor(i),
                    points: s.series.map((b) => [b.t, b.p50 ?? 0]),
                  },
                  { name: 'p99 ms', color: '#c62f3b', points: s.series.map((b) => [b.t, b.p99 ?? 0]) },
                ]}
                width={300}
              />
              <Chart
                label={`${s.fn} invocations`}
                series={[
                  {
                    name: 'invocations/min',
                    color: '#2f6fed',
                    points: s.series.map((b) => [b.t, b.invocations]),
                  },
                  { name: 'errors/min', color: '#c62f3b', points: s.series.map((b) => [b.t, b.errors]) },
                ]}
                width={300}
              />
            </div>
          ))}
      </div>
      <h3>Live tail</h3>
      <form class="inline" onSubmit={(e) => e.preventDefault()}>
        <label>
          function
          <select name="fn" value={f.fn} onChange={(e) => set('fn')((e.target as HTMLSelectElement).value)}>
            <option value="">all</option>
            {fns.data?.functions.map((x) => (
              <option value={x.name}>{x.name}</option>
            ))}
          </select>
        </label>
        <label>
          level at least
          <select
            name="level"
            value={f.level}
            onChange={(e) => set('level')((e.target as HTMLSelectElement).value)}
          >
            <option value="">any</option>
            {['DEBUG', 'INFO', 'WARN', 'ERROR'].map((l) => (
              <option>{l}</option>
            ))}
          </select>
        </label>
        <Field label="order id" name="orderId" value={f.orderId} onInput={set('orderId')} />
        <Field label="text" name="text" value={f.text} onInput={set('text')} />
        <button type="button" class="secondary" onClick={() => setPaused(!paused)}>
          {paused ? 'Resume' : 'Pause'}
        </button>
      </form>
      <div class="loglines" data-testid="log-lines">
        {lines.map((l) => (
          <div class={l.level}>
            <span>{time(l.time)}</span> <b>{l.fn}</b> {l.message}
          </div>
        ))}
      </div>
    </div>
  );
}
