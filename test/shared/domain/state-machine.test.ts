/**
 * The generic state machine every entity's transitions go through (shared/domain/state-machine.ts), on a
 * small machine of its own: which transitions it allows, what its TransitionError names (the 409 body and the
 * dead-letter reason come from it), and the exact Mermaid text docs/state-machines.md embeds.
 */
import { StateMachine } from '#shared/domain/state-machine';
import { TransitionError } from '#shared/errors';

type S = 'NEW' | 'PAID' | 'SHIPPED' | 'CANCELLED';

const machine = new StateMachine<S>('parcel', [
  { from: '[*]', to: 'NEW', on: 'create' },
  { from: 'NEW', to: 'PAID', on: 'pay' },
  { from: 'NEW', to: 'CANCELLED', on: 'cancel' },
  { from: 'PAID', to: 'CANCELLED', on: 'cancel' },
  { from: 'PAID', to: 'CANCELLED', on: 'TIMEOUT' },
  { from: 'PAID', to: 'SHIPPED', on: 'ship' },
]);

describe('StateMachine', () => {
  it('allows exactly the listed transitions, the start only into its first state', () => {
    expect(machine.allowed(undefined, 'NEW')).toBe(true);
    expect(machine.allowed(undefined, 'PAID')).toBe(false);
    expect(machine.allowed('NEW', 'PAID')).toBe(true);
    expect(machine.allowed('PAID', 'NEW')).toBe(false);
    expect(machine.allowed('NEW', 'SHIPPED')).toBe(false);
    expect(machine.allowed('SHIPPED', 'CANCELLED')).toBe(false);
  });

  it('names each source of a state once, never the start', () => {
    expect(machine.sourcesOf('CANCELLED')).toEqual(['NEW', 'PAID']);
    expect(machine.sourcesOf('NEW')).toEqual([]);
    expect(machine.sourcesOf('SHIPPED')).toEqual(['PAID']);
  });

  it('knows final states: those with no way out', () => {
    expect(['NEW', 'PAID', 'SHIPPED', 'CANCELLED'].filter((s) => machine.isFinal(s as S))).toEqual([
      'SHIPPED',
      'CANCELLED',
    ]);
  });

  it('passes an allowed transition and refuses another with what a caller needs to know', () => {
    expect(() => machine.assert('p-1', 'NEW', 'PAID', 'pay')).not.toThrow();
    expect(() => machine.assert('p-1', undefined, 'NEW', 'create')).not.toThrow();
    const refused = (() => {
      try {
        machine.assert('p-1', 'SHIPPED', 'CANCELLED', 'cancel');
      } catch (e) {
        return e;
      }
    })();
    expect(refused).toBeInstanceOf(TransitionError);
    expect(refused).toMatchObject({
      entity: 'parcel',
      id: 'p-1',
      current: 'SHIPPED',
      action: 'cancel',
      allowedFrom: ['NEW', 'PAID'],
      message: 'parcel p-1 is SHIPPED; cannot cancel (allowed from NEW, PAID)',
      retriable: false,
    });
  });

  it('reports a missing entity as absent, with no states to come from', () => {
    expect(() => machine.assert('p-2', undefined, 'PAID', 'pay')).toThrow(
      expect.objectContaining({
        current: 'absent',
        allowedFrom: [],
        message: 'parcel p-2 is absent; cannot pay',
      }),
    );
  });

  it('renders the Mermaid diagram: one line per edge with merged labels, then the final states', () => {
    expect(machine.mermaid()).toBe(
      [
        'stateDiagram-v2',
        '  [*] --> NEW: create',
        '  NEW --> PAID: pay',
        '  NEW --> CANCELLED: cancel',
        '  PAID --> CANCELLED: cancel / TIMEOUT',
        '  PAID --> SHIPPED: ship',
        '  CANCELLED --> [*]',
        '  SHIPPED --> [*]',
      ].join('\n'),
    );
  });
});
