/**
 * `npm start`: the whole API and the web app on this machine. PORT, WS_PORT, CDN_PORT, WEB_PORT, DATA_DIR
 * and ALLOWED_ORIGINS override the defaults; TOKEN_KEY_GENERATION rotates the local token signing keys when
 * raised (as `-c tokenKeyGeneration` on AWS).
 */
import { parseAllowedOrigins } from '../functions/shared/cors';
import { MissingJavaError } from './services';
import { startLocalStack } from './stack';

const port = Number(process.env.PORT ?? 3000);
const dataDir = process.env.DATA_DIR ?? '.data';
const cdnPort = Number(process.env.CDN_PORT ?? port + 2);
const wsPort = Number(process.env.WS_PORT ?? port + 1);
const webPort = Number(process.env.WEB_PORT ?? port + 3);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, not "${process.env.PORT}".`);
  process.exit(1);
}
if (!Number.isInteger(wsPort) || wsPort < 0 || wsPort > 65535) {
  console.error(`WS_PORT must be a port number, not "${process.env.WS_PORT}".`);
  process.exit(1);
}
if (!Number.isInteger(webPort) || webPort < 0 || webPort > 65535) {
  console.error(`WEB_PORT must be a port number, not "${process.env.WEB_PORT}".`);
  process.exit(1);
}
let allowedOrigins: string[];
try {
  allowedOrigins = parseAllowedOrigins(process.env.ALLOWED_ORIGINS);
} catch (error) {
  console.error(`ALLOWED_ORIGINS: ${(error as Error).message}`);
  process.exit(1);
}
const tokenKeyGeneration =
  process.env.TOKEN_KEY_GENERATION === undefined ? undefined : Number(process.env.TOKEN_KEY_GENERATION);
if (tokenKeyGeneration !== undefined && (!Number.isInteger(tokenKeyGeneration) || tokenKeyGeneration < 1)) {
  console.error(
    `TOKEN_KEY_GENERATION must be a whole number from 1, not "${process.env.TOKEN_KEY_GENERATION}".`,
  );
  process.exit(1);
}
process.env.POWERTOOLS_LOG_LEVEL ??= 'INFO';

const started = Date.now();
try {
  const stack = await startLocalStack({
    port,
    dataDir,
    cdnPort,
    wsPort,
    webPort,
    allowedOrigins,
    tokenKeyGeneration,
    log: console.log,
  });
  console.log(
    [
      '',
      `Chat backend running locally (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
      `  Web app         ${stack.webUrl}`,
      `  HTTP API        ${stack.url}`,
      `  OpenAPI         ${stack.url}/openapi.json`,
      `  WebSocket API   ${stack.wsUrl}?token=<access token>`,
      `  Media CDN       ${stack.cdnUrl}`,
      `  DynamoDB Local  ${stack.dynamoEndpoint}`,
      `  S3 (s3rver)     ${stack.s3Endpoint}`,
      `  Data            ${dataDir}`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await stack.stop();
    console.log('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));
} catch (error) {
  if (error instanceof MissingJavaError) {
    console.error(error.message);
  } else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    const busy = (error as { port?: number }).port ?? port;
    console.error(
      `Port ${busy} is in use. Set others with PORT=3100 WS_PORT=3101 CDN_PORT=3102 WEB_PORT=3103 npm start.`,
    );
  } else {
    console.error('Could not start the local stack:', (error as Error).message);
  }
  process.exit(1);
}
