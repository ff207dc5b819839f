import { interpretLine, normalizeLevel, serviceOfLogGroup } from '#shared/domain/logs/shipper';
import { logItemsOf } from '#shared/domain/logs/sink';
import { ev } from '#test/support/domain-fixtures';

describe('log shipper and sink domain', () => {
  it('skips START/END/INIT_START and JSON platform start/end lines, keeps the rest', () => {
    expect(interpretLine('START RequestId: x Version: $LATEST')).toBeUndefined();
    expect(interpretLine('END RequestId: x')).toBeUndefined();
    expect(interpretLine('INIT_START Runtime Version: nodejs:20')).toBeUndefined();
    expect(interpretLine('{"time":"t","type":"platform.start","record":{}}')).toBeUndefined();
    expect(
      interpretLine('{"time":"t","type":"platform.runtimeDone","record":{"status":"timeout"}}'),
    ).toMatchObject({ level: 'ERROR' });
    expect(interpretLine('REPORT RequestId: x Duration: 1 ms')).toMatchObject({
      level: 'INFO',
      data: { platform: 'report' },
    });
    expect(interpretLine('TypeError: boom')).toMatchObject({ level: 'ERROR', data: { plainText: true } });
    expect(interpretLine('hello')).toMatchObject({ level: 'INFO', message: 'hello' });
  });

  it('keeps Powertools fields and unwraps the Node text format', () => {
    expect(
      interpretLine('{"level":"ERROR","message":"m","service":"s","timestamp":"t","orderId":"o"}'),
    ).toEqual({
      level: 'ERROR',
      message: 'm',
      service: 's',
      data: { orderId: 'o' },
    });
    expect(interpretLine('2026-03-19T13:00:00.000Z\treq\tWARN\t{"message":"m"}')).toMatchObject({
      level: 'WARN',
      message: 'm',
    });
    expect(normalizeLevel('warning')).toBe('WARN');
    expect(normalizeLevel(42)).toBe('INFO');
    expect(serviceOfLogGroup('/aws/lambda/campusg-payment')).toBe('campusg-payment');
  });

  it('stores a record under its service and day, and under its order', () => {
    const record = ev(
      'LOG_RECORD',
      {
        service: 'payment',
        level: 'INFO',
        message: 'm',
        loggedAt: Date.UTC(2026, 2, 19, 13),
        data: { orderId: 'o-1' },
      },
      'log-1',
    );
    expect(logItemsOf(record as never).map((i) => [i.pk, i.sk])).toEqual([
      ['LOGS#payment#2026-03-19', '2026-03-19T13:00:00.000Z#log-1'],
      ['ORDER#o-1', '2026-03-19T13:00:00.000Z#log-1'],
    ]);
  });
});
