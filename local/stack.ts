/**
 * The whole API on this machine: emulated AWS services, the table and bucket created from the stack's own
 * definitions, and the HTTP gateway calling the real handlers. Used by `npm start` and by the e2e tests.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3EventRecord } from 'aws-lambda';
import { mediaUploadedDelivery } from '../functions/shared/async-delivery';
import {
  keySetForGeneration,
  parseTokenKeySet,
  publicJwks,
  type TokenKeySet,
} from '../functions/shared/auth/token-keys';
import { QUARANTINE_PREFIX } from '../functions/shared/media/object-keys';
import type { RouteDefinition } from '../functions/shared/route-definition';
import type { WebSocketRouteDefinition } from '../functions/shared/ws-routes';
import { matchesStreamFilter } from '../functions/streams/stream-filter';
import { provideBuildConstants } from '../lib/bundling';
import { asyncInvoker } from './async-invoke';
import { createCdnServer, ensureCdnKeyPair } from './cdn';
import { deadLetterDirectory, LOCAL_FUNCTION_ARNS, localDeadLetterStore } from './dead-letters';
import { delayedQueue } from './delayed-queue';
import { createHttpGateway, type LambdaHttpHandler } from './http-gateway';
import { startDynamoDbLocal, startS3Local } from './services';
import { startStreamPoller } from './stream-poller';
import { ensureTable } from './table';
import { ensureWebBuild, serveWebApp } from './web-app';
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

export interface LocalTokenKeys {
  /** The key set (private keys): what the Secrets Manager secret holds on AWS. */
  file: string;
  /** Its public keys, as the stack passes them to verifying functions (TOKEN_JWKS). */
  jwks: string;
}

/**
 * The access-token key set in DATA_DIR/secrets, the local twin of what the custom resource keeps in Secrets
 * Manager: generated on first start (never committed, never leaves the data dir), rotated once when
 * `generation` is higher than the one it was made for (TOKEN_KEY_GENERATION=2 npm start).
 */
export async function ensureTokenKeys(dataDir: string, generation?: number): Promise<LocalTokenKeys> {
  const file = join(dataDir, 'secrets', 'token-signing-keys.json');
  let existing: TokenKeySet | undefined;
  try {
    existing = parseTokenKeySet(await readFile(file, 'utf8'));
  } catch {
    existing = undefined;
  }
  const { keySet, changed } = keySetForGeneration(existing, generation ?? existing?.generation ?? 1);
  if (changed) {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(file, JSON.stringify(keySet), { mode: 0o600 });
  }
  return { file, jwks: JSON.stringify(publicJwks(keySet)) };
}

export interface FunctionEnvironment {
  tableName: string;
  dynamoEndpoint: string;
  tokenKeys: LocalTokenKeys;
}

/** The environment each function gets locally: the local twin of what the stack sets on AWS. */
export function applyFunctionEnvironment(env: FunctionEnvironment): void {
  // Metrics are EMF log lines for CloudWatch: locally they would only fill the terminal.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  Object.assign(process.env, LOCAL_AWS_ENVIRONMENT, {
    TABLE_NAME: env.tableName,
    DYNAMODB_ENDPOINT: env.dynamoEndpoint,
    // On AWS only login and refresh get the key set; here every function shares one process.
    TOKEN_SIGNING_KEY_FILE: env.tokenKeys.file,
    TOKEN_JWKS: env.tokenKeys.jwks,
  });
  // startApi sets it once its WebSocket gateway listens; never keep the endpoint of an earlier gateway in the
  // same process (a test worker runs several files).
  delete process.env.WEBSOCKET_CALLBACK_URL;
}

/** Imports every route's handler module, as Lambda would on cold start; fails fast on a missing export. */
export async function loadHttpHandlers(
  routes: readonly RouteDefinition[],
): Promise<Map<string, LambdaHttpHandler>> {
  // What the bundler embeds on AWS (e.g. the compressed OpenAPI document), computed here instead.
  provideBuildConstants(routes.flatMap((route) => route.buildConstants ?? []));
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
  /** Cuts every WebSocket connection abruptly, as a network failure would (tests of reconnecting). */
  dropWebSocketConnections(): void;
  stop(): Promise<void>;
}

