/**
 * The local WebSocket gateway with stand-in handlers: the events it builds, the handshake it refuses or
 * accepts, route selection, route responses, and the management API as the real AWS SDK client calls it.
 */
import { createServer, type Server } from 'node:http';
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ManagementApiSender } from '../../functions/shared/realtime/connection-sender';
import type { WebSocketEvent, WebSocketResult } from '../../functions/shared/ws/handler';
import { webSocketRoutes } from '../../functions/shared/ws-routes';
import { closeServer, listen } from '../../local/stack';
import {
  attachWebSocketGateway,
  type LambdaWebSocketHandler,
  type WebSocketGateway,
} from '../../local/ws-gateway';

let server: Server;
let gateway: WebSocketGateway;
let url: string;
let endpoint: string;
const received: { route: string; event: WebSocketEvent }[] = [];

const stand =
  (route: string, answer: (event: WebSocketEvent) => WebSocketResult): LambdaWebSocketHandler =>
  async (event) => {
    received.push({ route, event });
    return answer(event);
  };

beforeEach(async () => {
  received.length = 0;
  server = createServer();
  const port = await listen(server, 0);
  url = `ws://127.0.0.1:${port}`;
  endpoint = `http://127.0.0.1:${port}`;
  gateway = attachWebSocketGateway(server, {
    routes: webSocketRoutes,
    handlers: new Map<string, LambdaWebSocketHandler>([
      [
        'connect',
        stand('connect', (event) => {
          if (event.queryStringParameters?.token !== 'let-me-in') return { statusCode: 401 };
          const offered = event.headers?.['Sec-WebSocket-Protocol'];
          return { statusCode: 200, ...(offered ? { headers: { 'Sec-WebSocket-Protocol': 'bearer' } } : {}) };
        }),
      ],
      ['disconnect', stand('disconnect', () => ({ statusCode: 200 }))],
      ['typing', stand('typing', () => ({ statusCode: 200, body: 'one-way: never sent' }))],
      ['ping', stand('ping', () => ({ statusCode: 200, body: '{"type":"pong"}' }))],
      ['default', stand('default', () => ({ statusCode: 400, body: '{"type":"error","message":"?"}' }))],
    ]),
  });
});

afterEach(async () => {
  await gateway.close();
  await closeServer(server);
});

function open(path = '/?token=let-me-in', protocols?: string[]) {
  const socket = new WebSocket(`${url}${path}`, protocols);
  const frames: string[] = [];
  socket.on('message', (data) => frames.push(String(data)));
  return new Promise<{ socket: WebSocket; frames: string[] }>((resolve, reject) => {
    socket.once('open', () => resolve({ socket, frames }));
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(String(response.statusCode))),
    );
    socket.once('error', reject);
  });
}

async function until(check: () => boolean, timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the handshake', () => {
  it('runs $connect first, with the headers as sent and the query string, and refuses with its status', async () => {
    await expect(open('/?token=wrong')).rejects.toThrow('401');

    const [{ event }] = received as [{ route: string; event: WebSocketEvent }];
    expect(event.requestContext).toMatchObject({
      routeKey: '$connect',
      eventType: 'CONNECT',
      stage: 'local',
      messageDirection: 'IN',
      connectionId: expect.any(String),
    });
    expect(event.queryStringParameters).toEqual({ token: 'wrong' });
    expect(event.headers).toMatchObject({ Host: expect.any(String), 'Sec-WebSocket-Version': '13' });
    expect(gateway.connectionIds()).toEqual([]);
  });

  it('accepts with the subprotocol the handler selected', async () => {
    const { socket } = await open('/?token=let-me-in', ['bearer', 'something']);

    expect(socket.protocol).toBe('bearer');
    expect(gateway.connectionIds()).toHaveLength(1);
    socket.close();
  });
});

describe('messages', () => {
  it('routes by action (else $default) and sends back only what two-way routes answer', async () => {
    const { socket, frames } = await open();

    socket.send(JSON.stringify({ action: 'typing', conversationId: 'c' }));
    socket.send(JSON.stringify({ action: 'ping' }));
    socket.send(JSON.stringify({ action: '$connect' }));
    socket.send('not json');
    await until(() => frames.length === 3 && received.length === 5);

    expect(
      received
        .slice(1)
        .map(({ event }) => event.requestContext.routeKey)
        .sort(),
    ).toEqual(['$default', '$default', 'ping', 'typing'].sort());
    expect(frames.sort()).toEqual(
      ['{"type":"error","message":"?"}', '{"type":"error","message":"?"}', '{"type":"pong"}'].sort(),
    );
    const typing = received.find(({ route }) => route === 'typing')?.event;
    expect(typing).toMatchObject({
      body: '{"action":"typing","conversationId":"c"}',
      isBase64Encoded: false,
    });
    expect(typing?.requestContext).toMatchObject({
      eventType: 'MESSAGE',
      connectionId: gateway.connectionIds()[0],
    });
    socket.close();
  });
});

describe('the management API', () => {
  it('delivers what the SDK posts to a connection, and answers 410 (gone) for an unknown one', async () => {
    const { socket, frames } = await open();
    const [connectionId] = gateway.connectionIds() as [string];
    const sender = new ManagementApiSender(endpoint);

    expect(await sender.post(connectionId, '{"type":"pong"}')).toBe('sent');
    expect(await sender.post('bm8gc3VjaCBjb25uZWN0aW9u', '{"type":"pong"}')).toBe('gone');

    await until(() => frames.length === 1);
    expect(frames).toEqual(['{"type":"pong"}']);
    socket.close();
  });

  it('closes a connection on DeleteConnection, and $disconnect runs with its status code', async () => {
    const { socket } = await open();
    const [connectionId] = gateway.connectionIds() as [string];
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));

    await new ApiGatewayManagementApiClient({ endpoint }).send(
      new DeleteConnectionCommand({ ConnectionId: connectionId }),
    );

    expect(await closed).toBe(1000);
    await until(() => received.some(({ route }) => route === 'disconnect'));
    const disconnect = received.find(({ route }) => route === 'disconnect')?.event;
    expect(disconnect?.requestContext).toMatchObject({
      routeKey: '$disconnect',
      eventType: 'DISCONNECT',
      connectionId,
      disconnectStatusCode: 1000,
    });
  });
});

describe('stopping', () => {
  it('closes every socket with 1001 and waits for their $disconnect handlers', async () => {
    const clients = await Promise.all([open(), open(), open()]);
    const codes = clients.map(
      ({ socket }) => new Promise<number>((resolve) => socket.once('close', (code) => resolve(code))),
    );

    await gateway.close();

    expect(await Promise.all(codes)).toEqual([1001, 1001, 1001]);
    expect(received.filter(({ route }) => route === 'disconnect')).toHaveLength(3);
    await expect(open()).rejects.toThrow('503');
  });
});
