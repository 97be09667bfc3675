/**
 * Open conversations: their messages (oldest first on screen, pages of older ones loaded on demand), members
 * and read markers (read receipts), who is typing; and every change a person makes to a conversation.
 */
import { batch, type Signal, signal } from '@preact/signals';
import type { Problem, RealtimeEvent, Schemas } from '../../../client';
import {
  isViewing,
  markReadInInbox,
  refreshInbox,
  removeFromInbox,
  setMutedInInbox,
  upsertConversation,
} from './inbox';
import { notify } from './notices';
import { call, failure, type Result } from './result';
import { api, me } from './session';
import { findUserByUsername, rememberProfiles } from './users';

export type Message = Schemas['Message'];
export type Details = Schemas['ConversationDetails'];

const PAGE_SIZE = 50;
/** How long "is typing" shows after the last typing event (the server relays one every 2 s at most). */
const TYPING_SHOWN_MS = 5_000;

export interface ConversationState {
  id: string;
  status: Signal<'loading' | 'ready' | 'missing' | 'left'>;
  problem: Signal<Problem | null>;
  details: Signal<Details | null>;
  /** Ascending by id (ULIDs sort by time), one entry per message id. */
  messages: Signal<Message[]>;
  /** Where the next older page starts; null when the oldest message is loaded. */
  olderCursor: Signal<string | null>;
  loadingOlder: Signal<boolean>;
  /** userId -> when the indicator should disappear. */
  typing: Signal<Record<string, number>>;
}

const states = new Map<string, ConversationState>();

export function conversationState(id: string): ConversationState {
  let state = states.get(id);
  if (!state) {
    state = {
      id,
      status: signal('loading'),
      problem: signal(null),
      details: signal(null),
      messages: signal([]),
      olderCursor: signal(null),
      loadingOlder: signal(false),
      typing: signal({}),
    };
    states.set(id, state);
  }
  return state;
}

/** The conversations whose messages are in memory (the ones to catch up after a reconnect). */
export const loadedConversationIds = () =>
  [...states.values()].filter((state) => state.status.value === 'ready').map((state) => state.id);

/** Keeps the newest state of each message: an edit or deletion is never undone by an older copy. */
function newer(existing: Message, incoming: Message): Message {
  if (existing.deletedAt && !incoming.deletedAt) return existing;
  if (existing.editedAt && (!incoming.editedAt || incoming.editedAt < existing.editedAt)) return existing;
  return incoming;
}

export function mergeMessages(state: ConversationState, incoming: readonly Message[]) {
  if (incoming.length === 0) return;
  const byId = new Map(state.messages.value.map((message) => [message.id, message]));
  for (const message of incoming) {
    const existing = byId.get(message.id);
    const kept = existing ? newer(existing, message) : message;
    // Events' messages carry no reactions (the reaction events do): an edit keeps the ones shown.
    const reactions = kept.deletedAt ? [] : (kept.reactions ?? existing?.reactions);
    byId.set(message.id, reactions ? { ...kept, reactions } : kept);
  }
  state.messages.value = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function setDetails(state: ConversationState, details: Details) {
  state.details.value = details;
  rememberProfiles(
    details.members.map((member) => ({
      id: member.userId,
      username: member.username ?? '',
      displayName: member.displayName ?? member.username ?? '',
    })),
  );
}

async function loadDetails(state: ConversationState): Promise<Result<Details>> {
  const result = await call(api().GET('/conversations/{id}', { params: { path: { id: state.id } } }));
  if (result.ok) setDetails(state, result.value);
  return result;
}

/** Media URLs are signed and expire (15 minutes by default): one that expires within this is renewed. */
const URL_RENEW_MARGIN_MS = 60_000;

const hasExpiringMedia = (state: ConversationState) =>
  state.messages.value.some(
    (message) =>
      message.content &&
      'urlExpiresAt' in message.content &&
      Date.parse(message.content.urlExpiresAt) - Date.now() < URL_RENEW_MARGIN_MS,
  );

const renewing = new Set<string>();
/** A file that fails for another reason must not cause a request loop: at most one renewal per 30 s. */
const lastRenewed = new Map<string, number>();

/**
 * Fetches the loaded messages again for fresh signed media URLs (pictures and videos of a conversation left
 * open, or reopened, after their URLs expired), newest page first, down to the oldest message held.
 */
export async function renewMediaUrls(id: string): Promise<void> {
  const state = conversationState(id);
  const oldest = state.messages.value[0]?.id;
  if (!oldest || renewing.has(id) || Date.now() - (lastRenewed.get(id) ?? 0) < 30_000) return;
  renewing.add(id);
  lastRenewed.set(id, Date.now());
  try {
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await call(
        api().GET('/conversations/{id}/messages', {
          params: { path: { id }, query: { limit: 100, ...(cursor ? { cursor } : {}) } },
        }),
      );
      if (!page.ok) return;
      mergeMessages(state, page.value.items);
      if (!page.value.nextCursor || page.value.items.some((message) => message.id <= oldest)) return;
      cursor = page.value.nextCursor;
    }
  } finally {
    renewing.delete(id);
  }
}

