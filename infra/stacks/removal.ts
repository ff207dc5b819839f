import { RemovalPolicy } from 'aws-cdk-lib';
import type { CampusgConfig } from '../config';

/** The CDK removal policy for the `removalPolicy` context value. */
export function removalPolicyOf(config: CampusgConfig): RemovalPolicy {
  return config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
}
