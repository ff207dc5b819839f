import type { Template } from 'aws-cdk-lib/assertions';
import { TABLES } from '#infra/catalogue';
import { resourcesOf, synthesize } from '#test/support/cdk-app';

describe('DataStack', () => {
  let t: Template;
  beforeAll(() => {
    t = synthesize().templates.data;
  });

  it('has one table per conventions row with pk/sk strings, on-demand, PITR, encryption and TTL', () => {
    const tables = resourcesOf(t, 'AWS::DynamoDB::Table');
    expect(tables.map(([id]) => id).sort()).toEqual(TABLES.map((s) => s.id).sort());
    for (const [id, table] of tables) {
      const spec = TABLES.find((s) => s.id === id)!;
      expect(table.Properties).toMatchObject({
        TableName: `campusg-dev-${spec.key}`,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      });
      expect(table.DeletionPolicy).toBe('Delete');
    }
  });

  it('retains tables with deletion protection when removalPolicy=retain', () => {
    const retained = synthesize({ removalPolicy: 'retain' }).templates.data;
    for (const [, table] of resourcesOf(retained, 'AWS::DynamoDB::Table')) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    }
  });
});
