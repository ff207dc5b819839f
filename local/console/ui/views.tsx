/**
 * The other views: overview (health, counts, the pausable live feed), topics (partitions, offsets, the
 * message browser with its filters and JSON path, producing a validated event), mappings and consumer groups
 * (offsets, lag, invocation counters, resetting a group), schedules (pending with time left, fire now) and
 * logs (live tail with filters, duration and invocation charts from the REPORT lines).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type {
  DecodedMessage,
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
  FormError,
  laneColor,
  link,
  Pill,
  TextArea,
  time,
  useApi,
  useForm,
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
  const { values: f, bind, problem, setProblem } = useForm(empty);
  const [page, setPage] = useState<BrowsePage | undefined>(undefined);
  const [cursors, setCursors] = useState<string[]>([]);
  // bumped by Stop and by every new scan: an older scan sees it changed and stops asking for pages
  const scanRun = useRef(0);
  /**
   * Fills one page of matches from `cursor` on. The server answers a part of the scan at a time (a scan and
   * a time budget), so a rare match may take many answers: follow `next` until the page is full or the
   * range ends, showing how far the scan got; Stop keeps what was found, Continue resumes from there.
   */
  const load = async (cursor?: string, kept?: BrowsePage) => {
    const run = ++scanRun.current;
    setProblem(undefined);
    const qs = new URLSearchParams(Object.entries(f).filter(([, v]) => v !== ''));
    // the old rows go at once, so what is on screen is always this scan's
    let shown: BrowsePage = kept
      ? { ...kept, state: 'scanning' }
      : { messages: [], total: page?.total ?? 0, position: 0, from: 0, state: 'scanning' };
    setPage(shown);
    let from = kept?.from;
    let at = cursor;
    try {
      for (;;) {
        if (at) qs.set('cursor', at);
        qs.set('limit', String(PAGE_SIZE - shown.messages.length));
        const r = await api<MessagesResponse>(`/api/topics/${encodeURIComponent(name)}/messages?${qs}`);
        if (run !== scanRun.current) return;
        from ??= r.position - r.scanned;
        const messages = [...shown.messages, ...r.messages];
        const state = !r.next ? 'end' : messages.length >= PAGE_SIZE ? 'full' : 'scanning';
        shown = { messages, next: r.next, total: r.total, position: r.position, from, state };
        setPage(shown);
        if (state !== 'scanning') return;
        at = r.next;
      }
    } catch (err) {
      if (run !== scanRun.current) return;
      setProblem(err as ApiProblem);
      setPage(undefined);
    }
  };
  const stop = () => {
    scanRun.current++;
    setPage((p) => p && { ...p, state: 'stopped' });
  };
  useEffect(() => {
    void load();
    return () => {
      scanRun.current++;
    };
  }, [name]);
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
        <Field label="partition" {...bind('partition')} size={3} />
        <Field label="from offset" {...bind('fromOffset')} size={6} />
        <Field label="to offset" {...bind('toOffset')} size={6} />
        <Field label="key" {...bind('key')} />
        <Field label="type" {...bind('type')} />
        <Field label="order id" {...bind('orderId')} />
        <Field label="since" {...bind('since')} size={12} />
        <Field label="until" {...bind('until')} size={12} />
        <Field
          label="JSON path on the payload"
          {...bind('jsonPath')}
          placeholder="$.items[?(@.quantity > 1)]"
          size={28}
        />
        <button type="submit">Filter</button>
      </form>
      <FormError problem={problem} />
      {page && (
        <div>
          <div class="row muted" data-testid="scan-status" data-scan={page.state}>
            <ScanStatus page={page} />
            {page.state === 'scanning' && (
              <button type="button" class="secondary" onClick={stop}>
                Stop
              </button>
            )}
            {page.state === 'stopped' && page.next && (
              <button type="button" class="secondary" onClick={() => void load(page.next, page)}>
                Continue
              </button>
            )}
            <button
              type="button"
              class="secondary"
              disabled={cursors.length === 0 || page.state === 'scanning'}
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
              disabled={!page.next || page.state === 'scanning'}
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

const PAGE_SIZE = 50;

/** A page of the message browser: the matches so far and where the scan behind them stands. */
interface BrowsePage {
  readonly messages: readonly DecodedMessage[];
  readonly next?: string;
  /** Records in range (filters aside); how many lie before where the scan stands, and before its start. */
  readonly total: number;
  readonly position: number;
  readonly from: number;
  /** scanning: more answers on the way; full: a page of matches; end: the range is done; stopped: by Stop. */
  readonly state: 'scanning' | 'full' | 'end' | 'stopped';
}

function ScanStatus({ page }: { page: BrowsePage }) {
  const n = page.messages.length;
  const range = `records ${page.from + 1}-${page.position} of ${page.total}`;
  if (page.state === 'scanning')
    return (
      <span>
        Scanning: {n} {n === 1 ? 'match' : 'matches'}, scanned {page.position} of {page.total} records…
      </span>
    );
  if (n === 0)
    return page.position <= page.from ? (
      <span>No records in range.</span>
    ) : (
      <span>
        No match in {range}
        {page.state === 'end' ? '; end of the range.' : '.'}
      </span>
    );
  return (
    <span>
      {n} shown from {range}
      {page.state === 'end' ? '; end of the range.' : '.'}
    </span>
  );
}

function Produce({ name }: { name: string }) {
  const {
    values: { key, value },
    bind,
    problem,
    setProblem,
  } = useForm({ key: '', value: '' });
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
      <Field label="key (default: the correlation id)" {...bind('key')} />
      <TextArea label="value (an event envelope, JSON)" {...bind('value')} />
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
  const { values: f, set, bind } = useForm({ fn: '', level: '', orderId: '', text: '' });
  const [lines, setLines] = useState<LogLine[]>([]);
  const [paused, setPaused] = useState(false);
  const qs = new URLSearchParams(Object.entries(f).filter(([, v]) => v !== '')).toString();
  useEffect(() => setLines([]), [qs]);
  useStream<LogLine>(`/api/logs/stream?${qs}`, 'line', (l) => {
    if (!paused) setLines((ls) => [...ls, l].slice(-1000));
  });
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
        <Field label="order id" {...bind('orderId')} />
        <Field label="text" {...bind('text')} />
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
