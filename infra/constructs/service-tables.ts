/**
 * One DynamoDB table per service's state (docs/conventions.md): `pk`/`sk` strings, on-demand billing,
 * point-in-time recovery, encryption with an AWS-managed key, TTL attribute `expiresAt`.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLES, type TableKey, type TableSpec } from '../catalogue';

export interface ServiceTablesProps {
  /** Physical table name for a table key. */
  readonly tableName: (key: TableKey) => string;
  /** `RETAIN` also turns on deletion protection. */
  readonly removalPolicy: RemovalPolicy;
}

export interface ServiceTable {
  readonly table: dynamodb.Table;
  readonly spec: TableSpec;
  readonly name: string;
}

export class ServiceTables extends Construct {
  public readonly tables: Readonly<Record<TableKey, ServiceTable>>;

  constructor(scope: Construct, id: string, props: ServiceTablesProps) {
    super(scope, id);
    const retain = props.removalPolicy === RemovalPolicy.RETAIN;
    const entries = TABLES.map((spec): [TableKey, ServiceTable] => {
      const name = props.tableName(spec.key);
      // Tables are created in the stack scope so their logical ids are the conventions' ids (`OrdersTable`).
      const table = new dynamodb.Table(scope, spec.id, {
        tableName: name,
        partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
        sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        timeToLiveAttribute: 'expiresAt',
        removalPolicy: props.removalPolicy,
        deletionProtection: retain,
      });
      (table.node.defaultChild as dynamodb.CfnTable).overrideLogicalId(spec.id);
      return [spec.key, { table, spec, name }];
    });
    this.tables = Object.fromEntries(entries) as Record<TableKey, ServiceTable>;
  }
}
