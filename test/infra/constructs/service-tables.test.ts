/**
 * Template test of ServiceTables on a bare stack: one table per catalogue entry under its conventions'
 * logical id, with the keys, billing, recovery, encryption and TTL of docs/conventions.md, and deletion
 * protection exactly when the tables are retained.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { TABLES } from '#infra/catalogue';
import { ServiceTables } from '#infra/constructs/service-tables';
import { bareStack } from '#test/support/cdk-stack';

function synth(removalPolicy: RemovalPolicy) {
  const stack = bareStack();
  const tables = new ServiceTables(stack, 'Tables', { tableName: (k) => `campusg-test-${k}`, removalPolicy });
  return { tables, t: Template.fromStack(stack) };
}

describe('ServiceTables', () => {
  it('creates every catalogue table under its logical id with the house settings', () => {
    const { tables, t } = synth(RemovalPolicy.DESTROY);
    const found = t.findResources('AWS::DynamoDB::Table');
    expect(Object.keys(found).sort()).toEqual(TABLES.map((s) => s.id).sort());
    for (const spec of TABLES) {
      expect(found[spec.id]!.Properties).toEqual({
        TableName: `campusg-test-${spec.key}`,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        DeletionProtectionEnabled: false,
      });
      expect(found[spec.id]!.DeletionPolicy).toBe('Delete');
      expect(tables.tables[spec.key].name).toBe(`campusg-test-${spec.key}`);
    }
  });

  it('protects retained tables from deletion', () => {
    const { t } = synth(RemovalPolicy.RETAIN);
    t.allResources('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: { DeletionProtectionEnabled: true },
    });
  });
});
