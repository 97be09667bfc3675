/**
 * The whole API on this machine: emulated AWS services, the table and bucket created from the stack's own
 * definitions, and the HTTP gateway calling the real handlers. Used by `npm start` and by the e2e tests.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { tableDefinition } from '../functions/shared/data/table-definition';
import type { RouteDefinition } from '../functions/shared/route-definition';
import { matchesStreamFilter } from '../functions/streams/stream-filter';
import { createHttpGateway, type LambdaHttpHandler } from './http-gateway';
import { startDynamoDbLocal, startS3Local } from './services';
import { startStreamPoller } from './stream-poller';
import { ensureTable } from './table';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const LOCAL_TABLE_NAME = 'chat';
export const LOCAL_MEDIA_BUCKET = 'chat-media';

/** Credentials for the emulators only; they check none. Set explicitly so real AWS credentials are never sent. */
export const LOCAL_AWS_ENVIRONMENT = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
} as const;

export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_AWS_ENVIRONMENT.AWS_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** Reads the signing key from the data dir, generating it on first start. Never leaves the data dir. */
export async function ensureSigningKeyFile(dataDir: string): Promise<string> {
  const path = join(dataDir, 'secrets', 'token-signing-key');
  const existing = await readFile(path, 'utf8').catch(() => undefined);
  if (existing === undefined || existing.trim().length < 32) {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFile(path, randomBytes(48).toString('base64url'), { mode: 0o600 });
  }
  return path;
}

export interface FunctionEnvironment {
  tableName: string;
  dynamoEndpoint: string;
  signingKeyFile: string;
}

/** The environment each function gets locally: the local twin of what the stack sets on AWS. */
export function applyFunctionEnvironment(env: FunctionEnvironment): void {
  Object.assign(process.env, LOCAL_AWS_ENVIRONMENT, {
    TABLE_NAME: env.tableName,
    DYNAMODB_ENDPOINT: env.dynamoEndpoint,
    TOKEN_SIGNING_KEY_FILE: env.signingKeyFile,
  });
}

/** Imports every route's handler module, as Lambda would on cold start; fails fast on a missing export. */
export async function loadHttpHandlers(
  routes: readonly RouteDefinition[],
): Promise<Map<string, LambdaHttpHandler>> {
  const entries = await Promise.all(
    routes.map(async (route) => {
      const file = join(projectRoot, 'functions', 'http', `${route.name}.ts`);
      const module = (await import(pathToFileURL(file).href)) as { handler?: LambdaHttpHandler };
      if (typeof module.handler !== 'function')
        throw new Error(`${file} does not export a function "handler"`);
      return [route.name, module.handler] as const;
    }),
  );
  return new Map(entries);
}

export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolvePort((server.address() as AddressInfo).port));
  });
}

export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
}

export interface LocalApi {
  url: string;
  /** Waits until the stream consumers have caught up with every write so far. */
  drainStreams(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the HTTP API and the table's stream consumers over the current environment (see
 * applyFunctionEnvironment): what API Gateway, Lambda and the event source mapping do on AWS.
 */
export async function startApi(port: number): Promise<LocalApi> {
  const tableName = process.env.TABLE_NAME;
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!tableName || !endpoint) throw new Error('applyFunctionEnvironment must run before startApi');
  // Imported here, after the environment is set, because modules read their configuration at load.
  const { routes } = await import('../functions/shared/routes');
  const { handler: streamHandler } = await import('../functions/streams/table-stream');
  const client = localDynamoClient(endpoint);
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  client.destroy();
  if (!Table?.LatestStreamArn) throw new Error(`Table ${tableName} has no stream`);
  const poller = startStreamPoller({
    endpoint,
    region: LOCAL_AWS_ENVIRONMENT.AWS_REGION,
    streamArn: Table.LatestStreamArn,
    handler: streamHandler,
    accept: (record) => matchesStreamFilter(record.dynamodb?.Keys?.[tableDefinition.sortKey]?.S),
    onError: (error) => console.error('[streams] delivery failed', error),
  });
  const server = createHttpGateway({ routes, handlers: await loadHttpHandlers(routes) });
  const boundPort = await listen(server, port);
  return {
    url: `http://localhost:${boundPort}`,
    drainStreams: () => poller.drain(),
    async stop() {
      await closeServer(server);
      await poller.stop();
    },
  };
}

export interface LocalStack {
  apiUrl: string;
  dynamoEndpoint: string;
  s3Endpoint: string;
  stop(): Promise<void>;
}

export async function startLocalStack(options: { port: number; dataDir: string }): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stoppers.reverse()) await stopOne().catch(() => undefined);
  };
  try {
    const [dynamo, s3, signingKeyFile] = await Promise.all([
      startDynamoDbLocal(join(dataDir, 'dynamodb')),
      startS3Local(join(dataDir, 's3'), [LOCAL_MEDIA_BUCKET]),
      ensureSigningKeyFile(dataDir),
    ]);
    stoppers.push(dynamo.stop, s3.stop);
    const client = localDynamoClient(dynamo.endpoint);
    await ensureTable(client, LOCAL_TABLE_NAME);
    client.destroy();
    applyFunctionEnvironment({
      tableName: LOCAL_TABLE_NAME,
      dynamoEndpoint: dynamo.endpoint,
      signingKeyFile,
    });
    const api = await startApi(options.port);
    stoppers.push(api.stop);
    return { apiUrl: api.url, dynamoEndpoint: dynamo.endpoint, s3Endpoint: s3.endpoint, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
