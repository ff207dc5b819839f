import {
  consumerBindings,
  consumerGroupId,
  consumersOf,
  DEAD_LETTER_TOPIC,
  publishersOf,
  SERVICES,
  TOPICS,
} from '#shared/topology';

const topicNames = TOPICS.map((t) => t.name);

describe('topology', () => {
  it('has the topics of the CampusG guide plus the dead-letter topic', () => {
    expect(topicNames).toEqual(
      expect.arrayContaining([
        'order-events',
        'payment-events',
        'escrow-events',
        'timer-events',
        'notification-events',
        'system-logs',
        DEAD_LETTER_TOPIC,
      ]),
    );
    expect(new Set(topicNames).size).toBe(topicNames.length);
  });

  it('names only known topics in every service', () => {
    for (const s of SERVICES) {
      for (const t of [...s.publishes, ...s.consumes]) expect(topicNames).toContain(t);
    }
  });

  it('has a publisher for every consumed topic', () => {
    for (const s of SERVICES) {
      for (const t of s.consumes)
        expect({ topic: t, publishers: publishersOf(t).length > 0 }).toEqual({ topic: t, publishers: true });
    }
  });

  it('has a consumer, or says it is external, for every topic', () => {
    for (const t of TOPICS) {
      expect({
        topic: t.name,
        consumed: consumersOf(t.name).length > 0 || t.externalConsumers === true,
      }).toEqual({
        topic: t.name,
        consumed: true,
      });
    }
  });

  it('gives every consumed topic a dead-letter topic that exists and every consumer the right to write it', () => {
    for (const s of SERVICES) {
      for (const t of s.consumes) {
        const dlq = TOPICS.find((x) => x.name === t)?.deadLetterTopic;
        expect(dlq).toBeDefined();
        expect(topicNames).toContain(dlq);
        expect(s.publishes).toContain(dlq);
      }
    }
  });

  it('matches the consumer table of the design', () => {
    expect(consumersOf('order-events').sort()).toEqual(['escrow', 'notification', 'payment', 'timer']);
    expect(consumersOf('payment-events').sort()).toEqual(['escrow', 'notification', 'order']);
    expect(consumersOf('escrow-events').sort()).toEqual(['notification', 'order', 'payment', 'timer']);
    expect(consumersOf('timer-events').sort()).toEqual(['notification', 'order']);
    expect(consumersOf('system-logs')).toEqual(['log-sink']);
  });

  it('derives one stable, unique consumer group per (service, topic)', () => {
    const bindings = consumerBindings();
    const ids = bindings.map((b) => b.groupId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(consumerGroupId('payment', 'order-events')).toBe('campusg-payment-order-events');
    expect(bindings).toHaveLength(SERVICES.reduce((n, s) => n + s.consumes.length, 0));
  });

  it('uses positive partition counts', () => {
    for (const t of TOPICS) expect(t.partitions).toBeGreaterThan(0);
  });
});
