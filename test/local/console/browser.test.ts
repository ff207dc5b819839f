/**
 * The web console in a real browser (playwright-core driving Debian's chromium; no Playwright browser
 * download) against a real runtime: the newcomer's path from the order form to the refund, a dead letter
 * fixed and re-driven, a topic filtered by JSON path, the money panel balancing. One runtime and one browser
 * for the file. Each test keeps a screenshot under test-results/console/ (gitignored). The order and
 * dead-letter views are also the README's images: they are written to docs/images/ only when asked
 * (CONSOLE_README_SCREENSHOTS=1), so a test run leaves the tree clean.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { withTool } from '../../support/outside-tools';
import { bootWithConsole, type ConsoleSystem, orderServiceAt, until } from './helpers';

const browserTool = withTool('chromium');
const ROOT = path.resolve(__dirname, '../../..');
const SHOTS = path.join(ROOT, 'test-results', 'console');
const IMAGES = path.join(ROOT, 'docs', 'images');
const README_SHOTS = process.env.CONSOLE_README_SCREENSHOTS === '1';

/** A view the README shows: always kept with the test output; into docs/images/ only on request. */
async function readmeShot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
  if (README_SHOTS) await page.screenshot({ path: path.join(IMAGES, name), fullPage: true });
}

jest.setTimeout(120_000);

