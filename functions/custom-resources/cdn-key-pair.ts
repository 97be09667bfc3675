/**
 * CloudFormation custom resource: creates the RSA key pair that signs private media URLs, at deploy time.
 * The private key goes straight into its Secrets Manager secret; only the public key is returned (for the
 * CloudFront public key and key group). Speaks the custom-resource protocol itself (no provider framework).
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

const secrets = new SecretsManagerClient({});
const PEM_HEADER = '-----BEGIN PRIVATE KEY-----';

async function publicKeyFor(secretId: string, create: boolean): Promise<string> {
  const current = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
  // The secret starts with a random placeholder; a real key is generated once and then kept across updates.
  if (!create && current.SecretString?.startsWith(PEM_HEADER)) {
    return createPublicKey(current.SecretString).export({ type: 'spki', format: 'pem' }).toString();
  }
  const pair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  await secrets.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: pair.privateKey }));
  return pair.publicKey;
}

async function respond(event: CloudFormationCustomResourceEvent, body: Record<string, unknown>) {
  const response = await fetch(event.ResponseURL, {
    method: 'PUT',
    headers: { 'content-type': '' },
    body: JSON.stringify({
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      PhysicalResourceId: 'cdn-key-pair',
      ...body,
    }),
  });
  if (!response.ok) throw new Error(`CloudFormation response failed: ${response.status}`);
}

export const handler = async (event: CloudFormationCustomResourceEvent): Promise<void> => {
  try {
    if (event.RequestType === 'Delete') return await respond(event, { Status: 'SUCCESS' });
    const secretId = String(event.ResourceProperties.SecretArn);
    const publicKey = await publicKeyFor(secretId, event.RequestType === 'Create');
    await respond(event, { Status: 'SUCCESS', Data: { PublicKey: publicKey } });
  } catch (error) {
    await respond(event, { Status: 'FAILED', Reason: (error as Error).message.slice(0, 500) });
  }
};
