/**
 * The WebSocket connection: opened when the person signs in (token in the `bearer` subprotocol, never in the
 * URL), reconnected with backoff when it drops, and after every (re)connection the app catches up over HTTP
 * and resends what is pending (docs/realtime.md, "Reconnecting and catching up").
 */
import { signal } from '@preact/signals';
import { type ClientAction, type RealtimeEvent, realtimeProtocols } from '../../../client';
import { distrustAccessToken, freshAccessToken } from './session';

export type ConnectionStatus = 'offline' | 'connecting' | 'online';
export const connectionStatus = signal<ConnectionStatus>('offline');

/** Keeps an idle connection open (API Gateway closes it after 10 idle minutes) and detects a dead one. */
const PING_EVERY_MS = 120_000;
const PONG_WITHIN_MS = 10_000;
const TYPING_EVERY_MS = 2_500;

interface RealtimeOptions {
  url: string;
  onEvent(event: RealtimeEvent): void;
  /** After each successful (re)connection: catch up on what was missed. */
  onConnected(): void;
}

let options: RealtimeOptions | undefined;
let socket: WebSocket | undefined;
let attempts = 0;
let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
let pingTimer: ReturnType<typeof setInterval> | undefined;
let pongTimer: ReturnType<typeof setTimeout> | undefined;
const lastTypingSent = new Map<string, number>();
const trailingTyping = new Map<string, ReturnType<typeof setTimeout>>();

function send(action: ClientAction): boolean {
  if (socket?.readyState !== WebSocket.OPEN) return false;
  socket.send(JSON.stringify(action));
  return true;
}

async function connect() {
  if (!options || socket) return;
  clearTimeout(reconnectTimer);
  connectionStatus.value = 'connecting';
  const token = await freshAccessToken();
  if (!options || socket) return;
  if (!token) {
    // Signed out while connecting, or the API is unreachable: try again later.
    connectionStatus.value = 'offline';
    return scheduleReconnect();
  }
  const current = new WebSocket(options.url, realtimeProtocols(token));
  socket = current;
  let opened = false;
  current.onopen = () => {
    opened = true;
    attempts = 0;
    connectionStatus.value = 'online';
    clearInterval(pingTimer);
    pingTimer = setInterval(ping, PING_EVERY_MS);
    options?.onConnected();
  };
  current.onmessage = (frame) => {
    let event: RealtimeEvent;
    try {
      event = JSON.parse(String(frame.data)) as RealtimeEvent;
    } catch {
      return;
    }
    if (event.type === 'pong') clearTimeout(pongTimer);
    else options?.onEvent(event);
  };
  current.onclose = () => {
    if (socket !== current) return;
    socket = undefined;
    // Refused at the handshake: perhaps the session ended. The next attempt refreshes first and finds out.
    if (!opened) distrustAccessToken();
    clearInterval(pingTimer);
    clearTimeout(pongTimer);
    connectionStatus.value = 'offline';
    scheduleReconnect();
  };
}

function ping() {
  if (!send({ action: 'ping' })) return;
  clearTimeout(pongTimer);
  pongTimer = setTimeout(() => socket?.close(), PONG_WITHIN_MS);
}

function scheduleReconnect() {
  if (!options) return;
  clearTimeout(reconnectTimer);
  // 1 s, 2 s, 4 s … 30 s, with jitter so a server restart is not met by every client at once.
  const delay = Math.min(30_000, 1000 * 2 ** attempts) * (0.5 + Math.random() / 2);
  attempts = Math.min(attempts + 1, 10);
  reconnectTimer = setTimeout(() => void connect(), delay);
}

function onBrowserOnline() {
  attempts = 0;
  if (!socket) void connect();
}

function onBrowserOffline() {
  // The socket may not notice for minutes; closing it now shows "offline" and queues messages at once.
  socket?.close();
}

export function startRealtime(realtimeOptions: RealtimeOptions) {
  options = realtimeOptions;
  addEventListener('online', onBrowserOnline);
  addEventListener('offline', onBrowserOffline);
  void connect();
}

export function stopRealtime() {
  options = undefined;
  removeEventListener('online', onBrowserOnline);
  removeEventListener('offline', onBrowserOffline);
  clearTimeout(reconnectTimer);
  clearInterval(pingTimer);
  clearTimeout(pongTimer);
  const closing = socket;
  socket = undefined;
  closing?.close(1000);
  connectionStatus.value = 'offline';
  attempts = 0;
}

/**
 * Tells the other members that the person is typing: at once, then at most every 2.5 s while they go on
 * (the server relays one per 2 s); a keystroke inside the window is sent when the window ends.
 */
export function sendTyping(conversationId: string) {
  const now = Date.now();
  const last = lastTypingSent.get(conversationId) ?? 0;
  if (now - last >= TYPING_EVERY_MS) {
    if (send({ action: 'typing', conversationId })) lastTypingSent.set(conversationId, now);
    return;
  }
  if (trailingTyping.has(conversationId)) return;
  const timer = setTimeout(
    () => {
      trailingTyping.delete(conversationId);
      sendTyping(conversationId);
    },
    last + TYPING_EVERY_MS - now,
  );
  trailingTyping.set(conversationId, timer);
}

/** The message is sent: no "typing" may follow it. */
export function stopTyping(conversationId: string) {
  clearTimeout(trailingTyping.get(conversationId));
  trailingTyping.delete(conversationId);
}
