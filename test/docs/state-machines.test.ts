import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESCROW_MACHINE } from '#shared/domain/escrow/machine';
import { ORDER_MACHINE } from '#shared/domain/order/machine';
import { PAYMENT_MACHINE } from '#shared/domain/payment/machine';
import { TIMER_MACHINE } from '#shared/domain/timer/machine';

const doc = readFileSync(join(__dirname, '../../docs/state-machines.md'), 'utf8');

describe('docs/state-machines.md', () => {
  it.each([ORDER_MACHINE, PAYMENT_MACHINE, ESCROW_MACHINE, TIMER_MACHINE])(
    'shows the $entity machine exactly as the code enforces it',
    (machine) => {
      expect(doc).toContain(`\`\`\`mermaid\n${machine.mermaid()}\n\`\`\``);
    },
  );
});
