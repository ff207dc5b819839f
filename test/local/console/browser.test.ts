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

  async function placeOrderInForm(customer: string): Promise<string> {
    await page.goto(`${sys.url}/#/orders`);
    const form = page.getByTestId('place-order');
    await form.locator('input[name=customerId]').fill(customer);
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

  it('re-drives a poison record from the dead letters after fixing it, and the saga goes on', async () => {
    const orderId = `redrive-${Date.now()}`;
    const event = {
      id: `evt-${orderId}`,
      type: 'ORDER_CREATED',
      timestamp: new Date().toISOString(),
      source: 'order',
      correlationId: orderId,
      payload: {
        orderId,
        customerId: 'cust-redrive',
        items: [{ name: 'Bagel', quantity: 1, unitPriceCents: 350 }],
        totalCents: 350,
        deliveryLocation: 'Gym',
        paymentMethod: 'tok_visa',
      },
    };
    const fixed = JSON.stringify(event);
    // the poison: the same event with its total as text, which the schema refuses
    await sys.produceRaw('order-events', orderId, fixed.replace('"totalCents":350', '"totalCents":"350"'));

    await page.goto(`${sys.url}/#/dead-letters`);
    const link = page
      .locator('[data-testid=dead-letters] tr', { hasText: 'SCHEMA_VIOLATION' })
      .locator('button')
      .last();
    await link.waitFor({ timeout: 30_000 });
    await link.click();
    const detail = page.getByTestId('dead-letter-detail');
    await detail.getByText('SCHEMA_VIOLATION').waitFor();
    const textarea = detail.locator('textarea[name=value]');
    expect(await textarea.inputValue()).toContain('"totalCents":"350"');
    // a fix that is still wrong is refused next to the field
    await textarea.fill(fixed.replace('"totalCents":350', '"totalCents":-1'));
    await detail.getByTestId('redrive').click();
    await detail.locator('[data-field-error=value]').first().waitFor();
    expect(await detail.getByTestId('form-error').textContent()).toMatch(/must not be negative/);
    await textarea.fill(fixed);
    // editing the value takes the error about the old one away, field and form message alike
    await detail.locator('[data-field-error]').first().waitFor({ state: 'detached', timeout: 5000 });
    await detail.getByTestId('form-error').waitFor({ state: 'detached', timeout: 5000 });
    expect(await detail.locator('[data-field-error], [data-testid=form-error]').count()).toBe(0);
    await readmeShot(page, 'console-dead-letters.png');
    await detail.getByTestId('redrive').click();
    await detail.getByTestId('redrive-done').waitFor();
    // once re-driven it is not sent again by accident
    await detail.getByTestId('redrive').click();
    await detail
      .getByText(/already re-driven/)
      .first()
      .waitFor();

    await page.goto(`${sys.url}/#/orders/${orderId}`);
    for (const t of ['PAYMENT_AUTHORIZED', 'FUNDS_HELD', 'TIMER_STARTED'])
      await row(t).waitFor({ timeout: 30_000 });
  });

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
});