browserTool.describe('web console in a browser', () => {
  let sys: ConsoleSystem;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    if (README_SHOTS) fs.mkdirSync(IMAGES, { recursive: true });
    [sys, browser] = await Promise.all([
      bootWithConsole(),
      chromium.launch({ executablePath: browserTool.command, args: ['--no-sandbox'] }),
    ]);
  }, 300_000);

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  });

  afterEach(async () => {
    const name =
      expect
        .getState()
        .currentTestName?.replace(/[^a-z0-9]+/gi, '-')
        .toLowerCase() ?? 'test';
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true }).catch(() => undefined);
    await page.close();
  });

  afterAll(async () => {
    await browser?.close();
    await sys?.runtime.stop();
  });

  async function placeOrderInForm(customer: string, item?: string): Promise<string> {
    await page.goto(`${sys.url}/#/orders`);
    const form = page.getByTestId('place-order');
    await form.locator('input[name=customerId]').fill(customer);
    if (item) await form.locator('input[name=name]').fill(item);
    await form.getByRole('button', { name: 'Place order' }).click();
    await page.waitForURL(/#\/orders\/.+/);
    return decodeURIComponent(page.url().split('#/orders/')[1]!);
  }

  const row = (type: string) => page.locator(`[data-testid=timeline] tr[data-type=${type}]`);

  it('places an order in the form, watches the timeline reach TIMER_STARTED live, fires the schedule and sees TIMEOUT, refund and void', async () => {
    // bad input: the message stands next to the field
    await page.goto(`${sys.url}/#/orders`);
    const form = page.getByTestId('place-order');
    await form.locator('input[name=quantity]').fill('0');
    await form.getByRole('button', { name: 'Place order' }).click();
    await expect(form.locator('[data-field-error="items.0.quantity"]').textContent()).resolves.toMatch(
      /at least 1/,
    );
    await form.locator('input[name=quantity]').fill('2');
    // the message was about the old value: it goes as the value changes
    await form.locator('[data-field-error="items.0.quantity"]').waitFor({ state: 'detached', timeout: 5000 });

    const id = await placeOrderInForm('cust-browser-1');
    await row('TIMER_STARTED').waitFor({ timeout: 30_000 });
    for (const t of ['ORDER_CREATED', 'PAYMENT_AUTHORIZED', 'FUNDS_HELD'])
      expect(await row(t).count()).toBeGreaterThan(0);
    expect(await page.locator('[data-state=AWAITING_RUNNER]').getAttribute('class')).toContain('current');
    expect(await page.getByTestId('schedule').textContent()).toContain(`accept-${id}`);

    await page.getByTestId('fire-now').click();
    for (const t of ['ORDER_TIMEOUT', 'FUNDS_REFUNDED', 'PAYMENT_VOIDED'])
      await row(t).waitFor({ timeout: 30_000 });
    await page.getByText('balanced: every cent').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-state=CANCELLED]').getAttribute('class')).toContain('current');
    await page.locator('[data-testid=order-logs] div').first().waitFor();
    await readmeShot(page, 'console-order.png');
  });

  it('accepts and completes with the buttons; the money panel balances', async () => {
    const id = await placeOrderInForm('cust-browser-2');
    await row('TIMER_STARTED').waitFor({ timeout: 30_000 });
    await orderServiceAt(sys, id, 'cust-browser-2', 'AWAITING_RUNNER');
    const actions = page.getByTestId('actions');
    await actions.locator('input[name=runnerId]').fill('runner-browser');
    await actions.getByRole('button', { name: 'Accept as runner' }).click();
    await row('ORDER_ACCEPTED').waitFor({ timeout: 30_000 });
    await actions.getByRole('button', { name: 'Complete as runner' }).click();
    for (const t of ['PAYMENT_CAPTURED', 'FUNDS_RELEASED']) await row(t).waitFor({ timeout: 30_000 });
    const money = page.getByTestId('money');
    await money.getByText('balanced: every cent').waitFor({ timeout: 15_000 });
    expect(await money.locator('[data-money=captured] td.num').textContent()).toBe('-$4.50');
    expect(await money.locator('[data-money=released] td.num').textContent()).toBe('-$4.50');
    expect(await money.locator('[data-money=open-payment]').textContent()).toBe('$0.00');
    expect(await money.locator('[data-money=open-escrow]').textContent()).toBe('$0.00');
  });

  it('re-drives a fixed poison record of a real order from the dead letters, and the order service times the order out', async () => {
    // A real order, placed in the form through the Order API: its row exists and its saga runs to
    // AWAITING_RUNNER with a pending acceptance-deadline schedule.
    const customer = 'cust-redrive';
    const id = await placeOrderInForm(customer, 'Bagel');
    await row('TIMER_STARTED').waitFor({ timeout: 30_000 });
    await orderServiceAt(sys, id, customer, 'AWAITING_RUNNER');
    const started = (await sys.call('GET', `/api/orders/${id}`)).body.timeline.find(
      (r: any) => r.type === 'TIMER_STARTED',
    );

    // The poison comes from a buggy producer outside the services: the deadline passed but the Scheduler
    // could not invoke the timer's fire function, so the on-call engineer times the order out by hand, as
    // the fire function would have, with `campusg produce timer-events --key <order>` (which, like
    // kafka-console-producer, sends the bytes unchecked). They copied the deadline from the Scheduler's
    // listing as epoch milliseconds, where the contract wants an ISO date-time. Both consumers of
    // timer-events (order and notification) dead-letter it as a SCHEMA_VIOLATION, so the order stays
    // AWAITING_RUNNER until the record is fixed and re-driven.
    const timeout = {
      id: `evt-manual-timeout-${id}`,
      type: 'ORDER_TIMEOUT',
      timestamp: new Date().toISOString(),
      source: 'timer',
      correlationId: id,
      payload: {
        orderId: id,
        customerId: customer,
        scheduleName: started.payload.scheduleName,
        deadline: started.payload.deadline,
      },
    };
    const fixed = JSON.stringify(timeout);
    const poison = JSON.stringify({
      ...timeout,
      payload: { ...timeout.payload, deadline: Date.parse(started.payload.deadline) },
    });
    await sys.produceRaw('timer-events', id, poison);
    const letters = await until(
      async () => {
        const all = (await sys.call('GET', '/api/dead-letters?status=all')).body.deadLetters.filter(
          (d: any) => d.correlationId === id,
        );
        return all.length >= 2 && all;
      },
      30_000,
      `the order and notification consumers to dead-letter the poison of ${id}`,
    );
    expect(letters.map((d: any) => d.consumer).sort()).toEqual(['notification', 'order']);
    for (const d of letters) expect(d).toMatchObject({ reason: 'SCHEMA_VIOLATION', status: 'open' });
    // the order's page shows the poison for what it is and the order where the order service has it
    await page.reload();
    await page.locator('[data-testid=timeline] tr[data-type=ORDER_TIMEOUT][data-invalid]').waitFor();
    expect(await page.locator('[data-state=AWAITING_RUNNER]').getAttribute('class')).toContain('current');
    expect(await page.getByTestId('schedule').textContent()).toContain('pending');
    expect((await sys.api.getOrder(id, customer)).body.status).toBe('AWAITING_RUNNER');

    const dl = letters.find((d: any) => d.consumer === 'order');
    const sibling = letters.find((d: any) => d.consumer === 'notification');
    await page.goto(`${sys.url}/#/dead-letters`);
    await page.locator(`[data-testid=dead-letters] tr[data-id="${dl.id}"] button`).click();
    const detail = page.getByTestId('dead-letter-detail');
    await detail.getByText('SCHEMA_VIOLATION').waitFor();
    expect(await detail.locator('pre.error').textContent()).toMatch(/payload\.deadline/);
    const textarea = detail.locator('textarea[name=value]');
    expect(JSON.parse(await textarea.inputValue()).payload.deadline).toBe(
      Date.parse(started.payload.deadline),
    );
    // a fix that is still wrong is refused next to the field
    await textarea.fill(fixed.replace(started.payload.deadline, 'tomorrow'));
    await detail.getByTestId('redrive').click();
    await detail.locator('[data-field-error=value]').first().waitFor();
    expect(await detail.getByTestId('form-error').textContent()).toMatch(/payload\.deadline/);
    await textarea.fill(fixed);
    // editing the value takes the error about the old one away, field and form message alike
    await detail.locator('[data-field-error]').first().waitFor({ state: 'detached', timeout: 5000 });
    await detail.getByTestId('form-error').waitFor({ state: 'detached', timeout: 5000 });
    expect(await detail.locator('[data-field-error], [data-testid=form-error]').count()).toBe(0);
    await readmeShot(page, 'console-dead-letters.png');
    await detail.getByTestId('redrive').click();
    await detail.getByTestId('redrive-done').waitFor();
    await detail
      .getByText(/^re-driven to timer-events\/\d+@\d+$/)
      .first()
      .waitFor();

    // the fix reaches the order service: the order is timed out, escrow refunds, payment voids
    await page.goto(`${sys.url}/#/orders/${id}`);
    for (const t of ['ORDER_CANCELLED', 'FUNDS_REFUNDED', 'PAYMENT_VOIDED', 'TIMER_CANCELLED'])
      await row(t).waitFor({ timeout: 30_000 });
    await page.locator('[data-testid=timeline] tr[data-type=ORDER_TIMEOUT]:not([data-invalid])').waitFor();
    expect(await page.locator('[data-state=CANCELLED]').getAttribute('class')).toContain('current');
    await page.getByTestId('money').getByText('balanced: every cent').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('schedule').textContent()).toContain('fired');
    await orderServiceAt(sys, id, customer, 'CANCELLED');
    expect((await sys.api.getOrder(id, customer)).body.cancelReason).toBe('TIMEOUT');

    // the re-drive is recorded: both dead letters of the record count as re-driven, and a second re-drive
    // needs "again" ticked
    for (const d of [dl, sibling])
      expect((await sys.call('GET', `/api/dead-letters/${d.id}`)).body.status).toBe('redriven');
    await page.goto(`${sys.url}/#/dead-letters`);
    await page.locator('select[name=status]').selectOption('redriven');
    await page
      .locator(`[data-testid=dead-letters] tr[data-id="${sibling.id}"]`)
      .getByText('redriven')
      .waitFor();
    await page.locator(`[data-testid=dead-letters] tr[data-id="${dl.id}"] button`).click();
    await detail
      .getByText(/re-driven to timer-events/)
      .first()
      .waitFor();
    await detail.locator('textarea[name=value]').fill(fixed);
    await detail.getByTestId('redrive').click();
    await detail
      .getByText(/already re-driven/)
      .first()
      .waitFor();
    await detail.getByRole('checkbox').check();
    await detail.getByTestId('redrive').click();
    await detail.getByTestId('redrive-done').waitFor();
    // the second copy is a duplicate the order service records and ignores
    await page.goto(`${sys.url}/#/orders/${id}`);
    await page
      .locator('[data-testid=timeline] tr[data-type=ORDER_TIMEOUT]', { hasText: '(duplicate)' })
      .waitFor({
        timeout: 30_000,
      });
    // the order service answers a redelivery with the same ORDER_CANCELLED (same id), so one counts
    expect(await row('ORDER_CANCELLED').filter({ hasNotText: '(duplicate)' }).count()).toBe(1);
    await page.getByTestId('money').getByText('balanced: every cent').waitFor();
  }, 300_000);

  it('shows the overview, logs, schedules and mappings views without a script error', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${sys.url}/#/`);
    await page.locator('[data-health=broker]').getByText('up').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid=feed] div').first().waitFor({ timeout: 15_000 });
    await page.goto(`${sys.url}/#/logs`);
    await page.locator('[data-stats] svg').first().waitFor({ timeout: 15_000 });
    await page.locator('[data-testid=log-lines] div').first().waitFor({ timeout: 15_000 });
    await page.goto(`${sys.url}/#/schedules`);
    await page.getByText('Fired (ORDER_TIMEOUT seen)').waitFor();
    await page.goto(`${sys.url}/#/mappings`);
    await page.locator('[data-mapping] table').first().waitFor({ timeout: 15_000 });
    expect(errors).toEqual([]);
  });

  it('filters a topic by a JSON path on the payload', async () => {
    await until(
      async () => (await sys.call('GET', '/api/orders')).body.total >= 2,
      30_000,
      'orders from the earlier tests',
    );
    await page.goto(`${sys.url}/#/topics/order-events`);
    const filters = page.getByTestId('browser-filters');
    await filters.locator('input[name=jsonPath]').fill('$.items[?(@.name == "Bagel")]');
    await filters.getByRole('button', { name: 'Filter' }).click();
    // the browser scans page after page until it has a page of matches or reaches the end, saying how far it
    // got: wait for it to say it is done, however long a loaded machine takes, then read what it shows
    const status = page.getByTestId('scan-status');
    await page.locator('[data-testid=scan-status]:not([data-scan=scanning])').waitFor({ timeout: 60_000 });
    expect(await status.textContent()).toMatch(/\d+ shown from records \d+-\d+ of \d+/);
    const rows = page.locator('[data-testid=messages] tbody tr');
    const texts = await rows.allTextContents();
    expect(texts.length).toBeGreaterThan(0);
    for (const t of texts) expect(t).toContain('Bagel');
    await filters.locator('input[name=jsonPath]').fill('items');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await filters.locator('[data-field-error=jsonPath]').waitFor();
  });
  it('stops a long scan in the message browser, keeps what it found, and continues from where it stopped', async () => {
    // Filler on notification-events, which no service consumes: more records in one partition than one
    // answer scans (20,000), with a rare key among them, so the browser needs several answers for one page.
    const topic = 'notification-events';
    const needle = `needle-${Date.now()}`;
    const filler = Array.from({ length: 45_000 }, (_v, i) => ({
      partition: 0,
      key: i % 1500 === 700 ? needle : 'filler',
      value: JSON.stringify({ n: i }),
    }));
    await sys.produceMany(topic, filler);
    const query = `partition=0&key=${needle}`;
    /** Every match, following `next` through the API: what the browser must end up showing, in order. */
    const allMatches = async () => {
      const out: string[] = [];
      let cursor: string | undefined;
      do {
        const r = await sys.call(
          'GET',
          `/api/topics/${topic}/messages?${query}&limit=500${cursor ? `&cursor=${cursor}` : ''}`,
        );
        out.push(...r.body.messages.map((m: any) => `${m.partition}@${m.offset}`));
        cursor = r.body.next;
      } while (cursor);
      return out;
    };
    const expected = await until(
      async () => {
        const found = await allMatches();
        return found.length === 30 && found;
      },
      60_000,
      'the console to read the filler',
    );

    await page.goto(`${sys.url}/#/topics/${topic}`);
    const status = page.getByTestId('scan-status');
    await page.locator('[data-testid=scan-status]:not([data-scan=scanning])').waitFor({ timeout: 60_000 });

    // The browser's requests for this scan go to the real server; the second one is held until Stop has been
    // clicked, so Stop lands while the scan is under way however fast or slow the machine is.
    const answers: { url: string; body: any }[] = [];
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    let held!: () => void;
    const holding = new Promise<void>((r) => {
      held = r;
    });
    let heldDone!: () => void;
    const heldAnswered = new Promise<void>((r) => {
      heldDone = r;
    });
    await page.route(`**/api/topics/${topic}/messages?*`, async (route) => {
      const url = route.request().url();
      if (!url.includes(`key=${needle}`)) return route.continue();
      if (answers.length === 1) {
        // the second request: held, and its answer (which the stopped scan must ignore) not recorded
        answers.push({ url, body: undefined });
        held();
        await released;
        await route.continue();
        heldDone();
        return;
      }
      const response = await route.fetch();
      const body = await response.json();
      answers.push({ url, body });
      await route.fulfill({ response, json: body });
    });

    const filters = page.getByTestId('browser-filters');
    await filters.locator('input[name=partition]').fill('0');
    await filters.locator('input[name=key]').fill(needle);
    await filters.getByRole('button', { name: 'Filter' }).click();
    await holding;
    const first = answers[0]!.body;
    expect(first.next).toMatch(/^0:\d+$/);
    await status.getByRole('button', { name: 'Stop' }).click();
    await page.locator('[data-testid=scan-status][data-scan=stopped]').waitFor();

    // what the first answer found is kept, and the status says how far the scan got
    const rows = page.locator('[data-testid=messages] tbody tr');
    const offsetsShown = async () =>
      rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-offset') ?? ''));
    const nextOffset = Number(first.next.split(':')[1]);
    const kept = expected.filter((o) => Number(o.split('@')[1]) < nextOffset);
    expect(await offsetsShown()).toEqual(kept);
    expect(await status.textContent()).toContain(
      kept.length === 0
        ? `No match in records 1-${first.position} of ${first.total}.`
        : `${kept.length} shown from records 1-${first.position} of ${first.total}.`,
    );
    // the answer that was on its way when Stop was clicked changes nothing on screen
    release();
    await heldAnswered;
    expect(await page.locator('[data-testid=scan-status]').getAttribute('data-scan')).toBe('stopped');
    expect(await offsetsShown()).toEqual(kept);

    // Continue asks from where the kept answer stopped and ends with every match once, in order
    await status.getByRole('button', { name: 'Continue' }).click();
    await page.locator('[data-testid=scan-status][data-scan=end]').waitFor({ timeout: 60_000 });
    expect(new URL(answers[2]!.url).searchParams.get('cursor')).toBe(first.next);
    expect(await offsetsShown()).toEqual(expected);
    expect(await status.textContent()).toMatch(/^30 shown from records 1-\d+ of \d+; end of the range\./);
    await page.unroute(`**/api/topics/${topic}/messages?*`);
  }, 300_000);
});
