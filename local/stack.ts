/**
 * The whole API on this machine: emulated AWS services, the table and bucket created from the stack's own
 * definitions, and the HTTP gateway calling the real handlers. Used by `npm start` and by the e2e tests.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mediaUploadedDelivery } from '../functions/shared/async-delivery';
import { tableDefinition } from '../functions/shared/data/table-definition';
import type { RouteDefinition } from '../functions/shared/route-definition';
import type { WebSocketRouteDefinition } from '../functions/shared/ws-routes';
import { matchesStreamFilter } from '../functions/streams/stream-filter';
import { asyncInvoker } from './async-invoke';
import { createCdnServer, ensureCdnKeyPair } from './cdn';
import { deadLetterDirectory, LOCAL_FUNCTION_ARNS, localDeadLetterStore } from './dead-letters';
import { createHttpGateway, type LambdaHttpHandler } from './http-gateway';
import { startDynamoDbLocal, startS3Local } from './services';
import { startStreamPoller } from './stream-poller';
import { ensureTable } from './table';
import { attachWebSocketGateway, type LambdaWebSocketHandler } from './ws-gateway';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const LOCAL_TABLE_NAME = 'chat';
export const LOCAL_MEDIA_BUCKET = 'chat-media';

/**
 * Credentials for the emulators only, set explicitly so real AWS credentials are never sent. DynamoDB Local
 * accepts any; s3rver checks header signatures against its built-in key pair S3RVER/S3RVER.
 */
export const LOCAL_AWS_ENVIRONMENT = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
} as const;
export const LOCAL_CREDENTIALS = {
  accessKeyId: LOCAL_AWS_ENVIRONMENT.AWS_ACCESS_KEY_ID,
  secretAccessKey: LOCAL_AWS_ENVIRONMENT.AWS_SECRET_ACCESS_KEY,
};

export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_AWS_ENVIRONMENT.AWS_REGION,
    credentials: LOCAL_CREDENTIALS,
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
  // Metrics are EMF log lines for CloudWatch: locally they would only fill the terminal.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  Object.assign(process.env, LOCAL_AWS_ENVIRONMENT, {
    TABLE_NAME: env.tableName,
    DYNAMODB_ENDPOINT: env.dynamoEndpoint,
    TOKEN_SIGNING_KEY_FILE: env.signingKeyFile,
  });
  // startApi sets it once its WebSocket gateway listens; never keep the endpoint of an earlier gateway in the
  // same process (a test worker runs several files).
  delete process.env.WEBSOCKET_CALLBACK_URL;
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