/** Loads a conversation the first time it is shown (later, events and catch-up keep it current). */
export async function openConversation(id: string): Promise<void> {
  const state = conversationState(id);
  if (state.status.value === 'ready') {
    if (hasExpiringMedia(state)) await renewMediaUrls(id);
    void markRead(id);
    return;
  }
  state.status.value = 'loading';
  const [details, page] = await Promise.all([
    loadDetails(state),
    call(
      api().GET('/conversations/{id}/messages', { params: { path: { id }, query: { limit: PAGE_SIZE } } }),
    ),
  ]);
  if (!details.ok || !page.ok) {
    const problem = (!details.ok ? details.problem : !page.ok ? page.problem : null) as Problem;
    batch(() => {
      state.problem.value = problem;
      state.status.value = problem.status === 404 ? 'missing' : 'loading';
    });
    if (problem.status !== 404) notify(problem.detail);
    return;
  }
  batch(() => {
    mergeMessages(state, page.value.items);
    state.olderCursor.value = page.value.nextCursor;
    state.problem.value = null;
    state.status.value = 'ready';
  });
  void markRead(id);
}

export async function loadOlderMessages(id: string): Promise<void> {
  const state = conversationState(id);
  const cursor = state.olderCursor.value;
  if (!cursor || state.loadingOlder.value) return;
  state.loadingOlder.value = true;
  const page = await call(
    api().GET('/conversations/{id}/messages', {
      params: { path: { id }, query: { limit: PAGE_SIZE, cursor } },
    }),
  );
  batch(() => {
    state.loadingOlder.value = false;
    if (!page.ok) return notify(page.problem.detail);
    mergeMessages(state, page.value.items);
    state.olderCursor.value = page.value.nextCursor;
  });
}

/**
 * Fetches what arrived while the socket was down: messages after the newest one held, oldest first, page by
 * page; then members and read markers.
 */
export async function catchUpConversation(id: string): Promise<Result<void>> {
  const state = conversationState(id);
  for (let pages = 0; pages < 20; pages++) {
    const after = state.messages.value.at(-1)?.id;
    const page = await call(
      api().GET('/conversations/{id}/messages', {
        params: { path: { id }, query: { limit: 100, ...(after ? { after } : {}) } },
      }),
    );
    if (!page.ok) {
      if (page.problem.status === 404) markLeft(state);
      return page;
    }
    mergeMessages(state, page.value.items);
    if (page.value.items.length < 100 || !after) break;
  }
  const details = await loadDetails(state);
  if (!details.ok) return details;
  if (isViewing(id)) void markRead(id);
  return { ok: true, value: undefined };
}

const lastMarked = new Map<string, string>();

/** Moves the person's read marker to the newest message, when they are looking at the conversation. */
export async function markRead(id: string): Promise<void> {
  const state = conversationState(id);
  const newest = state.messages.value.at(-1);
  const myId = me.value?.id;
  if (!newest || !myId || !isViewing(id)) return;
  const mine = state.details.value?.members.find((member) => member.userId === myId);
  const marker = lastMarked.get(id) ?? mine?.lastReadMessageId ?? '';
  markReadInInbox(id);
  if (marker >= newest.id) return;
  lastMarked.set(id, newest.id);
  const result = await call(
    api().POST('/conversations/{id}/read', { params: { path: { id } }, body: { messageId: newest.id } }),
  );
  if (!result.ok) lastMarked.delete(id);
  else updateMarker(state, myId, result.value.lastReadMessageId, result.value.lastReadAt);
}

function updateMarker(state: ConversationState, userId: string, messageId: string | null, at: string | null) {
  const details = state.details.value;
  if (!details || !messageId) return;
  state.details.value = {
    ...details,
    members: details.members.map((member) =>
      member.userId === userId && (member.lastReadMessageId ?? '') < messageId
        ? { ...member, lastReadMessageId: messageId, lastReadAt: at }
        : member,
    ),
  };
}

function markLeft(state: ConversationState) {
  batch(() => {
    state.status.value = 'left';
    state.problem.value = {
      type: 'about:blank',
      title: 'Not a member',
      status: 404,
      detail: 'You are no longer a member of this conversation.',
    };
  });
  removeFromInbox(state.id);
}

