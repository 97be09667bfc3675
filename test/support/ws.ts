/**
 * Real WebSocket clients (the `ws` package) against the local WebSocket gateway, for e2e tests and the
 * benchmark. Every frame received is parsed and checked against the event schema as it arrives.
 */
import { safeParse } from 'valibot';
import WebSocket from 'ws';
import { type RealtimeEvent, realtimeEventSchema } from '../../functions/shared/schemas/realtime';

export interface TestSocket {
  socket: WebSocket;
  /** The subprotocol the server selected ('' when none). */
  protocol: string;
  /** Every event received so far, in order. */
  events: RealtimeEvent[];
  /** Frames that were not JSON or did not match the event schema (a test should expect none). */
  invalid: string[];
  send(message: unknown): void;
  /** The first event, received already or within `timeoutMs`, that matches; rejects on timeout. */
  waitFor<T extends RealtimeEvent = RealtimeEvent>(
    predicate: (event: RealtimeEvent) => boolean,
    timeoutMs?: number,
  ): Promise<T>;
  close(): Promise<void>;
}

export type TokenPlacement = 'query' | 'subprotocol';

function wrap(socket: WebSocket): TestSocket {
  const events: RealtimeEvent[] = [];
  const invalid: string[] = [];
  const waiters = new Set<(event: RealtimeEvent) => void>();
  socket.on('message', (data) => {
    const text = String(data);
    let parsed: ReturnType<typeof safeParse<typeof realtimeEventSchema>>;
    try {
      parsed = safeParse(realtimeEventSchema, JSON.parse(text));
    } catch {
      invalid.push(text);
      return;
    }
    if (!parsed.success) {
      invalid.push(text);
      return;
    }
    const event = JSON.parse(text) as RealtimeEvent;
    events.push(event);
    for (const waiter of waiters) waiter(event);
  });
  return {
    socket,
    protocol: socket.protocol,
    events,
    invalid,
    send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    waitFor<T extends RealtimeEvent>(predicate: (event: RealtimeEvent) => boolean, timeoutMs = 2500) {
      const seen = events.find(predicate);
      if (seen) return Promise.resolve(seen as T);
      return new Promise<T>((resolve, reject) => {
        const waiter = (event: RealtimeEvent) => {
          if (!predicate(event)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(event as T);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching event within ${timeoutMs} ms; received ${JSON.stringify(events)}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.once('close', () => resolve());
        socket.close(1000);
      }),
  };
}

/** Opens a connection with the token in the URL (`?token=`) or in the `bearer` subprotocol. */
export function connect(
  wsUrl: string,
  token: string,
  placement: TokenPlacement = 'query',
): Promise<TestSocket> {
  const socket =
    placement === 'query'
      ? new WebSocket(`${wsUrl}/?token=${encodeURIComponent(token)}`)
      : new WebSocket(wsUrl, ['bearer', token]);
  // Listening from the start: a frame may arrive right after the handshake.
  const client = wrap(socket);
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ ...client, protocol: socket.protocol }));
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`connection refused with ${response.statusCode}`)),
    );
  });
}

/** The HTTP status with which the server refused a handshake; rejects if the connection opened. */
export function refusalStatus(url: string, protocols?: string[]): Promise<number> {
  const socket = new WebSocket(url, protocols);
  return new Promise((resolve, reject) => {
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('open', () => {
      socket.close();
      reject(new Error('the connection was accepted'));
    });
    socket.once('error', (error) => reject(error));
  });
}
