/**
 * CloudFormation custom resource: keeps the access-token key set (functions/shared/auth/token-keys.ts) in its
 * Secrets Manager secret, at deploy time. Creates it on first deploy; rotates it once when the `Generation`
 * property rises (`-c tokenKeyGeneration=N`); otherwise leaves it alone. Returns only public material: the
 * JWKS the stack passes to every function that verifies tokens, and the current key id. Speaks the
 * custom-resource protocol itself (no provider framework).
 */
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import {
  keySetForGeneration,
  parseTokenKeySet,
  publicJwks,
  type TokenKeySet,
} from '../shared/auth/token-keys';

const secrets = new SecretsManagerClient({});
const PHYSICAL_ID = 'token-signing-keys';

/** The stored key set, or undefined while the secret still holds the placeholder it was created with. */
function storedKeySet(text: string | undefined): TokenKeySet | undefined {
  try {
    return text ? parseTokenKeySet(text) : undefined;
  } catch {
    return undefined;
  }
}

async function ensureKeys(secretId: string, generation: number) {
  const stored = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
  const { keySet, changed } = keySetForGeneration(storedKeySet(stored.SecretString), generation);
  if (changed) {
    await secrets.send(
      new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(keySet) }),
    );
  }
  return keySet;
}

async function respond(event: CloudFormationCustomResourceEvent, body: Record<string, unknown>) {
  const response = await fetch(event.ResponseURL, {
    method: 'PUT',
    headers: { 'content-type': '' },
    body: JSON.stringify({
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      PhysicalResourceId: PHYSICAL_ID,
      ...body,
    }),
  });
  if (!response.ok) throw new Error(`CloudFormation response failed: ${response.status}`);
}

export const handler = async (event: CloudFormationCustomResourceEvent): Promise<void> => {
  try {
    // The secret goes with the stack; nothing else to clean up.
    if (event.RequestType === 'Delete') return await respond(event, { Status: 'SUCCESS' });
    const keySet = await ensureKeys(
      String(event.ResourceProperties.SecretArn),
      Number(event.ResourceProperties.Generation),
    );
    await respond(event, {
      Status: 'SUCCESS',
      Data: {
        Jwks: JSON.stringify(publicJwks(keySet)),
        CurrentKid: keySet.current.kid,
        Generation: String(keySet.generation),
      },
    });
  } catch (error) {
    await respond(event, { Status: 'FAILED', Reason: (error as Error).message.slice(0, 500) });
  }
};