export function applyConversationEvent(event: RealtimeEvent) {
  if (!('conversationId' in event)) return;
  const state = states.get(event.conversationId);
  if (state?.status.value !== 'ready') return;
  switch (event.type) {
    case 'message.created':
    case 'message.updated':
    case 'message.deleted': {
      const { message } = event;
      batch(() => {
        // Thread replies stay out of the timeline, as in the history it loads (no includeReplies).
        if (!message.parentMessageId) mergeMessages(state, [message]);
        if (event.type === 'message.created') {
          // Sending moves the sender's own marker (the server sends no separate read event for it).
          updateMarker(state, message.senderId, message.id, message.createdAt);
          const { [message.senderId]: _stopped, ...stillTyping } = state.typing.value;
          state.typing.value = stillTyping;
        }
      });
      if (event.type === 'message.created') void markRead(state.id);
      return;
    }
    case 'conversation.read':
      updateMarker(state, event.userId, event.lastReadMessageId, event.lastReadAt);
      return;
    case 'member.added':
    case 'member.updated':
    case 'conversation.updated':
      void loadDetails(state);
      return;
    case 'member.removed':
      if (event.userId === me.value?.id) markLeft(state);
      else void loadDetails(state);
      return;
    case 'reaction.added':
    case 'reaction.removed':
      applyReactionEvent(state, event);
      return;
    case 'conversation.muted':
      applyMute(state, event.muted, event.mutedUntil);
      return;
    case 'typing':
      state.typing.value = { ...state.typing.value, [event.userId]: Date.now() + TYPING_SHOWN_MS };
      setTimeout(() => expireTyping(state), TYPING_SHOWN_MS + 50);
      return;
    default:
      return;
  }
}

type Reaction = NonNullable<Message['reactions']>[number];

/** A message's reactions with one emoji's count set, and whether it is mine when that changed. */
function withReaction(reactions: readonly Reaction[], emoji: string, count: number, mine?: boolean) {
  const previous = reactions.find((reaction) => reaction.emoji === emoji);
  const others = reactions.filter((reaction) => reaction.emoji !== emoji);
  const me = mine ?? previous?.me ?? false;
  const next = count > 0 ? [...others, { emoji, count, me }] : others;
  return next.sort((a, b) => (a.emoji < b.emoji ? -1 : a.emoji > b.emoji ? 1 : 0));
}

function setReactions(
  state: ConversationState,
  messageId: string,
  change: (reactions: Reaction[]) => Reaction[],
) {
  state.messages.value = state.messages.value.map((message) =>
    message.id === messageId && !message.deletedAt
      ? { ...message, reactions: change(message.reactions ?? []) }
      : message,
  );
}

/** The event carries the emoji's count after the change: applying it twice changes nothing. */
function applyReactionEvent(
  state: ConversationState,
  event: Extract<RealtimeEvent, { type: 'reaction.added' | 'reaction.removed' }>,
) {
  const mine = event.userId === me.value?.id ? event.type === 'reaction.added' : undefined;
  setReactions(state, event.messageId, (reactions) =>
    withReaction(reactions, event.emoji, event.count, mine),
  );
}

/** Adds or removes my reaction; the message shows it at once, and the event that follows agrees. */
export async function toggleReaction(id: string, messageId: string, emoji: string, on: boolean) {
  const params = { params: { path: { id, messageId, emoji } } };
  const path = '/conversations/{id}/messages/{messageId}/reactions/{emoji}' as const;
  const result = await call(on ? api().PUT(path, params) : api().DELETE(path, params));
  if (!result.ok) return notify(result.problem.detail);
  setReactions(conversationState(id), messageId, (reactions) => {
    const shown = reactions.find((reaction) => reaction.emoji === emoji);
    if (Boolean(shown?.me) === on) return reactions;
    return withReaction(reactions, emoji, (shown?.count ?? 0) + (on ? 1 : -1), on);
  });
}

function expireTyping(state: ConversationState) {
  const now = Date.now();
  const entries = Object.entries(state.typing.value).filter(([, until]) => until > now);
  if (entries.length !== Object.keys(state.typing.value).length)
    state.typing.value = Object.fromEntries(entries);
}

export async function editMessage(id: string, messageId: string, text: string): Promise<Result<void>> {
  const result = await call(
    api().PATCH('/conversations/{id}/messages/{messageId}', {
      params: { path: { id, messageId } },
      body: { text },
    }),
  );
  if (!result.ok) return result;
  mergeMessages(conversationState(id), [result.value]);
  return { ok: true, value: undefined };
}

