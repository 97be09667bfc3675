/**
 * Rotating the access-token keys, as `TOKEN_KEY_GENERATION=N npm start` (and `-c tokenKeyGeneration=N` on AWS)
 * does it: the local API restarted on a rotated key set, with freshly loaded functions, as a deployment does.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureTokenKeys, type LocalApi, type LocalTokenKeys } from '../../local/stack';
import { uniqueUsername } from '../support/api';

let dataDir: string;
let api: (LocalApi & { keys: LocalTokenKeys }) | undefined;

/** (Re)starts the API on the key set of `generation`, with every function module loaded afresh. */
async function deploy(generation: number) {
  await api?.stop();
  const keys = await ensureTokenKeys(dataDir, generation);
  process.env.TOKEN_SIGNING_KEY_FILE = keys.file;
  process.env.TOKEN_JWKS = keys.jwks;
  vi.resetModules();
  const { startApi } = await import('../../local/stack');
  api = { ...(await startApi({ port: 0, dataDir })), keys };
}

async function call(method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const response = await fetch(`${api?.url}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body ? { 'content-type': 'application/json' } : {}),
    },
    body: options.body ? JSON.stringify(options.body) : undefined,
  });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
}

const kidsOf = (keys: LocalTokenKeys) =>
  (JSON.parse(keys.jwks) as { keys: { kid: string }[] }).keys.map((key) => key.kid);

const credentials = { username: uniqueUsername('rotation'), password: 'a long enough password' };

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'chat-rotation-'));
  await deploy(1);
  const created = await call('POST', '/users', { body: credentials });
  if (created.status !== 201) throw new Error(`sign-up failed: ${created.status}`);
});

afterAll(async () => {
  await api?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('token key rotation', () => {
  it('keeps tokens of the previous key valid after one rotation, and stops accepting them after the next', async () => {
    const first = await call('POST', '/login', { body: credentials });
    const firstKid = decodeProtectedHeader(first.body.token).kid;
    const generationOne = api?.keys as LocalTokenKeys;

    await deploy(2);
    const afterOne = await call('GET', '/users/me', { token: first.body.token });
    const second = await call('POST', '/login', { body: credentials });
    const secondKid = decodeProtectedHeader(second.body.token).kid;
    const published = await call('GET', '/.well-known/jwks.json');

    await deploy(3);
    const afterTwo = await call('GET', '/users/me', { token: first.body.token });
    const secondAfterTwo = await call('GET', '/users/me', { token: second.body.token });

    expect(afterOne.status).toBe(200);
    // The key that signs after the rotation was published before it: generation 1 already listed it.
    expect(secondKid).not.toBe(firstKid);
    expect(kidsOf(generationOne)).toContain(secondKid);
    expect(published.body.keys.map((key: { kid: string }) => key.kid)).toEqual(
      expect.arrayContaining([firstKid, secondKid]),
    );
    expect(afterTwo.status).toBe(401);
    expect(secondAfterTwo.status).toBe(200);
  });

  it('keeps the key set when the generation does not rise', async () => {
    const before = api?.keys.jwks;

    await deploy(3);

    expect(api?.keys.jwks).toBe(before);
  });
});
