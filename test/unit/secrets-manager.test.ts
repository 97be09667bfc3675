/**
 * The SDK-free Secrets Manager call against a local stand-in that checks each request's SigV4 signature with
 * its own implementation of the algorithm (AWS's published steps), so the signer is not checked by itself.
 */
import { createHash, createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SecretsManagerError, secretsManager } from '../../functions/shared/aws/secrets-manager';
import { cachedOnSuccess, readSecret, regionOfSecret } from '../../functions/shared/secrets';

const REGION = 'eu-west-1';
const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** Recomputes the request's signature from what arrived; true when it matches the Authorization header. */
function signatureIsValid(request: IncomingMessage, body: string, secretAccessKey: string): boolean {
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      request.headers.authorization ?? '',
    );
  if (!match) return false;
  const [, , date = '', region = '', service = '', signedHeaders = '', signature] = match;
  const names = signedHeaders.split(';');
  const canonicalHeaders = names
    .map((name) => `${name}:${String(request.headers[name] ?? '').trim()}\n`)
    .join('');
  const canonicalRequest = [
    request.method,
    request.url,
    '',
    canonicalHeaders,
    signedHeaders,
    sha256(body),
  ].join('\n');
  const amzDate = String(request.headers['x-amz-date']);
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
  return createHmac('sha256', key).update(stringToSign).digest('hex') === signature;
}

interface Received {
  target: string | undefined;
  body: unknown;
  signedHeaders: string[];
  validSignature: boolean;
  sessionToken: string | undefined;
}

let server: Server;
let endpoint: string;
let received: Received[] = [];
/** The region each request was signed for (its credential scope). */
let signedForRegions: string[] = [];
/** What the stand-in answers, in order; the last one repeats. */
let answers: { status: number; body: unknown }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(request.headers.authorization ?? '');
      signedForRegions.push(scope?.[1] ?? '');
      received.push({
        target: request.headers['x-amz-target'] as string | undefined,
        body: JSON.parse(body),
        signedHeaders:
          /SignedHeaders=([^,]+)/.exec(request.headers.authorization ?? '')?.[1]?.split(';') ?? [],
        validSignature: signatureIsValid(request, body, CREDENTIALS.secretAccessKey),
        sessionToken: request.headers['x-amz-security-token'] as string | undefined,
      });
      const answer = answers.length > 1 ? answers.shift() : answers[0];
      response.writeHead(answer?.status ?? 500, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(answer?.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received = [];
  signedForRegions = [];
  answers = [];
});

