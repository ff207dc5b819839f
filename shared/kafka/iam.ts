import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { generateAuthToken, generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import type { OauthbearerProviderResponse } from 'kafkajs';

/**
 * SASL OAUTHBEARER token provider for MSK IAM authentication. kafkajs calls it on every (re)authentication;
 * the signer presigns a `kafka-cluster:Connect` request with the function's credentials (the default
 * provider chain, or the one given), valid for 15 minutes at most.
 */
export function mskIamTokenProvider(
  region: string,
  credentials?: AwsCredentialIdentityProvider,
): () => Promise<OauthbearerProviderResponse> {
  return async () => {
    const { token } = credentials
      ? await generateAuthTokenFromCredentialsProvider({ region, awsCredentialsProvider: credentials })
      : await generateAuthToken({ region });
    return { value: token };
  };
}