/** Imports every WebSocket route's handler module (`functions/ws/<name>.ts`), as Lambda would. */
export async function loadWebSocketHandlers(
  routes: readonly WebSocketRouteDefinition[],
): Promise<Map<string, LambdaWebSocketHandler>> {
  const entries = await Promise.all(
    routes.map(async (route) => {
      const file = join(projectRoot, 'functions', 'ws', `${route.name}.ts`);
      const module = (await import(pathToFileURL(file).href)) as { handler?: LambdaWebSocketHandler };
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
  /** The WebSocket API, e.g. `ws://localhost:3001`. */
  wsUrl: string;
  cdnUrl: string;
  s3Endpoint: string;
  /** Waits until the stream consumers have caught up with every write so far. */
  drainStreams(): Promise<void>;
  stop(): Promise<void>;
}

export interface ApiOptions {
  port: number;
  /** Holds the S3 objects and the CDN key pair. */
  dataDir: string;
  cdnPort?: number;
  /** The WebSocket API's port (default: any free one). */
  wsPort?: number;
}

/**
 * Starts what API Gateway, Lambda, S3 and CloudFront do on AWS, over the table named by the current
 * environment (see applyFunctionEnvironment): the HTTP gateway, the table-stream consumer, s3rver with its
 * upload events, and the CDN emulation.
 */
export async function startApi(options: ApiOptions): Promise<LocalApi> {
  const tableName = process.env.TABLE_NAME;
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!tableName || !endpoint) throw new Error('applyFunctionEnvironment must run before startApi');
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stoppers.reverse()) await stopOne().catch(() => undefined);
  };
  try {
    const s3 = await startS3Local(join(options.dataDir, 's3'), [LOCAL_MEDIA_BUCKET]);
    stoppers.push(s3.stop);
    const cdnKeys = await ensureCdnKeyPair(join(options.dataDir, 'secrets'));
    const cdn = createCdnServer({
      s3Endpoint: s3.endpoint,
      bucket: LOCAL_MEDIA_BUCKET,
      publicKey: cdnKeys.publicKey,
      keyPairId: cdnKeys.keyPairId,
    });
    const cdnPort = await listen(cdn, options.cdnPort ?? 0);
    stoppers.push(() => closeServer(cdn));
    const cdnUrl = `http://localhost:${cdnPort}`;
    Object.assign(process.env, {
      MEDIA_BUCKET: LOCAL_MEDIA_BUCKET,
      S3_ENDPOINT: s3.endpoint,
      CDN_BASE_URL: cdnUrl,
      CDN_KEY_PAIR_ID: cdnKeys.keyPairId,
      CDN_PRIVATE_KEY_FILE: cdnKeys.privateKeyFile,
    });

    // The WebSocket gateway listens before any function module loads: its management endpoint is the
    // configuration (WEBSOCKET_CALLBACK_URL) with which functions post to connections.
    const wsServer = createServer();
    const wsPort = await listen(wsServer, options.wsPort ?? 0);
    stoppers.push(() => closeServer(wsServer));
    process.env.WEBSOCKET_CALLBACK_URL = `http://127.0.0.1:${wsPort}`;

    // Imported here, after the environment is set, because modules read their configuration at load.
    const { routes } = await import('../functions/shared/routes');
    const { handler: streamHandler } = await import('../functions/streams/table-stream');
    const { handler: mediaUploaded } = await import('../functions/s3/media-uploaded');

    // What Lambda does with the SQS dead-letter queue on AWS, the local functions do with files here.
    const deadLetters = localDeadLetterStore(deadLetterDirectory(options.dataDir));
    const uploadChecks = asyncInvoker({
      functionArn: LOCAL_FUNCTION_ARNS.mediaUploaded,
      handler: mediaUploaded,
      retryAttempts: mediaUploadedDelivery.retryAttempts,
      deadLetters,
      onError: (error) => console.error('[s3] upload check failed', error),
    });
    s3.onEvent((event) => {
      if (!event.Records.every((record) => record.eventName.startsWith('ObjectCreated'))) return;
      uploadChecks.invoke(event);
    });
    stoppers.push(() => uploadChecks.settled());

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
      deadLetters,
    });
    stoppers.push(() => poller.stop());

    const { webSocketRoutes } = await import('../functions/shared/ws-routes');
    const { config } = await import('../functions/shared/config');
    if (config.websocketCallbackUrl !== process.env.WEBSOCKET_CALLBACK_URL) {
      console.warn('[ws] function modules were loaded before startApi: events will not reach this gateway');
    }
    const webSocket = attachWebSocketGateway(wsServer, {
      routes: webSocketRoutes,
      handlers: await loadWebSocketHandlers(webSocketRoutes),
    });
    // Stopping closes every socket (their $disconnect handlers run) before the stream consumer stops.
    stoppers.push(() => webSocket.close());

    const server = createHttpGateway({ routes, handlers: await loadHttpHandlers(routes) });
    const boundPort = await listen(server, options.port);
    stoppers.push(() => closeServer(server));
    await writeRuntimeFile(options.dataDir, Table.LatestStreamArn);
    stoppers.push(() => rm(runtimeFile(options.dataDir), { force: true }));
    return {
      url: `http://localhost:${boundPort}`,
      wsUrl: `ws://localhost:${wsPort}`,
      cdnUrl,
      s3Endpoint: s3.endpoint,
      drainStreams: () => poller.drain(),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The function settings a running local stack uses: how `npm run redrive -- --local` reaches it. */
export interface LocalRuntime {
  pid: number;
  streamArn: string;
  environment: Record<string, string>;
}

const RUNTIME_VARIABLES = [
  ...Object.keys(LOCAL_AWS_ENVIRONMENT),
  'TABLE_NAME',
  'DYNAMODB_ENDPOINT',
  'TOKEN_SIGNING_KEY_FILE',
  'MEDIA_BUCKET',
  'S3_ENDPOINT',
  'CDN_BASE_URL',
  'CDN_KEY_PAIR_ID',
  'CDN_PRIVATE_KEY_FILE',
  'WEBSOCKET_CALLBACK_URL',
];

export const runtimeFile = (dataDir: string) => join(dataDir, 'local-stack.json');

async function writeRuntimeFile(dataDir: string, streamArn: string) {
  const environment = Object.fromEntries(
    RUNTIME_VARIABLES.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])),
  );
  const runtime: LocalRuntime = { pid: process.pid, streamArn, environment };
  await writeFile(runtimeFile(dataDir), `${JSON.stringify(runtime, null, 2)}\n`, { mode: 0o600 });
}

/** The running local stack of a data dir, or undefined when none runs there. */
export async function readRuntimeFile(dataDir: string): Promise<LocalRuntime | undefined> {
  const text = await readFile(runtimeFile(dataDir), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const runtime = JSON.parse(text) as LocalRuntime;
  try {
    process.kill(runtime.pid, 0);
  } catch {
    return undefined;
  }
  return runtime;
}

export interface LocalStack extends LocalApi {
  dynamoEndpoint: string;
}

export async function startLocalStack(options: {
  port: number;
  dataDir: string;
  cdnPort?: number;
  wsPort?: number;
}): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const [dynamo, signingKeyFile] = await Promise.all([
    startDynamoDbLocal(join(dataDir, 'dynamodb')),
    ensureSigningKeyFile(dataDir),
  ]);
  try {
    const client = localDynamoClient(dynamo.endpoint);
    await ensureTable(client, LOCAL_TABLE_NAME);
    client.destroy();
    applyFunctionEnvironment({
      tableName: LOCAL_TABLE_NAME,
      dynamoEndpoint: dynamo.endpoint,
      signingKeyFile,
    });
    const api = await startApi({
      port: options.port,
      dataDir,
      cdnPort: options.cdnPort,
      wsPort: options.wsPort,
    });
    return {
      ...api,
      dynamoEndpoint: dynamo.endpoint,
      async stop() {
        await api.stop();
        await dynamo.stop();
      },
    };
  } catch (error) {
    await dynamo.stop();
    throw error;
  }
}
