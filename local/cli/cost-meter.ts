/**
 * Meters for `campusg cost`: what the local runtime's functions use, counted the way AWS bills it.
 *
 * - DynamoDbMeter is an HTTP proxy between the runtime and dynalite. It asks dynalite for
 *   `ReturnConsumedCapacity: TOTAL` on every data call (dynalite computes capacity units from the item sizes
 *   as DynamoDB does: 1 WRU per started KB written, the larger of old and new item; 1 RRU per started 4 KB
 *   read, half for eventually consistent reads) and adds it up per table; conditional writes that fail are
 *   billed 1 WRU per started KB of the item, as DynamoDB bills them. The response goes back byte for byte
 *   (the SDK ignores the extra field, and the CRC header stays valid). It also keeps per partition key
 *   writes and the size of every stored item.
 * - LogMeter subscribes to the runtime's log capture: REPORT lines give invocations and billed duration per
 *   function; every event counts toward ingested bytes (message + 26 bytes, CloudWatch's event size).
 */
import * as http from 'node:http';
import { DEFAULT_HOST } from '#local/core/defaults';
import { closeServer, listenOn } from '#local/core/listen';

const TARGET_PREFIX = 'DynamoDB_20120810.';
const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
/** DynamoDB adds 100 bytes of index overhead per item to the storage it bills. */
export const ITEM_STORAGE_OVERHEAD = 100;

type AttributeValue = Record<string, unknown>;
type Item = Record<string, AttributeValue>;

/** An item's size as DynamoDB counts it: attribute names plus values (numbers about 1 byte per 2 digits). */
export function itemSize(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}

function valueSize(v: AttributeValue): number {
  if ('S' in v) return Buffer.byteLength(String(v.S));
  if ('N' in v) return numberSize(String(v.N));
  if ('B' in v) return Buffer.from(String(v.B), 'base64').length;
  if ('BOOL' in v || 'NULL' in v) return 1;
  if ('SS' in v) return (v.SS as string[]).reduce((n, s) => n + Buffer.byteLength(s), 0);
  if ('NS' in v) return (v.NS as string[]).reduce((n, s) => n + numberSize(s), 0);
  if ('BS' in v) return (v.BS as string[]).reduce((n, s) => n + Buffer.from(s, 'base64').length, 0);
  if ('L' in v) return 3 + (v.L as AttributeValue[]).reduce((n, e) => n + 1 + valueSize(e), 0);
  if ('M' in v) {
    const m = v.M as Item;
    return 3 + Object.entries(m).reduce((n, [k, e]) => n + 1 + Buffer.byteLength(k) + valueSize(e), 0);
  }
  return 0;
}