export interface ApiOptions {
  port: number;
  /** Holds the S3 objects and the CDN key pair. */
  dataDir: string;
  cdnPort?: number;
  /** The WebSocket API's port (default: any free one). */
  wsPort?: number;
  /** Origins whose pages may call the HTTP API (CORS); none by default. */
  allowedOrigins?: readonly string[];
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
    // Like the bucket notification on AWS: only objects created in quarantine reach the upload check.
    s3.onEvent((event) => {
      const inQuarantine = (record: S3EventRecord) =>
        record.eventName.startsWith('ObjectCreated') &&
        decodeURIComponent(record.s3.object.key).startsWith(QUARANTINE_PREFIX);
      if (!event.Records.every(inQuarantine)) return;
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
      accept: matchesStreamFilter,
      onError: (error) => console.error('[streams] delivery failed', error),
      deadLetters,
    });
    stoppers.push(() => poller.stop());
    // The presence rechecks' delay queue (SQS on AWS): timers handing each recheck to its function.
    const { handler: presenceRecheck } = await import('../functions/streams/presence-recheck');
    const { recheckBody, useRecheckScheduler } = await import(
      '../functions/shared/realtime/presence-rechecks'
    );
    const rechecks = delayedQueue({
      queueArn: 'arn:aws:sqs:local:000000000000:presence-rechecks',
      handler: presenceRecheck,
      onError: (error) => console.error('[presence] recheck failed', error),
    });
    useRecheckScheduler(async (userId, atMs) => rechecks.send(recheckBody(userId), atMs - Date.now()));
    stoppers.push(async () => {
      useRecheckScheduler(undefined);
      await rechecks.stop();
    });
    // Lambda reads the stream on its own; here the poller is told of every write the functions make, so that
    // it reads the change at once instead of polling DynamoDB Local many times a second (local/stream-poller.ts).
    const { dynamo: functionsClient } = await import('../functions/shared/data/client');
    functionsClient.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (!/^(Get|BatchGet|Query|Scan)/.test(context.commandName ?? '')) poller.nudge();
        return result;
      },
      { step: 'initialize', name: 'localStreamNudge' },
    );

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

    const server = createHttpGateway({
      routes,
      handlers: await loadHttpHandlers(routes),
      allowedOrigins: options.allowedOrigins ?? [],
    });
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
      dropWebSocketConnections: () => webSocket.dropConnections(),
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
  /** The web app, served from web/dist and pointed at this stack. */
  webUrl: string;
}

export async function startLocalStack(options: {
  port: number;
  dataDir: string;
  cdnPort?: number;
  wsPort?: number;
  webPort?: number;
  /** Origins allowed to call the API besides the web app's own and the Vite dev server's. */
  allowedOrigins?: readonly string[];
  /** Where build progress goes. */
  log?: (message: string) => void;
  /** Rotates the local token keys when higher than the generation they were made for. */
  tokenKeyGeneration?: number;
}): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const [dynamo, tokenKeys] = await Promise.all([
    startDynamoDbLocal(join(dataDir, 'dynamodb'), { detached: true }),
    ensureTokenKeys(dataDir, options.tokenKeyGeneration),
    // Built while the JVM starts: a fresh clone's first `npm start` builds once, later starts skip it.
    ensureWebBuild(options.log),
  ]);
  try {
    const client = localDynamoClient(dynamo.endpoint);
    await ensureTable(client, LOCAL_TABLE_NAME);
    client.destroy();
    applyFunctionEnvironment({
      tableName: LOCAL_TABLE_NAME,
      dynamoEndpoint: dynamo.endpoint,
      tokenKeys,
    });
    const vitePort = Number(process.env.VITE_PORT ?? 5173);
    const served = await serveWebApp(
      (allowedOrigins) =>
        startApi({
          port: options.port,
          dataDir,
          cdnPort: options.cdnPort,
          wsPort: options.wsPort,
          allowedOrigins,
        }),
      {
        port: options.webPort ?? 0,
        // `npm run dev` (Vite) against this stack.
        extraOrigins: [
          `http://localhost:${vitePort}`,
          `http://127.0.0.1:${vitePort}`,
          ...(options.allowedOrigins ?? []),
        ],
      },
    );
    return {
      ...served.api,
      dynamoEndpoint: dynamo.endpoint,
      webUrl: served.webUrl,
      async stop() {
        await served.stop();
        await dynamo.stop();
      },
    };
  } catch (error) {
    await dynamo.stop();
    throw error;
  }
}
