/**
 * Function bundles carry one credential provider: the environment's, which Lambda always sets
 * (functions/shared/aws/lambda-credentials.ts stands in for the SDK's default chain). A bundle built as the
 * stack builds it must still sign its AWS calls with those credentials, and must not carry the chain's other
 * links or the STS/SSO clients they need.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esbuildOptions } from '../../lib/bundling';

const outDir = mkdtempSync(join(tmpdir(), 'chat-credentials-'));
const bundleFile = join(outDir, 'list-tables.mjs');
let bundleText = '';

beforeAll(async () => {
  // A stand-in function: the DynamoDB client, as every route has it, calling an endpoint given at run time.
  const entry = join(outDir, 'entry.ts');
  writeFileSync(
    entry,
    `import { DynamoDBClient, ListTablesCommand } from '${resolve('node_modules/@aws-sdk/client-dynamodb')}';
const client = new DynamoDBClient({ endpoint: process.env.ENDPOINT, region: 'eu-west-1', maxAttempts: 1 });
try {
  console.log(JSON.stringify(await client.send(new ListTablesCommand({}))));
} catch (error) {
  console.log(JSON.stringify({ error: error.name, message: error.message }));
}`,
  );
  await build({
    ...esbuildOptions(),
    entryPoints: [entry],
    outfile: bundleFile,
    absWorkingDir: process.cwd(),
  });
  bundleText = readFileSync(bundleFile, 'utf8');
});

const requests: IncomingHttpHeaders[] = [];
const server = createServer((request, response) => {
  requests.push(request.headers);
  response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
  response.end(JSON.stringify({ TableNames: ['signed'] }));
});
beforeAll(() => new Promise<void>((done) => server.listen(0, '127.0.0.1', done)));
afterAll(() => new Promise<void>((done) => server.close(() => done())));

const run = async (env: Record<string, string>) => {
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { stdout } = await promisify(execFile)(process.execPath, [bundleFile], {
    // Nothing else a default chain could fall back on: no profile, no config files, no metadata endpoints.
    env: { PATH: process.env.PATH ?? '', HOME: outDir, ENDPOINT: endpoint, ...env },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
};

describe('credentials in function bundles', () => {
  it("sign requests with the environment's credentials and session token, as Lambda provides them", async () => {
    const result = await run({
      AWS_ACCESS_KEY_ID: 'AKIDLAMBDAROLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'session-token',
    });

    expect(result).toMatchObject({ TableNames: ['signed'] });
    const headers = requests.at(-1);
    expect(headers?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDLAMBDAROLE\/\d{8}\/eu-west-1\/dynamodb\//,
    );
    expect(headers?.['x-amz-security-token']).toBe('session-token');
  });

  it('fail with a clear error when the environment has no credentials, without trying other sources', async () => {
    const before = requests.length;
    const result = await run({});

    expect(result).toMatchObject({ error: 'CredentialsProviderError' });
    expect(String(result.message)).toContain('AWS_ACCESS_KEY_ID');
    expect(requests.length).toBe(before);
  });

  it("carry none of the default chain's other providers nor the STS and SSO clients", () => {
    for (const marker of [
      'fromSSO',
      'fromIni',
      'fromProcess',
      'fromTokenFile',
      'AssumeRoleWithWebIdentity',
      'GetRoleCredentials',
    ]) {
      expect(bundleText, marker).not.toContain(marker);
    }
  });
});
