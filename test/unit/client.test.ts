import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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
