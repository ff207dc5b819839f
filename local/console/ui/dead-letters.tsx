/**
 * Dead letters: each with its reason, consumer, origin and original bytes; view, edit, re-drive to the origin
 * topic (appended, so the mapping retries it) or discard (a mark only), one or many. A dead letter re-driven
 * once is refused a second time unless "again" is ticked.
 */
import { useState } from 'preact/hooks';
import type {
  DeadLetterFeedEvent,
  DeadLettersResponse,
  DeadLetterView,
  DiscardResponse,
  RedriveResponse,
} from '../api-types';
import {
  type ApiProblem,
  api,
  FieldError,
  FormError,
  Pill,
  TextArea,
  time,
  useApi,
  useProblem,
  useStream,
} from './lib';

export function DeadLetters() {
  const [status, setStatus] = useState('open');
  const list = useApi<DeadLettersResponse>(`/api/dead-letters?status=${status}`, 3000);
  useStream<DeadLetterFeedEvent>('/api/stream', 'dead-letter', () => list.reload());
  const [selected, setSelected] = useState<string[]>([]);
  const [open, setOpen] = useState<string | undefined>(undefined);
  const [problem, setProblem] = useState<ApiProblem | undefined>(undefined);
  const [done, setDone] = useState('');
  const bulk = async (what: 'redrive' | 'discard') => {
    setProblem(undefined);
    setDone('');
    try {
      const init = { method: 'POST', body: { ids: selected } };
      setDone(
        what === 'redrive'
          ? `re-drove ${(await api<RedriveResponse>('/api/dead-letters/redrive', init)).redriven.length}`
          : `discarded ${(await api<DiscardResponse>('/api/dead-letters/discard', init)).discarded.length}`,
      );
      setSelected([]);
      list.reload();
    } catch (err) {
      setProblem(err as ApiProblem);
    }
  };
  return (
    <div>
      <h2>Dead letters</h2>
      <div class="row">
        <label>
          show
          <select
            value={status}
            onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}
            name="status"
          >
            {['open', 'redriven', 'discarded', 'all'].map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </label>
        <button type="button" disabled={selected.length === 0} onClick={() => bulk('redrive')}>
          Re-drive selected ({selected.length})
        </button>
        <button
          type="button"
          class="secondary"
          disabled={selected.length === 0}
          onClick={() => bulk('discard')}
        >
          Discard selected
        </button>
        <span class="muted">{list.data ? `${list.data.total} dead letter(s) in all` : list.error}</span>
      </div>
      <FormError problem={problem} />
      {done && <div class="ok">{done}</div>}
      <table data-testid="dead-letters">
        <thead>
          <tr>
            <th />
            <th>id</th>
            <th>time</th>
            <th>reason</th>
            <th>consumer</th>
            <th>origin</th>
            <th>error</th>
            <th>status</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.deadLetters.map((d) => (
            <tr data-id={d.id}>
              <td>
                <input
                  type="checkbox"
                  checked={selected.includes(d.id)}
                  onChange={(e) =>
                    setSelected(
                      (e.target as HTMLInputElement).checked
                        ? [...selected, d.id]
                        : selected.filter((x) => x !== d.id),
                    )
                  }
                />
              </td>
              <td>
                <button type="button" class="secondary mono" onClick={() => setOpen(d.id)}>
                  {d.id}
                </button>
              </td>
              <td class="mono">{time(d.time)}</td>
              <td>{d.reason}</td>
              <td>{d.consumer}</td>
              <td class="mono">
                {d.origin.topic}/{d.origin.partition}@{d.origin.offset}
              </td>
              <td>{d.error.slice(0, 120)}</td>
              <td>
                <Pill>{d.status}</Pill>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {open && <DeadLetterDetail id={open} onChange={list.reload} key={open} />}
    </div>
  );
}

function DeadLetterDetail({ id, onChange }: { id: string; onChange: () => void }) {
  const d = useApi<DeadLetterView>(`/api/dead-letters/${id}`);
  const [value, setValue] = useState<string | undefined>(undefined);
  const [again, setAgain] = useState(false);
  const { problem, setProblem, edited } = useProblem();
  const [done, setDone] = useState('');
  if (!d.data) return <div>{d.error ?? 'loading…'}</div>;
  const dl = d.data;
  const text = value ?? dl.value ?? '';
  return (
    <div class="card" data-testid="dead-letter-detail">
      <h3>
        Dead letter <span class="mono">{dl.id}</span> <Pill>{dl.status}</Pill>
      </h3>
      <p>
        <b>{dl.reason}</b> in <b>{dl.consumer}</b>, from{' '}
        <span class="mono">
          {dl.origin.topic}/{dl.origin.partition}@{dl.origin.offset}
        </span>
      </p>
      <pre class="error">{dl.error}</pre>
      {dl.redrive && (
        <p class="ok">
          re-driven to {dl.redrive.topic}/{dl.redrive.partition}@{dl.redrive.offset}
        </p>
      )}
      <p class="muted">
        key <span class="mono">{dl.key ?? 'null'}</span> · original value (base64){' '}
        <span class="mono">{(dl.valueBase64 ?? 'null').slice(0, 80)}</span>
      </p>
      <TextArea
        label="value (edit before re-driving; the original bytes are sent when unchanged)"
        name="value"
        value={text}
        onInput={setValue}
        problem={problem}
        edited={edited}
      >
        <FieldError problem={problem} field="ids" />
      </TextArea>
      <div class="row">
        <label>
          <span>
            <input
              type="checkbox"
              checked={again}
              onChange={(e) => setAgain((e.target as HTMLInputElement).checked)}
            />{' '}
            re-drive again (it was re-driven before)
          </span>
        </label>
        <button
          type="button"
          data-testid="redrive"
          onClick={async () => {
            setProblem(undefined);
            try {
              const edited = value !== undefined && value !== dl.value;
              const r = await api<RedriveResponse>('/api/dead-letters/redrive', {
                method: 'POST',
                body: { ids: [dl.id], ...(edited ? { value } : {}), ...(again ? { force: true } : {}) },
              });
              const at = r.redriven[0];
              setDone(`re-driven to ${at.topic}/${at.partition}@${at.offset}`);
              d.reload();
              onChange();
            } catch (err) {
              setProblem(err as ApiProblem);
            }
          }}
        >
          Re-drive to {dl.origin.topic}
        </button>
        <button
          type="button"
          class="secondary"
          onClick={async () => {
            await api<DiscardResponse>('/api/dead-letters/discard', {
              method: 'POST',
              body: { ids: [dl.id] },
            });
            d.reload();
            onChange();
          }}
        >
          Discard (mark only)
        </button>
      </div>
      <FormError problem={problem} />
      {done && (
        <div class="ok" data-testid="redrive-done">
          {done}
        </div>
      )}
    </div>
  );
}
