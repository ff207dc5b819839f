import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Names } from '../catalogue';
import type { CampusgConfig } from '../config';
import { ServiceTables } from '../constructs/service-tables';
import { pinExports } from './exports';
import { removalPolicyOf } from './removal';

export interface DataStackProps extends StackProps {
  readonly config: CampusgConfig;
  readonly names: Names;
}

/** The services' DynamoDB tables. */
export class DataStack extends Stack {
  public readonly tables: ServiceTables;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    this.tables = new ServiceTables(this, 'Tables', {
      tableName: (key) => props.names.tableName(key),
      removalPolicy: removalPolicyOf(props.config),
    });
    for (const { spec, name } of Object.values(this.tables.tables)) {
      new CfnOutput(this, `${spec.id}Name`, { value: name, description: `${spec.envVar}` });
    }
    // Pinned: the services stack imports these (stacks/exports.ts).
    pinExports(
      this,
      props.config,
      Object.values(this.tables.tables).map(({ table }) => table.tableArn),
    );
  }
}
