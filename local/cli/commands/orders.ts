import { type Command, InvalidArgumentError, Option } from 'commander';
import { type Caller, OrderApiClient, type OrderItemInput, type OrderView } from '../api-client';
import {
  action,
  deadlineLine,
  EXIT,
  type ExitCode,
  formatCents,
  type Io,
  line,
  printJson,
  processIo,
  UsageError,
} from '../output';
import { addTargetOptions, resolveTarget, type TargetFlags } from '../target';

type Flags = TargetFlags & { json?: boolean };

/** `campusg orders`: the Order API from the command line, as a customer or a runner. */
export function register(program: Command, io: Io = processIo): void {
  const orders = program
    .command('orders')
    .exitOverride()
    .description('create, read, accept, complete and cancel orders through the HTTP API')
    .addHelpText(
      'after',
      '\nOn --target local the CLI mints a dev token for the --customer/--runner given; on aws and localstack\n' +
        'pass a Cognito token with --token or CAMPUSG_TOKEN.',
    );

  cmd(
    orders
      .command('create')
      .description('place an order as a customer (POST /orders)')
      .requiredOption('--customer <id>', 'customer placing the order (token subject)')
      .requiredOption(
        '--item <name:qty:unitPriceCents>',
        'an item, e.g. "coffee:2:350" (repeatable; the name may contain ":")',
        collectItem,
      )
      .requiredOption('--location <text>', 'delivery location, e.g. "Library, 2nd floor"')
      .option('--payment-method <token>', 'payment method token (tok_decline is declined)', 'tok_visa')
      .option('--idempotency-key <key>', 'Idempotency-Key header: retries with the same key create one order')
      .option('-q, --quiet', 'print only the order id'),
  ).action(
    action(
      io,
      async (
        opts: Flags & {
          customer: string;
          item: OrderItemInput[];
          location: string;
          paymentMethod: string;
          idempotencyKey?: string;
          quiet?: boolean;
        },
      ) => {
        const client = new OrderApiClient(resolveTarget(opts));
        const order = await client.create(
          { role: 'customer', id: opts.customer },
          { items: opts.item, deliveryLocation: opts.location, paymentMethod: opts.paymentMethod },
          opts.idempotencyKey,
        );
        if (opts.quiet && !opts.json) line(io, order.orderId);
        else show(io, order, opts);
        return EXIT.OK;
      },
    ),
  );

  cmd(
    orders
      .command('get')
      .description('show an order with its status and saga history (GET /orders/{id}); exit 3 when unknown')
      .argument('<orderId>', 'order id')
      .addOption(
        new Option('--customer <id>', "read as this customer (the order's customer)").conflicts('runner'),
      )
      .addOption(new Option('--runner <id>', "read as this runner (the order's runner)")),
  ).action(
    action(io, async (orderId: string, opts: Flags & { customer?: string; runner?: string }) => {
      const caller: Caller | undefined = opts.customer
        ? { role: 'customer', id: opts.customer }
        : opts.runner
          ? { role: 'runner', id: opts.runner }
          : undefined;
      const target = resolveTarget(opts);
      if (!caller && !opts.token && !process.env.CAMPUSG_TOKEN) {
        throw new UsageError(
          'orders get needs --customer <id> or --runner <id> (whose token to use), or --token',
        );
      }
      const order = await new OrderApiClient(target).get(
        caller ?? { role: 'customer', id: 'token' },
        orderId,
      );
      show(io, order, opts);
      return EXIT.OK;
    }),
  );

  for (const [name, role, description] of [
    ['accept', 'runner', 'accept an order awaiting a runner (POST /orders/{id}/accept)'],
    ['complete', 'runner', 'complete an order you accepted (POST /orders/{id}/complete)'],
    ['cancel', 'customer', 'cancel your order before a runner accepts it (POST /orders/{id}/cancel)'],
  ] as const) {
    cmd(
      orders
        .command(name)
        .description(description)
        .argument('<orderId>', 'order id')
        .requiredOption(`--${role} <id>`, `the ${role} doing it (token subject)`),
    ).action(
      action(io, async (orderId: string, opts: Flags & { runner?: string; customer?: string }) => {
        const client = new OrderApiClient(resolveTarget(opts));
        const caller: Caller = { role, id: (role === 'runner' ? opts.runner : opts.customer) as string };
        const order = await client[name](caller, orderId);
        show(io, order, opts);
        return EXIT.OK;
      }),
    );
  }
}

function cmd(c: Command): Command {
  return addTargetOptions(c.option('--json', 'print the API answer as JSON'), { token: true });
}

/** Parses `name:qty:unitPriceCents`; the last two fields are numbers, the rest is the name. */
export function parseItem(spec: string): OrderItemInput {
  const parts = spec.split(':');
  if (parts.length < 3) {
    throw new InvalidArgumentError(
      `expected name:quantity:unitPriceCents, e.g. "coffee:2:350", got ${JSON.stringify(spec)}`,
    );
  }
  const priceText = parts.pop()!.trim();
  const qtyText = parts.pop()!.trim();
  const name = parts.join(':').trim();
  if (!name) throw new InvalidArgumentError(`item ${JSON.stringify(spec)} has an empty name`);
  if (!/^\d+$/.test(qtyText) || Number(qtyText) < 1) {
    throw new InvalidArgumentError(`item ${JSON.stringify(spec)}: quantity must be a whole number >= 1`);
  }
  if (!/^\d+$/.test(priceText)) {
    throw new InvalidArgumentError(
      `item ${JSON.stringify(spec)}: unit price must be a whole number of cents (350 for 3.50)`,
    );
  }
  return { name, quantity: Number(qtyText), unitPriceCents: Number(priceText) };
}

function collectItem(value: string, previous: OrderItemInput[] | undefined): OrderItemInput[] {
  return [...(previous ?? []), parseItem(value)];
}

/** One readable line per order, plus its history when the API sends one. */
export function formatOrder(order: OrderView, timeScale = 1): string[] {
  const parts = [`order ${order.orderId}`, order.status];
  if (order.totalCents !== undefined) parts.push(`total ${formatCents(order.totalCents)}`);
  if (order.customerId) parts.push(`customer ${order.customerId}`);
  if (order.runnerId) parts.push(`runner ${order.runnerId}`);
  const reason = order.cancelReason ?? order.reason;
  if (order.status === 'CANCELLED' && typeof reason === 'string') parts.push(`reason ${reason}`);
  const lines = [parts.join('  ')];
  const deadline = order.status === 'AWAITING_RUNNER' ? deadlineLine(order, timeScale) : undefined;
  if (deadline) lines.push(deadline);
  const history = Array.isArray(order.history) ? order.history : [];
  for (const h of history) {
    if (h && typeof h === 'object') {
      const entry = h as Record<string, unknown>;
      const when =
        typeof entry.at === 'string' ? entry.at : typeof entry.timestamp === 'string' ? entry.timestamp : '';
      const what =
        typeof entry.type === 'string' ? entry.type : typeof entry.status === 'string' ? entry.status : '';
      lines.push(`  ${when}  ${what}`.trimEnd());
    }
  }
  return lines;
}

function show(io: Io, order: OrderView, opts: TargetFlags & { json?: boolean }): ExitCode {
  if (opts.json) printJson(io, order);
  else {
    const target = resolveTarget(opts);
    const timeScale = target.kind === 'local' ? target.runtime()?.timeScale : undefined;
    for (const l of formatOrder(order, timeScale)) line(io, l);
  }
  return EXIT.OK;
}
