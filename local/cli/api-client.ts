import { type HttpAnswer, type HttpTransport, nodeHttp } from './http-transport';
import { CliError, describeError, EXIT, NotFoundError, SYSTEM_DOWN_HINT } from './output';
import type { Role, Target } from './target';

/**
 * The Order API over HTTP (docs/api.md), as the CLI calls it: one method per route, JSON in and
 * out, bearer tokens from the target. API errors (`{ error, message, details }`) become CliErrors whose
 * message is the API's sentence and whose exit code is 3 for 404 and 1 otherwise.
 */

export interface OrderItemInput {
  readonly name: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

export interface CreateOrderInput {
  readonly items: readonly OrderItemInput[];
  readonly deliveryLocation: string;
  readonly paymentMethod: string;
}

/** The order as the API returns it; only the fields the CLI prints are named. */
export interface OrderView {
  readonly orderId: string;
  readonly status: string;
  readonly totalCents?: number;
  readonly customerId?: string;
  readonly runnerId?: string;
  readonly cancelReason?: string;
  readonly [field: string]: unknown;
}

export class ApiError extends CliError {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(`${status} ${code}: ${message}`, status === 404 ? EXIT.NOT_FOUND : EXIT.FAILURE);
  }
}

export interface Caller {
  readonly role: Role;
  readonly id: string;
}

export class OrderApiClient {
  constructor(
    private readonly target: Target,
    private readonly transport: HttpTransport = nodeHttp,
  ) {}

  async create(caller: Caller, input: CreateOrderInput, idempotencyKey?: string): Promise<OrderView> {
    const headers: Record<string, string> = {};
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    return (await this.request(caller, 'POST', '/orders', input, headers)) as OrderView;
  }

  async get(caller: Caller, orderId: string): Promise<OrderView> {
    return (await this.request(caller, 'GET', `/orders/${encodeURIComponent(orderId)}`)) as OrderView;
  }

  async accept(caller: Caller, orderId: string): Promise<OrderView> {
    return (await this.request(
      caller,
      'POST',
      `/orders/${encodeURIComponent(orderId)}/accept`,
      {},
    )) as OrderView;
  }

  async complete(caller: Caller, orderId: string): Promise<OrderView> {
    return (await this.request(
      caller,
      'POST',
      `/orders/${encodeURIComponent(orderId)}/complete`,
      {},
    )) as OrderView;
  }

  async cancel(caller: Caller, orderId: string): Promise<OrderView> {
    return (await this.request(
      caller,
      'POST',
      `/orders/${encodeURIComponent(orderId)}/cancel`,
      {},
    )) as OrderView;
  }

  private async request(
    caller: Caller,
    method: string,
    path: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<unknown> {
    const base = (await this.target.apiUrl()).value;
    const token = await this.target.bearerToken(caller.role, caller.id);
    const url = `${base}${path}`;
    let res: HttpAnswer;
    try {
      res = await this.transport(url, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...extraHeaders,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        timeoutMs: 30_000,
      });
    } catch (err) {
      throw new CliError(
        `cannot reach the HTTP API at ${base}: ${describeError(err)} (${SYSTEM_DOWN_HINT})`,
        1,
        {
          cause: err,
        },
      );
    }
    const text = res.text;
    const ok = res.status >= 200 && res.status < 300;
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!ok) {
      const obj = (json ?? {}) as { error?: unknown; message?: unknown; details?: unknown };
      const code = typeof obj.error === 'string' ? obj.error : res.statusText || 'error';
      let message =
        typeof obj.message === 'string' ? obj.message : text.slice(0, 200) || `${method} ${path} failed`;
      if (Array.isArray(obj.details) && obj.details.length > 0) {
        message += ` (${obj.details.map((d) => (typeof d === 'string' ? d : JSON.stringify(d))).join('; ')})`;
      }
      if (res.status === 404 && typeof obj.error !== 'string') {
        throw new NotFoundError(`${method} ${path}: 404 not found`);
      }
      throw new ApiError(res.status, code, message, json);
    }
    if (json === undefined && text !== '') {
      throw new CliError(
        `${method} ${path} answered ${res.status} with a body that is not JSON: ${text.slice(0, 100)}`,
      );
    }
    return json ?? {};
  }
}