describe('GetSecretValue without the SDK client', () => {
  it('returns the secret string from a correctly signed JSON-protocol request', async () => {
    answers = [{ status: 200, body: { Name: 'key', SecretString: 'the secret value' } }];
    const client = secretsManager({ region: REGION, endpoint, credentials: CREDENTIALS });

    const value = await client.getSecretString('arn:aws:secretsmanager:eu-west-1:123456789012:secret:key');

    expect(value).toBe('the secret value');
    expect(received).toEqual([
      {
        target: 'secretsmanager.GetSecretValue',
        body: { SecretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:key' },
        signedHeaders: expect.arrayContaining(['content-type', 'host', 'x-amz-date', 'x-amz-target']),
        validSignature: true,
        sessionToken: undefined,
      },
    ]);
  });

  it('has a live signature check: a request signed with another secret key fails it', async () => {
    answers = [{ status: 200, body: { SecretString: 'x' } }];
    const client = secretsManager({
      region: REGION,
      endpoint,
      credentials: { ...CREDENTIALS, secretAccessKey: 'not the key the stand-in knows' },
    });

    await client.getSecretString('key');

    expect(received[0]?.validSignature).toBe(false);
  });

  it('sends and signs the session token of temporary credentials (a Lambda role)', async () => {
    answers = [{ status: 200, body: { SecretString: 'x' } }];
    const client = secretsManager({
      region: REGION,
      endpoint,
      credentials: async () => ({ ...CREDENTIALS, sessionToken: 'session-token-value' }),
    });

    await client.getSecretString('key');

    expect(received[0]).toMatchObject({ sessionToken: 'session-token-value', validSignature: true });
    expect(received[0]?.signedHeaders).toContain('x-amz-security-token');
  });

  it('fails with the service error name and does not retry a client error', async () => {
    answers = [
      {
        status: 400,
        body: {
          __type: 'com.amazonaws.secretsmanager#ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        },
      },
    ];
    const client = secretsManager({ region: REGION, endpoint, credentials: CREDENTIALS });

    const failure = await client.getSecretString('missing').catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(SecretsManagerError);
    expect(failure).toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(received).toHaveLength(1);
  });

  it('retries throttling and server errors, then succeeds', async () => {
    answers = [
      { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } },
      { status: 500, body: { __type: 'InternalServiceError', message: 'oops' } },
      { status: 200, body: { SecretString: 'after retries' } },
    ];
    const client = secretsManager({ region: REGION, endpoint, credentials: CREDENTIALS });

    expect(await client.getSecretString('key')).toBe('after retries');
    expect(received).toHaveLength(3);
  });

  it('gives up after the configured number of attempts', async () => {
    answers = [{ status: 503, body: { __type: 'ServiceUnavailable', message: 'down' } }];
    const client = secretsManager({ region: REGION, endpoint, credentials: CREDENTIALS, maxAttempts: 2 });

    await expect(client.getSecretString('key')).rejects.toMatchObject({ $metadata: { httpStatusCode: 503 } });
    expect(received).toHaveLength(2);
  });

  it('fails clearly for a secret that holds binary data only', async () => {
    answers = [{ status: 200, body: { SecretBinary: 'AAEC' } }];
    const client = secretsManager({ region: REGION, endpoint, credentials: CREDENTIALS });

    await expect(client.getSecretString('binary')).rejects.toThrow(/has no string value/);
  });
});

describe('reading and caching a secret', () => {
  it('reads a local secret from its file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'secret-'));
    try {
      await writeFile(join(dir, 'key'), 'file secret');

      expect(await readSecret({ kind: 'file', path: join(dir, 'key') })).toBe('file secret');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("reads a secret named by ARN in the ARN's region, whatever this function's region", async () => {
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', endpoint);
    vi.stubEnv('AWS_ACCESS_KEY_ID', CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', CREDENTIALS.secretAccessKey);
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    answers = [{ status: 200, body: { SecretString: 'home key set' } }];
    try {
      const homeArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:TokenKeys-abc123';

      const home = { kind: 'secretsManager', secretId: homeArn } as const;
      const local = { kind: 'secretsManager', secretId: 'cdn-key' } as const;

      const fromHome = await readSecret(home, regionOfSecret(home));
      const byName = await readSecret(local, regionOfSecret(local));

      expect([fromHome, byName]).toEqual(['home key set', 'home key set']);
      expect(signedForRegions).toEqual(['us-east-1', 'eu-west-1']);
      expect(received.every((request) => request.validSignature)).toBe(true);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('finds the region of a secret ARN, and none in a name', () => {
    const arn = 'arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:k-AbCdEf';

    expect(regionOfSecret({ kind: 'secretsManager', secretId: arn })).toBe('ap-southeast-1');
    expect(regionOfSecret({ kind: 'secretsManager', secretId: 'chat/token-keys' })).toBeUndefined();
    expect(regionOfSecret({ kind: 'file', path: '/data/secrets/token-signing-keys.json' })).toBeUndefined();
  });

  it('keeps a value once loaded, but forgets a failure so the next call tries again', async () => {
    let calls = 0;
    const load = cachedOnSuccess(async () => {
      calls += 1;
      if (calls === 1) throw new Error('throttled');
      return `value ${calls}`;
    });

    await expect(load()).rejects.toThrow('throttled');
    expect(await load()).toBe('value 2');
    expect(await load()).toBe('value 2');
    expect(calls).toBe(2);
  });
});
