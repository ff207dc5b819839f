/**
 * Orders: the list with its filters and the form that places an order as a customer (through the same HTTP
 * API a client uses); one order's page: `campusg trace` in pictures (timeline across topics, the state
 * diagram with the path taken, the money, notifications, schedule, log lines) with the runner and customer
 * buttons. The page follows the live feed, so new events appear as the saga runs.
 */
import { useState } from 'preact/hooks';
import { ORDER_STATUSES } from '#shared/domain/order/machine';
import type {
  ClientOrder,
  FireScheduleResponse,
  Money,
  OrderDetailResponse,
  OrderRow,
  OrdersResponse,
  SagaFeedEvent,
} from '../api-types';
import {
  ApiProblem,
  api,
  cents,
  Field,
  FieldError,
  FormError,
  laneColor,
  link,
  Pill,
  time,
  useApi,
  useForm,
  useProblem,
  useStream,
} from './lib';

export function Orders() {
  const { values: filters, set, bind } = useForm({ status: '', customer: '', runner: '', since: '' });
  const qs = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== '')).toString();
  const list = useApi<OrdersResponse>(`/api/orders?${qs}`, 2000);
  return (
    <div>
      <h2>Orders</h2>
      <PlaceOrder />
      <h3>All orders</h3>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
        }}
      >
        <label>
          status
          <select
            name="status"
            value={filters.status}
            onChange={(e) => set('status')((e.target as HTMLSelectElement).value)}
          >
            <option value="">any</option>
            {ORDER_STATUSES.map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </label>
        <Field label="customer" {...bind('customer')} />
        <Field label="runner" {...bind('runner')} />
        <Field
          label="since (ISO or epoch ms)"
          name="since"
          value={filters.since}
          problem={
            list.error?.includes('since')
              ? new ApiProblem({
                  status: 400,
                  error: '',
                  message: list.error,
                  details: [{ field: 'since', message: list.error }],
                })
              : undefined
          }
          onInput={set('since')}
        />
      </form>
      <div class="muted">{list.data ? `${list.data.total} order(s)` : list.error}</div>
      <table data-testid="orders">
        <thead>
          <tr>
            <th>order</th>
            <th>status</th>
            <th>customer</th>
            <th>runner</th>
            <th class="num">total</th>
            <th>created</th>
            <th class="num">events</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.orders.map((o) => (
            <tr>
              <td>
                <a href={link(`/orders/${o.orderId}`)} class="mono">
                  {o.orderId}
                </a>
              </td>
              <td>
                <Pill>{o.status}</Pill>
              </td>
              <td>{o.customerId ?? '—'}</td>
              <td>{o.runnerId ?? '—'}</td>
              <td class="num">{cents(o.totalCents)}</td>
              <td class="mono">{o.createdAt}</td>
              <td class="num">{o.events}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PlaceOrder() {
  const {
    values: f,
    bind,
    problem,
    setProblem,
  } = useForm({
    customerId: 'cust-1',
    name: 'Iced latte',
    quantity: '1',
    unitPriceCents: '450',
    deliveryLocation: 'Library L2',
    paymentMethod: 'tok_visa',
  });
  const [busy, setBusy] = useState(false);
  const num = (s: string) => (s.trim() === '' || Number.isNaN(Number(s)) ? s : Number(s));
  return (
    <form
      class="card"
      data-testid="place-order"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setProblem(undefined);
        try {
          const order = await api<ClientOrder>('/api/orders', {
            method: 'POST',
            body: {
              customerId: f.customerId,
              items: [{ name: f.name, quantity: num(f.quantity), unitPriceCents: num(f.unitPriceCents) }],
              deliveryLocation: f.deliveryLocation,
              paymentMethod: f.paymentMethod,
            },
          });
          location.hash = `/orders/${order.orderId}`;
        } catch (err) {
          setProblem(
            err instanceof ApiProblem
              ? err
              : new ApiProblem({ status: 0, error: 'Network', message: String(err), details: [] }),
          );
        } finally {
          setBusy(false);
        }
      }}
    >
      <h3>Place an order (as a customer, through the Order API)</h3>
      <div class="row">
        <Field label="customer id" {...bind('customerId')} />
        <Field label="item" {...bind('name')} errorField="items.0.name" />
        <Field label="quantity" {...bind('quantity')} errorField="items.0.quantity" size={4} />
        <Field
          label="unit price (cents)"
          {...bind('unitPriceCents')}
          errorField="items.0.unitPriceCents"
          size={8}
        />
        <Field label="deliver to" {...bind('deliveryLocation')} />
        <Field label="payment method" {...bind('paymentMethod')} />
        <button type="submit" disabled={busy}>
          Place order
        </button>
      </div>
      <FieldError problem={problem} field="items" />
      <FormError problem={problem} />
    </form>
  );
}

const CHAIN = ['CREATED', 'PAYMENT_AUTHORIZED', 'FUNDS_HELD', 'AWAITING_RUNNER', 'ACCEPTED', 'COMPLETED'];

/** The order state machine: the forward chain in a row, CANCELLED under it; the path taken is highlighted. */
function StateDiagram({ path, current }: { path: readonly string[]; current: string }) {
  const w = 128;
  const pos: Record<string, [number, number]> = {};
  CHAIN.forEach((s, i) => {
    pos[s] = [10 + i * (w + 18), 10];
  });
  pos.CANCELLED = [10 + 1.5 * (w + 18), 80];
  const edges: [string, string][] = CHAIN.slice(1).map((s, i) => [CHAIN[i]!, s]);
  for (const s of CHAIN.slice(0, 4)) edges.push([s, 'CANCELLED']);
  const taken = (a: string, b: string) =>
    path.includes(a) && path.includes(b) && path.indexOf(b) === path.indexOf(a) + 1;
  return (
    <svg
      width={10 + CHAIN.length * (w + 18)}
      height={120}
      data-testid="state-diagram"
      role="img"
      aria-label="order state diagram"
    >
      {edges.map(([a, b]) => {
        const [ax, ay] = pos[a]!;
        const [bx, by] = pos[b]!;
        const d =
          ay === by
            ? `M${ax + w},${ay + 14} L${bx},${by + 14}`
            : `M${ax + w / 2},${ay + 28} L${bx + w / 2},${by}`;
        return <path class={`edge ${taken(a, b) ? 'path' : ''}`} d={d} />;
      })}
      {Object.entries(pos).map(([s, [x, y]]) => (
        <g class={`state ${path.includes(s) ? 'path' : ''} ${s === current ? 'current' : ''}`} data-state={s}>
          <rect x={x} y={y} width={w} height={28} rx={5} />
          <text x={x + w / 2} y={y + 18} text-anchor="middle">
            {s}
          </text>
        </g>
      ))}
    </svg>
  );
}

function MoneyPanel({ money }: { money: Money }) {
  const rows: [string, number][] = [
    ['authorized', money.authorized],
    ['captured', -money.captured],
    ['voided', -money.voided],
  ];
  const escrow: [string, number][] = [
    ['held', money.held],
    ['released', -money.released],
    ['refunded', -money.refunded],
  ];
  const table = (title: string, r: [string, number][], open: number) => (
    <table>
      <thead>
        <tr>
          <th>{title}</th>
          <th class="num">amount</th>
        </tr>
      </thead>
      <tbody>
        {r.map(([k, v]) => (
          <tr data-money={k}>
            <td>{k}</td>
            <td class="num">{cents(v)}</td>
          </tr>
        ))}
        <tr>
          <td>
            <b>open</b>
          </td>
          <td class="num" data-money={`open-${title}`}>
            <b>{cents(open)}</b>
          </td>
        </tr>
      </tbody>
    </table>
  );
  return (
    <div class="card" data-testid="money">
      <h3>Money</h3>
      {table('payment', rows, money.openAuthorization)}
      {table('escrow', escrow, money.openEscrow)}
      <p data-testid="balance">
        {money.balanced ? (
          <span class="ok">balanced: every cent authorized and held has gone somewhere (0 open)</span>
        ) : (
          <span class="error">
            not balanced yet: {cents(money.openAuthorization)} authorized and {cents(money.openEscrow)} in
            escrow still open
          </span>
        )}
      </p>
    </div>
  );
}

function Actions({ order, onDone }: { order: OrderRow; onDone: () => void }) {
  const [runner, setRunner] = useState('runner-1');
  const [customer, setCustomer] = useState(order.customerId ?? '');
  const { problem, setProblem, edited } = useProblem();
  /** Whose id the last action sent as `actorId`: its error goes under that field. */
  const [actor, setActor] = useState<'runner' | 'customer'>('runner');
  const [result, setResult] = useState('');
  const act = async (action: string, as: 'runner' | 'customer') => {
    setProblem(undefined);
    setActor(as);
    setResult('');
    try {
      const r = await api<ClientOrder>(`/api/orders/${encodeURIComponent(order.orderId)}/${action}`, {
        method: 'POST',
        body: { actorId: as === 'runner' ? runner : customer },
      });
      setResult(`${action}: ${r.status}`);
      onDone();
    } catch (err) {
      setProblem(err as ApiProblem);
    }
  };
  return (
    <div class="card" data-testid="actions">
      <div class="row">
        <Field
          label="runner id"
          name="runnerId"
          errorField="actorId"
          value={runner}
          onInput={setRunner}
          problem={actor === 'runner' ? problem : undefined}
          edited={actor === 'runner' ? edited : undefined}
        />
        <button type="button" onClick={() => act('accept', 'runner')}>
          Accept as runner
        </button>
        <button type="button" onClick={() => act('complete', 'runner')}>
          Complete as runner
        </button>
        <Field
          label="customer id"
          name="customerId"
          errorField="actorId"
          value={customer}
          onInput={setCustomer}
          problem={actor === 'customer' ? problem : undefined}
          edited={actor === 'customer' ? edited : undefined}
        />
        <button type="button" class="danger" onClick={() => act('cancel', 'customer')}>
          Cancel as customer
        </button>
      </div>
      <FormError problem={problem} />
      {result && <div class="ok">{result}</div>}
    </div>
  );
}

export function OrderPage({ id }: { id: string }) {
  const detail = useApi<OrderDetailResponse>(`/api/orders/${encodeURIComponent(id)}`, 5000);
  useStream<SagaFeedEvent>('/api/stream', 'saga', (e) => {
    if (e.orderId === id) detail.reload();
  });
  const [fireProblem, setFireProblem] = useState<string | undefined>(undefined);
  const d = detail.data;
  if (!d) return <div>{detail.error ? <p class="error">{detail.error}</p> : 'loading…'}</div>;
  const topics = [...new Set(d.timeline.map((r) => r.topic))];
  return (
    <div>
      <h2>
        Order <span class="mono">{id}</span> <Pill>{d.order.status}</Pill>
      </h2>
      <p class="muted">
        customer {d.order.customerId ?? '—'} · runner {d.order.runnerId ?? '—'} · total{' '}
        {cents(d.order.totalCents)} · {d.timeline.length} events
      </p>
      <Actions order={d.order} onDone={detail.reload} />
      <h3>State</h3>
      <StateDiagram path={d.path} current={d.order.status} />
      <div class="cols">
        <div>
          <h3>Timeline</h3>
          <table data-testid="timeline">
            <thead>
              <tr>
                <th>time (UTC)</th>
                <th class="num">+</th>
                <th>topic</th>
                <th>event</th>
                <th>produced by</th>
                <th>what</th>
              </tr>
            </thead>
            <tbody>
              {d.timeline.map((r) => (
                <tr data-type={r.type} data-invalid={r.invalid === undefined ? undefined : 'true'}>
                  <td class="mono">{time(r.time)}</td>
                  <td class="num mono">{r.deltaMs} ms</td>
                  <td>
                    <span class="lane" style={{ background: laneColor(topics.indexOf(r.topic)) }} />
                    {r.topic}
                  </td>
                  <td>
                    <b>{r.type}</b>
                    {r.duplicate ? ' (duplicate)' : ''}
                    {r.invalid !== undefined && (
                      <span class="error"> (not a valid event: dead-lettered)</span>
                    )}
                  </td>
                  <td>{r.source}</td>
                  <td>{r.invalid ?? r.summary}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div>
          <MoneyPanel money={d.money} />
          <div class="card" data-testid="schedule">
            <h3>Schedule</h3>
            <div class="mono">{d.schedule.name}</div>
            <div>
              deadline {d.schedule.deadline ?? '—'} ·{' '}
              <Pill kind={d.schedule.state === 'pending' ? 'open' : 'good'}>{d.schedule.state}</Pill>
            </div>
            {d.schedule.state === 'pending' && (
              <button
                type="button"
                data-testid="fire-now"
                onClick={async () => {
                  setFireProblem(undefined);
                  try {
                    await api<FireScheduleResponse>('/api/schedules/fire', {
                      method: 'POST',
                      body: { name: d.schedule.name },
                    });
                    detail.reload();
                  } catch (err) {
                    setFireProblem((err as Error).message);
                  }
                }}
              >
                Fire now (fast-forward)
              </button>
            )}
            {fireProblem && <div class="error">{fireProblem}</div>}
          </div>
          <div class="card">
            <h3>Notifications</h3>
            {d.notifications.length === 0 && <div class="muted">none yet</div>}
            {d.notifications.map((n) => (
              <div>
                <span class="mono">{time(n.time)}</span> to {n.role} {n.userId}: {n.title}
              </div>
            ))}
          </div>
        </div>
      </div>
      <h3>Log lines from every function</h3>
      <div class="loglines" data-testid="order-logs">
        {d.logs.length === 0 && <div>no log line names this order yet</div>}
        {d.logs.map((l) => (
          <div class={l.level}>
            <span>{time(l.time)}</span> <b>{l.fn}</b> {l.message}
          </div>
        ))}
      </div>
    </div>
  );
}
