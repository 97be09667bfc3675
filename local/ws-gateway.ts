/**
 * A local stand-in for an API Gateway WebSocket API. It calls the route table's handlers with the events API
 * Gateway builds: $connect before the handshake completes (a non-2xx answer refuses it with that status),
 * each text message routed by `$request.body.action` (else `$default`), $disconnect when either side closes.
 * The same port serves the management API (`POST|GET|DELETE /@connections/{id}`, 410 for a connection that is
 * gone), so functions post to local clients with the very SDK client they use on AWS.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { WebSocketEvent, WebSocketResult } from '../functions/shared/ws/handler';
import type { WebSocketRouteDefinition } from '../functions/shared/ws-routes';
import { lambdaContext } from './http-gateway';

export type LambdaWebSocketHandler = (
  event: WebSocketEvent,
  context: ReturnType<typeof lambdaContext>,
) => Promise<WebSocketResult | undefined>;

/** API Gateway's quotas: 128 KB per message, 10 minutes idle, 2 hours per connection. */
const MAX_MESSAGE_BYTES = 128 * 1024;
const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_MAX_CONNECTION_MS = 2 * 3600_000;

export interface WebSocketGatewayOptions {
  routes: readonly WebSocketRouteDefinition[];
  handlers: ReadonlyMap<string, LambdaWebSocketHandler>;
  /** `requestContext.stage` in events (default `local`). */
  stage?: string;
  idleTimeoutMs?: number;
  maxConnectionMs?: number;
}

export interface WebSocketGateway {
  /** Ids of the open connections (for tests). */
  connectionIds(): string[];
  /** Drops every connection abruptly (no close frame), as a network failure would; for tests. */
  dropConnections(): void;
  /** Closes every socket (1001 "Going away"), waits for their $disconnect handlers, stops accepting. */
  close(): Promise<void>;
}

interface LocalConnection {
  id: string;
  socket: WebSocket;
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string;
  domainName: string;
}

/** Like API Gateway's (`L0SM9cOFvHcCIhw=`): base64 with `+`, `/` and `=`, which callers must URL-encode. */
const newConnectionId = () => randomBytes(11).toString('base64');

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (value: number) => String(value).padStart(2, '0');
/** `requestTime` as API Gateway writes it: `21/Nov/2025:05:35:42 +0000`. */
const clfTime = (at: Date) =>
  `${pad(at.getUTCDate())}/${MONTHS[at.getUTCMonth()]}/${at.getUTCFullYear()}:${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} +0000`;

function rawHeaders(request: IncomingMessage) {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] as string;
    const value = request.rawHeaders[i + 1] as string;
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  return { headers, multiValueHeaders };
}

function queryOf(url: URL) {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    single[name] = value;
    multi[name] = [...(multi[name] ?? []), value];
  }
  return Object.keys(single).length
    ? { queryStringParameters: single, multiValueQueryStringParameters: multi }
    : {};
}

function headerOf(headers: Record<string, string> | undefined, name: string): string | undefined {
  return Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];
}

function refuse(socket: Duplex, status: number): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
  );
}