function numberSize(n: string): number {
  const digits = n.replace(/^[-+]/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

export interface TableMeter {
  wru: number;
  rru: number;
  /** WRU per partition key value. */
  readonly byKey: Map<string, number>;
  /** Stored item sizes by `pk\0sk`. */
  readonly items: Map<string, number>;
}

export interface DynamoDbMeter {
  readonly endpoint: string;
  /** By physical table name. */
  readonly tables: Map<string, TableMeter>;
  /** Forgets everything counted so far (stored items stay: they are state, not usage). */
  resetCounts(): void;
  stop(): Promise<void>;
}

function keyOf(item: Item): { pk: string; id: string } {
  const pk = String(item.pk?.S ?? '');
  return { pk, id: `${pk}\0${String(item.sk?.S ?? '')}` };
}

export async function startDynamoDbMeter(target: string, host = DEFAULT_HOST): Promise<DynamoDbMeter> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const tables = new Map<string, TableMeter>();
  const table = (name: string): TableMeter => {
    let t = tables.get(name);
    if (!t) {
      t = { wru: 0, rru: 0, byKey: new Map(), items: new Map() };
      tables.set(name, t);
    }
    return t;
  };
  const chargeKey = (name: string, item: Item, wru: number) => {
    const t = table(name);
    const { pk } = keyOf(item);
    t.byKey.set(pk, (t.byKey.get(pk) ?? 0) + wru);
  };

  function account(
    op: string,
    request: Record<string, unknown>,
    status: number,
    response: Record<string, unknown>,
  ) {
    const consumed = ([] as Record<string, unknown>[]).concat(
      (response.ConsumedCapacity as Record<string, unknown> | Record<string, unknown>[] | undefined) ?? [],
    );
    const isRead = READS.has(op);
    for (const c of consumed) {
      const t = table(String(c.TableName));
      const units = Number(c.CapacityUnits) || 0;
      if (isRead) t.rru += units;
      else t.wru += units;
    }
    const name = String(request.TableName ?? '');
    if (status >= 400) {
      // A failed conditional write is billed like a write of the item (DynamoDB developer guide, conditional writes).
      if (String(response.__type ?? '').endsWith('ConditionalCheckFailedException') && request.Item) {
        const units = Math.max(1, Math.ceil(itemSize(request.Item as Item) / 1024));
        table(name).wru += units;
        chargeKey(name, request.Item as Item, units);
      }
      return;
    }
    if (op === 'PutItem' && request.Item) {
      const item = request.Item as Item;
      const size = itemSize(item);
      table(name).items.set(keyOf(item).id, size);
      chargeKey(name, item, Math.max(1, Math.ceil(size / 1024)));
    } else if ((op === 'UpdateItem' || op === 'DeleteItem') && request.Key) {
      const key = request.Key as Item;
      if (op === 'DeleteItem') table(name).items.delete(keyOf(key).id);
      chargeKey(name, key, 1);
    } else if (op === 'BatchWriteItem') {
      const byTable = (request.RequestItems ?? {}) as Record<
        string,
        Record<string, { Item?: Item; Key?: Item }>[]
      >;
      for (const [tableName, requests] of Object.entries(byTable)) {
        for (const r of requests) {
          if (r.PutRequest?.Item) {
            const size = itemSize(r.PutRequest.Item);
            table(tableName).items.set(keyOf(r.PutRequest.Item).id, size);
            chargeKey(tableName, r.PutRequest.Item, Math.max(1, Math.ceil(size / 1024)));
          } else if (r.DeleteRequest?.Key) {
            table(tableName).items.delete(keyOf(r.DeleteRequest.Key).id);
            chargeKey(tableName, r.DeleteRequest.Key, 1);
          }
        }
      }
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      const targetHeader = req.headers['x-amz-target'];
      const op =
        typeof targetHeader === 'string' && targetHeader.startsWith(TARGET_PREFIX)
          ? targetHeader.slice(TARGET_PREFIX.length)
          : '';
      let parsed: Record<string, unknown> | undefined;
      if (READS.has(op) || WRITES.has(op)) {
        try {
          parsed = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
          if (parsed.ReturnConsumedCapacity === undefined || parsed.ReturnConsumedCapacity === 'NONE') {
            body = Buffer.from(JSON.stringify({ ...parsed, ReturnConsumedCapacity: 'TOTAL' }));
          }
        } catch {
          parsed = undefined; // malformed: dynalite answers it
        }
      }
      const headers = { ...req.headers, host: upstream.host, 'content-length': String(body.length) };
      const forward = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
        (up) => {
          const out: Buffer[] = [];
          up.on('data', (c: Buffer) => out.push(c));
          up.on('end', () => {
            const payload = Buffer.concat(out);
            if (parsed) {
              try {
                account(op, parsed, up.statusCode ?? 200, JSON.parse(payload.toString('utf8') || '{}'));
              } catch {
                // not JSON: nothing to count
              }
            }
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(payload);
          });
        },
      );
      forward.on('error', (err) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`cost meter: dynalite unreachable: ${err.message}`);
      });
      forward.end(body);
    });
  });
  const { url } = await listenOn(server, 0, host);
  return {
    endpoint: url,
    tables,
    resetCounts() {
      for (const t of tables.values()) {
        t.wru = 0;
        t.rru = 0;
        t.byKey.clear();
      }
    },
    async stop() {
      agent.destroy();
      await closeServer(server);
    },
  };
}

/** Counts per function (by log group) from the runtime's log capture. */
export class LogMeter {
  readonly functions = new Map<string, { invocations: number; billedMs: number }>();
  events = 0;
  bytes = 0;
  /** Date.now() of the last event seen: the run is quiet when nothing arrived for a while. */
  lastEventAt = Date.now();

  observe(logGroupName: string, messages: readonly { message: string }[]): void {
    this.lastEventAt = Date.now();
    for (const { message } of messages) {
      this.events++;
      this.bytes += Buffer.byteLength(message) + 26;
      if (!message.startsWith('REPORT RequestId:')) continue;
      const billed = /Billed Duration: (\d+) ms/.exec(message);
      let f = this.functions.get(logGroupName);
      if (!f) {
        f = { invocations: 0, billedMs: 0 };
        this.functions.set(logGroupName, f);
      }
      f.invocations++;
      f.billedMs += billed ? Number(billed[1]) : 0;
    }
  }

  reset(): void {
    this.functions.clear();
    this.events = 0;
    this.bytes = 0;
  }
}
