import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { OauthbearerProviderResponse } from 'kafkajs';

/**
 * SASL OAUTHBEARER token provider for MSK IAM authentication. kafkajs calls it on every (re)authentication;
 * the signer presigns a `kafka-cluster:Connect` request with the function's credentials (the default
 * provider chain, or the one given), valid for 15 minutes at most.
 *
 * The signer (and the credential providers it pulls in) is loaded on first use, so functions that talk
 * plaintext Kafka (locally, LocalStack) never pay for loading it.
 */
export function mskIamTokenProvider(
  region: string,
  credentials?: AwsCredentialIdentityProvider,
): () => Promise<OauthbearerProviderResponse> {
  return async () => {
    // A plain require keeps the load lazy in both the esbuild bundle and the CommonJS test runtime.
    const signer: typeof import('aws-msk-iam-sasl-signer-js') = require('aws-msk-iam-sasl-signer-js');
    const { token } = credentials
      ? await signer.generateAuthTokenFromCredentialsProvider({ region, awsCredentialsProvider: credentials })
      : await signer.generateAuthToken({ region });
    return { value: token };
  };
}
