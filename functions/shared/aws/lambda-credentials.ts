/**
 * Stands in for `@aws-sdk/credential-provider-node` in function bundles (lib/bundling.ts aliases it). On
 * Lambda the runtime always puts the execution role's credentials in environment variables, so the default
 * chain's other links (SSO, shared ini files, credential_process, web identity, container and instance
 * metadata) and the STS and SSO clients they bring, about 80 KB minified and a fifth of every function, were
 * code each cold start loaded and never ran. Unbundled code (the local stack, tests, scripts, the CDK app)
 * keeps the SDK's full default chain.
 */
/** The SDK's AwsCredentialIdentity (from @smithy/types), the fields Lambda provides. */
interface AwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

class CredentialsProviderError extends Error {
  override name = 'CredentialsProviderError';
  // The SDK's own provider errors carry these; callers may read them.
  readonly tryNextLink = false;
}

/** The SDK's `defaultProvider(init)`, reduced to its first link: credentials from the environment. */
export const defaultProvider = () => async (): Promise<AwsCredentialIdentity> => {
  const env = process.env;
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new CredentialsProviderError(
      'No AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY): this bundle is for Lambda, which always sets them.',
    );
  }
  return {
    accessKeyId,
    secretAccessKey,
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    ...(env.AWS_CREDENTIAL_EXPIRATION ? { expiration: new Date(env.AWS_CREDENTIAL_EXPIRATION) } : {}),
  };
};

// The package's other exports, with the SDK's semantics (five minutes' margin before an expiry).
export const credentialsWillNeedRefresh = (credentials?: AwsCredentialIdentity) =>
  credentials?.expiration !== undefined;
export const credentialsTreatedAsExpired = (credentials?: AwsCredentialIdentity) =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
