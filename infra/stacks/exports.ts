/**
 * Explicit cross-stack exports. CDK exports a value only while another stack imports it, so a consumer that
 * stops importing makes the producer delete the export in the same deploy; the producer deploys first and
 * CloudFormation refuses ("Export ... cannot be deleted as it is in use by ..."). Each producer pins what it
 * offers with `Stack.exportValue`, which keeps the export name CDK would generate. Retire an export in two
 * deploys: stop importing it, deploy, then stop pinning it.
 *
 * Not under the LocalStack profile: it removes the resources some of these values point at.
 */
import type { Stack } from 'aws-cdk-lib';
import type { CampusgConfig } from '../config';

export function pinExports(stack: Stack, config: CampusgConfig, values: readonly string[]): void {
  if (config.profile !== 'aws') return;
  for (const value of values) stack.exportValue(value);
}