function json(response: ServerResponse, status: number, body?: unknown, errorType?: string) {
  response.writeHead(status, {
    'content-type': 'application/json',
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  response.end(body === undefined ? undefined : JSON.stringify(body));
}

/** Attaches the gateway to an HTTP server that is already listening (see local/stack.ts for why). */
export function attachWebSocketGateway(server: Server, options: WebSocketGatewayOptions): WebSocketGateway {
  const stage = options.stage ?? 'local';
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const maxConnectionMs = options.maxConnectionMs ?? DEFAULT_MAX_CONNECTION_MS;
  const byKey = new Map(options.routes.map((route) => [route.routeKey, route]));
  const connections = new Map<string, LocalConnection>();
  const pending = new Set<Promise<unknown>>();
  const selectedProtocol = new WeakMap<IncomingMessage, string>();
  let stopping = false;

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (_offered, request) => selectedProtocol.get(request) ?? false,
  });

  /** Runs a route's handler as Lambda would; stop() waits for every invocation still running. */
  function invoke(route: WebSocketRouteDefinition, event: WebSocketEvent) {
    const handler = options.handlers.get(route.name);
    const running = handler
      ? handler(event, lambdaContext(`ws-${route.name}`, event.requestContext.requestId))
      : Promise.reject(new Error(`No handler loaded for WebSocket route ${route.routeKey}`));
    pending.add(running);
    void running.finally(() => pending.delete(running)).catch(() => undefined);
    return running;
  }

  function requestContext(
    connection: Pick<LocalConnection, 'id' | 'connectedAt' | 'sourceIp' | 'userAgent' | 'domainName'>,
    routeKey: string,
    eventType: WebSocketEvent['requestContext']['eventType'],
  ): WebSocketEvent['requestContext'] {
    const now = new Date();
    const requestId = randomUUID();
    return {
      routeKey,
      eventType,
      messageId: eventType === 'MESSAGE' ? randomBytes(12).toString('base64') : '',
      extendedRequestId: requestId,
      requestTime: clfTime(now),
      messageDirection: 'IN',
      stage,
      connectedAt: connection.connectedAt,
      requestTimeEpoch: now.getTime(),
      identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
      requestId,
      domainName: connection.domainName,
      connectionId: connection.id,
      apiId: 'local',
    };
  }

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
    if (stopping) return refuse(socket, 503);
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`);
    const candidate = {
      id: newConnectionId(),
      connectedAt: Date.now(),
      sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
      userAgent: request.headers['user-agent'] ?? '',
      domainName: request.headers.host ?? 'localhost',
    };
    const connectRoute = byKey.get('$connect');
    if (connectRoute) {
      let result: WebSocketResult | undefined;
      try {
        result = await invoke(connectRoute, {
          ...rawHeaders(request),
          ...queryOf(url),
          requestContext: requestContext(candidate, '$connect', 'CONNECT'),
          isBase64Encoded: false,
        });
      } catch (error) {
        console.error('[ws] $connect handler failed', error);
        return refuse(socket, 500);
      }
      const status = result?.statusCode ?? 200;
      if (status < 200 || status > 299) return refuse(socket, status);
      const protocol = headerOf(result?.headers, 'sec-websocket-protocol');
      if (protocol) selectedProtocol.set(request, protocol);
    }
    wss.handleUpgrade(request, socket, head, (ws) =>
      open({ ...candidate, socket: ws, lastActiveAt: Date.now() }),
    );
  }

  function open(connection: LocalConnection) {
    connections.set(connection.id, connection);
    const { socket } = connection;
    const goAway = () => socket.close(1001, 'Going away');
    let idle = setTimeout(goAway, idleTimeoutMs).unref();
    const lifetime = setTimeout(goAway, maxConnectionMs).unref();
    socket.on('message', (data, isBinary) => {
      clearTimeout(idle);
      idle = setTimeout(goAway, idleTimeoutMs).unref();
      connection.lastActiveAt = Date.now();
      // API Gateway refuses binary frames and drops the client with 1003.
      if (isBinary) return socket.close(1003, 'Binary frames are not supported');
      void message(connection, Buffer.isBuffer(data) ? data.toString('utf8') : String(data));
    });
    socket.on('close', (code, reason) => {
      clearTimeout(idle);
      clearTimeout(lifetime);
      connections.delete(connection.id);
      const route = byKey.get('$disconnect');
      if (!route) return;
      const event: WebSocketEvent = {
        headers: { Host: connection.domainName },
        requestContext: {
          ...requestContext(connection, '$disconnect', 'DISCONNECT'),
          disconnectStatusCode: code,
          disconnectReason: reason.toString('utf8'),
        },
        isBase64Encoded: false,
      };
      invoke(route, event).catch((error) => console.error('[ws] $disconnect handler failed', error));
    });
  }

  function routeFor(body: string): WebSocketRouteDefinition | undefined {
    let action: unknown;
    try {
      action = (JSON.parse(body) as { action?: unknown } | null)?.action;
    } catch {
      action = undefined;
    }
    const named = typeof action === 'string' && !action.startsWith('$') ? byKey.get(action) : undefined;
    return named ?? byKey.get('$default');
  }

  async function message(connection: LocalConnection, body: string) {
    const route = routeFor(body);
    const context = requestContext(connection, route?.routeKey ?? '$default', 'MESSAGE');
    const reply = (payload: string) => {
      if (connection.socket.readyState === connection.socket.OPEN) connection.socket.send(payload);
    };
    // What API Gateway answers when no route matches, or the integration fails.
    const failure = (text: string) =>
      JSON.stringify({ message: text, connectionId: connection.id, requestId: context.requestId });
    if (!route) return reply(failure('Forbidden'));
    try {
      const result = await invoke(route, { requestContext: context, body, isBase64Encoded: false });
      if (route.returnsResponse && typeof result?.body === 'string') reply(result.body);
    } catch (error) {
      console.error(`[ws] ${route.routeKey} handler failed`, error);
      reply(failure('Internal server error'));
    }
  }

  /** The management API, as the AWS SDK's ApiGatewayManagementApi client calls it. */
  async function manage(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://localhost');
    // The SDK appends `/@connections/{id}` to the endpoint, which on AWS ends with the stage.
    const match = /^(?:\/[^/]+)?\/@connections\/([^/]+)$/.exec(url.pathname);
    if (!match?.[1]) return json(response, 404, { message: 'Not Found' });
    const connection = connections.get(decodeURIComponent(match[1]));
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size <= MAX_MESSAGE_BYTES) chunks.push(chunk as Buffer);
    }
    const open = connection && connection.socket.readyState === connection.socket.OPEN;
    if (!connection || !open) return json(response, 410, { message: null }, 'GoneException');
    if (request.method === 'POST') {
      if (size > MAX_MESSAGE_BYTES) return json(response, 413, { message: null }, 'PayloadTooLargeException');
      connection.socket.send(Buffer.concat(chunks).toString('utf8'));
      return json(response, 200);
    }
    if (request.method === 'GET') {
      return json(response, 200, {
        ConnectedAt: new Date(connection.connectedAt).toISOString(),
        Identity: { SourceIp: connection.sourceIp, UserAgent: connection.userAgent },
        LastActiveAt: new Date(connection.lastActiveAt).toISOString(),
      });
    }
    if (request.method === 'DELETE') {
      connection.socket.close(1000, '');
      response.writeHead(204);
      return response.end();
    }
    return json(response, 405, { message: 'Method Not Allowed' });
  }

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrade(request, socket, head).catch((error) => {
      console.error('[ws] upgrade failed', error);
      refuse(socket, 500);
    });
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    manage(request, response).catch((error) => {
      console.error('[ws] management API failed', error);
      if (!response.headersSent) json(response, 500, { message: 'Internal server error' });
    });
  });

  return {
    connectionIds: () => [...connections.keys()],
    dropConnections() {
      for (const connection of connections.values()) connection.socket.terminate();
    },
    async close() {
      stopping = true;
      const sockets = [...connections.values()].map((connection) => connection.socket);
      await Promise.all(
        sockets.map(
          (socket) =>
            new Promise<void>((resolve) => {
              if (socket.readyState === socket.CLOSED) return resolve();
              const force = setTimeout(() => socket.terminate(), 1000);
              socket.once('close', () => {
                clearTimeout(force);
                resolve();
              });
              socket.close(1001, 'Going away');
            }),
        ),
      );
      await Promise.allSettled([...pending]);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
