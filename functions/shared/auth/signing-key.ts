/**
 * The HMAC key that signs access tokens. On AWS it lives in Secrets Manager (generated at deploy); locally in
 * a file in the data dir (generated on first start). Fetched once per execution environment and cached.
 */
import { config } from '../config';
import { cachedOnSuccess, readSecret } from '../secrets';

export const signingKey = /* @__PURE__ */ cachedOnSuccess(async (): Promise<Uint8Array> => {
  const source = config.signingKeySource;
  if (!source)
    throw new Error('Invalid configuration: TOKEN_SECRET_ARN or TOKEN_SIGNING_KEY_FILE must be set');
  const secret = (await readSecret(source)).trim();
  if (secret.length < 32) throw new Error('The token signing key is missing or shorter than 32 characters');
  return new TextEncoder().encode(secret);
});
