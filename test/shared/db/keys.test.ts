/**
 * The item keys the services write are the ones docs/state-machines.md documents ("Item layout"), which
 * operators and the CLI query by. Reads the table from the document and checks every entity's key builder
 * against it, so a changed prefix or a dropped part fails here; the Idempotency-Key's customer part is a
 * security property (test/functions/order/api.idempotency-key.test.ts shows why).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keys } from '#shared/db/keys';

const doc = readFileSync(join(__dirname, '../../../docs/state-machines.md'), 'utf8');

/** The documented `pk` and `sk` templates of each row of the item-layout table, by table and pk prefix. */
function documentedLayout(): { table: string; pk: string; sk: string }[] {
  const section = doc.slice(doc.indexOf('## Item layout'));
  return section
    .split('\n')
    .filter((l) => /^\| [a-z]+ \| `/.test(l))
    .map((l) => {
      const [table, pk, sk] = l
        .split('|')
        .slice(1, 4)
        .map((c) => c.trim());
      return { table: table!, pk: pk!.replace(/`/g, ''), sk: sk!.replace(/`/g, '') };
    });
}

/** Fills `<placeholder>`s with the given values. */
const fill = (template: string, values: Record<string, string>) =>
  template.replace(/<([^>]+)>/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for <${name}> in ${template}`);
    return value;
  });

describe('item keys', () => {
  const layout = documentedLayout();
  const row = (table: string, pkPrefix: string) => {
    const found = layout.find((r) => r.table === table && r.pk.startsWith(pkPrefix));
    if (!found) throw new Error(`docs/state-machines.md has no ${table} row with pk ${pkPrefix}...`);
    return found;
  };
  const values = {
    orderId: 'ord_0123',
    customerId: 'cust-7',
    key: 'k#1',
    userId: 'runner-2',
    'source event time ISO': '2026-03-19T13:00:00.000Z',
    notificationId: 'n-9',
  };

  it.each([
    ['orders', 'ORDER#', keys.order(values.orderId)],
    ['orders', 'IDEMPOTENCY#', keys.idempotency(values.customerId, values.key)],
    ['payments', 'PAYMENT#', keys.payment(values.orderId)],
    ['escrow', 'HOLD#', keys.hold(values.orderId)],
    ['timers', 'TIMER#', keys.timer(values.orderId)],
    [
      'notifications',
      'USER#',
      keys.notification(values.userId, values['source event time ISO'], values.notificationId),
    ],
  ])('writes the %s item %s... exactly as documented', (table, prefix, key) => {
    const { pk, sk } = row(table, prefix);
    expect(key).toEqual({ pk: fill(pk, values), sk: fill(sk, values) });
  });

  it('scopes an Idempotency-Key to its customer: the same key of two customers is two items', () => {
    const a = keys.idempotency('cust-a', 'same');
    const b = keys.idempotency('cust-b', 'same');
    expect(a.pk).not.toBe(b.pk);
    expect(a.sk).toBe(b.sk);
    // the customer comes first, so no key text can make one customer's item another's
    expect(keys.idempotency('cust-a', 'x').pk.startsWith('IDEMPOTENCY#cust-a#')).toBe(true);
  });
});