export async function deleteMessage(id: string, messageId: string): Promise<Result<void>> {
  const result = await call(
    api().DELETE('/conversations/{id}/messages/{messageId}', { params: { path: { id, messageId } } }),
  );
  if (!result.ok) return result;
  const state = conversationState(id);
  const message = state.messages.value.find((item) => item.id === messageId);
  if (message) mergeMessages(state, [{ ...message, content: null, deletedAt: new Date().toISOString() }]);
  return { ok: true, value: undefined };
}

/** Resolves usernames (as people type them) to user ids; the first unknown one is the error. */
async function resolveUsernames(usernames: readonly string[]): Promise<Result<string[]>> {
  const ids: string[] = [];
  for (const username of usernames) {
    const found = await findUserByUsername(username);
    if (!found.ok) {
      return found.problem.status === 404 ? failure(`There is no user named "${username}".`, 404) : found;
    }
    ids.push(found.value.id);
  }
  return { ok: true, value: ids };
}

export const splitUsernames = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((name) => name.replace(/^@/, ''))
    .filter(Boolean);

export async function startDirectChat(username: string): Promise<Result<string>> {
  const ids = await resolveUsernames([username]);
  if (!ids.ok) return ids;
  const [userId] = ids.value as [string];
  const result = await call(api().POST('/conversations', { body: { type: 'direct', userId } }));
  if (!result.ok) return result;
  upsertConversation(result.value);
  setDetails(conversationState(result.value.id), result.value);
  return { ok: true, value: result.value.id };
}

export async function createGroup(name: string, usernames: readonly string[]): Promise<Result<string>> {
  const ids = await resolveUsernames(usernames);
  if (!ids.ok) return ids;
  const result = await call(
    api().POST('/conversations', { body: { type: 'group', name, memberIds: ids.value } }),
  );
  if (!result.ok) return result;
  upsertConversation(result.value);
  setDetails(conversationState(result.value.id), result.value);
  return { ok: true, value: result.value.id };
}

function applyMute(state: ConversationState, muted: boolean, mutedUntil?: string) {
  const details = state.details.value;
  if (!details) return;
  const { mutedUntil: _previous, ...rest } = details;
  state.details.value = { ...rest, muted, ...(mutedUntil ? { mutedUntil } : {}) };
}

/** Mutes (until unmuted) or unmutes a conversation for me; the inbox and the header follow at once. */
export async function setMuted(id: string, muted: boolean): Promise<Result<void>> {
  const params = { params: { path: { id } } };
  const result = muted
    ? await call(api().PUT('/conversations/{id}/mute', { ...params, body: {} }))
    : await call(api().DELETE('/conversations/{id}/mute', params));
  if (!result.ok) return result;
  applyMute(conversationState(id), muted);
  setMutedInInbox(id, muted);
  return { ok: true, value: undefined };
}

/** Blocks a user: they can no longer message me, and our direct conversation is closed until I unblock. */
export async function blockUser(userId: string): Promise<Result<void>> {
  const result = await call(api().PUT('/users/me/blocks/{userId}', { params: { path: { userId } } }));
  return result.ok ? { ok: true, value: undefined } : result;
}

export async function renameGroup(id: string, name: string): Promise<Result<void>> {
  const result = await call(api().PATCH('/conversations/{id}', { params: { path: { id } }, body: { name } }));
  if (!result.ok) return result;
  setDetails(conversationState(id), result.value);
  upsertConversation(result.value);
  return { ok: true, value: undefined };
}

export async function addMembers(id: string, usernames: readonly string[]): Promise<Result<void>> {
  const ids = await resolveUsernames(usernames);
  if (!ids.ok) return ids;
  const result = await call(
    api().POST('/conversations/{id}/members', { params: { path: { id } }, body: { userIds: ids.value } }),
  );
  if (!result.ok) return result;
  setDetails(conversationState(id), result.value);
  upsertConversation(result.value);
  return { ok: true, value: undefined };
}

export async function changeRole(
  id: string,
  userId: string,
  role: 'admin' | 'member',
): Promise<Result<void>> {
  const result = await call(
    api().PATCH('/conversations/{id}/members/{userId}', { params: { path: { id, userId } }, body: { role } }),
  );
  if (!result.ok) return result;
  await loadDetails(conversationState(id));
  return { ok: true, value: undefined };
}

/** Removes a member, or the person themself (leaving). */
export async function removeMember(id: string, userId: string): Promise<Result<void>> {
  const result = await call(
    api().DELETE('/conversations/{id}/members/{userId}', { params: { path: { id, userId } } }),
  );
  if (!result.ok) return result;
  const state = conversationState(id);
  if (userId === me.value?.id) {
    markLeft(state);
    void refreshInbox();
  } else {
    await loadDetails(state);
  }
  return { ok: true, value: undefined };
}

export function clearConversations() {
  states.clear();
  lastMarked.clear();
  lastRenewed.clear();
}
