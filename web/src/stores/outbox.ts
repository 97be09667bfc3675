/**
 * Messages on their way: each gets a clientMessageId when the person sends it and keeps it through every
 * retry, so the server stores it once however often it is sent (a retry of a stored one returns the
 * original). Network failures and busy answers are retried (with backoff, and at once when the socket comes
 * back); "too many requests" (429) is retried when its Retry-After says, and nothing is sent before then; a
 * refusal (other 4xx) stays on screen with the server's reason.
 */
import { signal } from '@preact/signals';
import type { Schemas } from '../../../client';
import { conversationState, mergeMessages } from './conversations';
import { call, isTransient } from './result';
import { api, me } from './session';

export type OutgoingContent = Schemas['SendMessageRequest']['content'];

export interface PendingMessage {
  clientMessageId: string;
  conversationId: string;
  content: OutgoingContent;
  createdAt: string;
  state: 'sending' | 'waiting' | 'failed';
  attempts: number;
  error?: string;
  /** When a rate-limited message is sent again (epoch ms), for the countdown on screen. */
  retryAt?: number;
}

const STORAGE_KEY = 'chat.outbox';
export const outbox = signal<PendingMessage[]>([]);
let retryTimer: ReturnType<typeof setTimeout> | undefined;
/** Until when the server asked us to send nothing (epoch ms; 0 when it did not). */
let rateLimitedUntil = 0;

function save() {
  // Text survives a reload of the tab (media ids too: the upload is already done).
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(outbox.value));
}

function patch(clientMessageId: string, change: Partial<PendingMessage> | null) {
  outbox.value =
    change === null
      ? outbox.value.filter((item) => item.clientMessageId !== clientMessageId)
      : outbox.value.map((item) =>
          item.clientMessageId === clientMessageId ? { ...item, ...change } : item,
        );
  save();
}

/** Sends one message; false when the server refused it for now (429), so nothing more is sent before then. */
async function deliver(item: PendingMessage): Promise<boolean> {
  patch(item.clientMessageId, { state: 'sending', attempts: item.attempts + 1, retryAt: undefined });
  const result = await call(
    api().POST('/conversations/{id}/messages', {
      params: { path: { id: item.conversationId } },
      body: { content: item.content, clientMessageId: item.clientMessageId },
    }),
  );
  if (result.ok) {
    mergeMessages(conversationState(item.conversationId), [result.value]);
    patch(item.clientMessageId, null);
    return true;
  }
  if (result.problem.status === 429 && result.retryAfter !== undefined) {
    const seconds = Math.max(1, result.retryAfter);
    rateLimitedUntil = Date.now() + seconds * 1000;
    patch(item.clientMessageId, {
      state: 'waiting',
      error: result.problem.detail,
      retryAt: rateLimitedUntil,
    });
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => flushOutbox(), seconds * 1000);
    return false;
  }
  if (isTransient(result.problem)) {
    patch(item.clientMessageId, { state: 'waiting', error: result.problem.detail });
    scheduleRetry(item.attempts + 1);
  } else {
    patch(item.clientMessageId, { state: 'failed', error: result.problem.detail });
  }
  return true;
}

function scheduleRetry(attempts: number) {
  clearTimeout(retryTimer);
  const delay = Math.min(30_000, 1000 * 2 ** Math.min(attempts, 5)) * (0.75 + Math.random() / 2);
  retryTimer = setTimeout(() => flushOutbox(), delay);
}

export function sendMessage(conversationId: string, content: OutgoingContent) {
  const item: PendingMessage = {
    clientMessageId: crypto.randomUUID(),
    conversationId,
    content,
    createdAt: new Date().toISOString(),
    state: 'sending',
    attempts: 0,
  };
  const waitMs = rateLimitedUntil - Date.now();
  if (waitMs > 0) {
    // Refused a moment ago: queue behind the others, sent when the wait is over (flushOutbox).
    outbox.value = [...outbox.value, { ...item, state: 'waiting', retryAt: rateLimitedUntil }];
    save();
    return;
  }
  outbox.value = [...outbox.value, item];
  save();
  void deliver(item);
}

/** Sends again everything that is waiting, in the order it was written (called when the socket reconnects). */
export async function flushOutbox() {
  clearTimeout(retryTimer);
  const waitMs = rateLimitedUntil - Date.now();
  if (waitMs > 0) {
    // A reconnect does not cut short the wait the server asked for.
    retryTimer = setTimeout(() => flushOutbox(), waitMs);
    return;
  }
  for (const item of outbox.value.filter((pending) => pending.state === 'waiting')) {
    if (!(await deliver(item))) return;
  }
}

export function retryMessage(clientMessageId: string) {
  if (rateLimitedUntil > Date.now()) return;
  const item = outbox.value.find((pending) => pending.clientMessageId === clientMessageId);
  if (item) void deliver(item);
}

export function discardMessage(clientMessageId: string) {
  patch(clientMessageId, null);
}

/** A message whose copy from the server has arrived (over the socket or a catch-up) is no longer pending. */
export function settleDelivered(messages: readonly Schemas['Message'][]) {
  const myId = me.value?.id;
  const delivered = new Set(
    messages.filter((message) => message.senderId === myId).map((message) => message.clientMessageId),
  );
  if (outbox.value.some((item) => item.state !== 'sending' && delivered.has(item.clientMessageId))) {
    outbox.value = outbox.value.filter(
      (item) => item.state === 'sending' || !delivered.has(item.clientMessageId),
    );
    save();
  }
}

/** Restores what was still pending when the tab was reloaded: it is all retried, never dropped. */
export function restoreOutbox() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? '[]') as PendingMessage[];
    outbox.value = saved.map((item) => (item.state === 'sending' ? { ...item, state: 'waiting' } : item));
  } catch {
    outbox.value = [];
  }
}

export function clearOutbox() {
  clearTimeout(retryTimer);
  rateLimitedUntil = 0;
  outbox.value = [];
  sessionStorage.removeItem(STORAGE_KEY);
}
