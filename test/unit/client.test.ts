import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { retryAfterSeconds } from '../../client/retry-after';
import { clientSources } from '../../scripts/client-sources';

describe('the generated API client (client/generated/)', () => {
  it('is committed exactly as generated from docs/openapi.json and the real-time schemas (run `npm run client`)', async () => {
    const sources = await clientSources();
    expect(Object.keys(sources).sort()).toEqual([
      'client/generated/openapi.ts',
      'client/generated/realtime.ts',
    ]);
    for (const [path, source] of Object.entries(sources)) {
      expect(readFileSync(path, 'utf8'), `${path} is stale: run npm run client`).toBe(source);
    }
  });

  it('types every operation of the OpenAPI document', async () => {
    const openapi = JSON.parse(readFileSync('docs/openapi.json', 'utf8')) as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    const generated = (await clientSources())['client/generated/openapi.ts'] as string;
    for (const [path, operations] of Object.entries(openapi.paths)) {
      expect(generated).toContain(`"${path}": {`);
      for (const operation of Object.values(operations)) {
        expect(generated).toContain(`operations["${operation.operationId}"]`);
      }
    }
  });
});

describe('retryAfterSeconds (how long a refused call asks to wait)', () => {
  const answer = (retryAfter?: string) =>
    new Response(null, {
      status: 429,
      headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
    });

  it('reads delay-seconds and an HTTP date, and gives undefined when there is none or it is not one', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');

    expect(retryAfterSeconds(answer('7'), now)).toBe(7);
    expect(retryAfterSeconds(answer('Thu, 01 Jan 2026 00:00:03 GMT'), now)).toBe(3);
    expect(retryAfterSeconds(answer('Wed, 31 Dec 2025 23:59:00 GMT'), now)).toBe(0);
    expect(retryAfterSeconds(answer(), now)).toBeUndefined();
    expect(retryAfterSeconds(answer('soon'), now)).toBeUndefined();
    expect(retryAfterSeconds(undefined, now)).toBeUndefined();
  });
});
