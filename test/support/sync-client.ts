/**
 * A chat client as docs/realtime.md describes it, for tests: it keeps a cursor, applies socket events while
 * they follow on from it (seq = cursor + 1), syncs with GET /sync when one does not (or after reconnecting),
 * and fetches a conversation's history when it joins one. Its state can be compared with what the HTTP API
 * shows (`apiState`).
 */
import type { FeedEvent } from '../../functions/shared/schemas/realtime';
import type { SignedInUser, TestApi } from './api';
import { connect, type TestSocket } from './ws';

export interface ClientMember {
  role: string;
  lastReadMessageId: string | null;
}

export interface ClientConversation {
  name: string | null;
  members: Record<string, ClientMember>;
  /** Messages by id, as the HTTP API presents them. */
  messages: Record<string, unknown>;
}

export type ClientState = Record<string, ClientConversation>;

type ConversationJoinedEvent = Extract<FeedEvent, { type: 'conversation.joined' }>;

const FEED_TYPES = new Set([
  'message.created',
  'message.updated',
  'message.deleted',
  'conversation.read',
  'member.added',
  'member.updated',
  'member.removed',
  'conversation.joined',
  'conversation.updated',
  'reaction.added',
  'reaction.removed',
]);

interface ShownReaction {
  emoji: string;
  count: number;
  me: boolean;
}
type ReactionEvent = Extract<FeedEvent, { type: 'reaction.added' | 'reaction.removed' }>;

/**
 * A message's reactions after a reaction event, as the HTTP API shows them: the event carries the emoji's
 * count after the change; whether it is the reader's own changes only when the reader is who reacted.
 */
function applyReaction(reactions: ShownReaction[], event: ReactionEvent, me: string): ShownReaction[] {
  const previous = reactions.find((reaction) => reaction.emoji === event.emoji);
  const mine = event.userId === me ? event.type === 'reaction.added' : (previous?.me ?? false);
  const others = reactions.filter((reaction) => reaction.emoji !== event.emoji);
  const next = event.count > 0 ? [...others, { emoji: event.emoji, count: event.count, me: mine }] : others;
  return next.sort((a, b) => (a.emoji < b.emoji ? -1 : a.emoji > b.emoji ? 1 : 0));
}

async function get(api: TestApi, user: SignedInUser, path: string) {
  const response = await api.request('GET', path, { token: user.token });
  return response;
}

/** Every message of a conversation the user sees, by id (all pages). */
async function history(api: TestApi, user: SignedInUser, conversationId: string) {
  const messages: Record<string, unknown> = {};
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await get(api, user, `/conversations/${conversationId}/messages?limit=100${query}`);
    if (page.status !== 200) return undefined;
    for (const message of page.body.items) messages[message.id] = message;
    cursor = page.body.nextCursor;
  } while (cursor);
  return messages;
}

async function details(api: TestApi, user: SignedInUser, conversationId: string) {
  const response = await get(api, user, `/conversations/${conversationId}`);
  if (response.status !== 200) return undefined;
  const members: Record<string, ClientMember> = {};
  for (const member of response.body.members) {
    members[member.userId] = { role: member.role, lastReadMessageId: member.lastReadMessageId };
  }
  return { name: response.body.name as string | null, members };
}

/** The state the HTTP API shows the user now: every conversation, its members and every message. */
export async function apiState(api: TestApi, user: SignedInUser): Promise<ClientState> {
  const state: ClientState = {};
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await get(api, user, `/conversations?limit=100${query}`);
    if (page.status !== 200) throw new Error(`GET /conversations: ${page.status}`);
    for (const { id } of page.body.items) {
      const [shown, messages] = await Promise.all([details(api, user, id), history(api, user, id)]);
      if (shown && messages) state[id] = { ...shown, messages };
    }
    cursor = page.body.nextCursor;
  } while (cursor);
  return state;
}

export class SyncClient {
  state: ClientState = {};
  cursor = '';
  seq = 0;
  socket: TestSocket | undefined;
  /** Socket events already looked at. */
  private seen = 0;
  /** Events that named a conversation the client was not in (other than joining it): must stay empty. */
  readonly strays: FeedEvent[] = [];
  /** Every event applied, in order. */
  readonly applied: FeedEvent[] = [];
  syncCalls = 0;

  constructor(
    private readonly api: TestApi,
    readonly user: SignedInUser,
    private readonly pageSize = 100,
  ) {}

  /** Starts from nothing: GET /sync without `since` (a cursor and the first inbox page). */
  async start(): Promise<void> {
    const page = await get(this.api, this.user, '/sync');
    if (page.status !== 200) throw new Error(`GET /sync: ${page.status} ${page.text}`);
    this.cursor = page.body.nextCursor;
    for (const { id } of page.body.inbox.items) await this.load(id);
  }

  async connect(wsUrl: string): Promise<void> {
    this.socket = await connect(wsUrl, this.user.token);
    this.seen = 0;
    await this.sync();
  }

  async disconnect(): Promise<void> {
    await this.socket?.close();
    this.socket = undefined;
  }

  /** Applies what the socket delivered; on a gap, syncs instead. */
  async processSocket(): Promise<void> {
    const events = this.socket?.events ?? [];
    while (this.seen < events.length) {
      const event = events[this.seen++] as FeedEvent;
      if (!FEED_TYPES.has(event.type)) continue;
      if (event.seq <= this.seq) continue;
      if (event.seq === this.seq + 1) await this.apply(event);
      else await this.sync();
    }
  }

  /** GET /sync from the cursor until nothing more follows. */
  async sync(): Promise<void> {
    for (;;) {
      this.syncCalls += 1;
      const page = await get(
        this.api,
        this.user,
        `/sync?since=${encodeURIComponent(this.cursor)}&limit=${this.pageSize}`,
      );
      if (page.status !== 200) throw new Error(`GET /sync: ${page.status} ${page.text}`);
      for (const event of page.body.events as FeedEvent[]) {
        if (event.seq !== this.seq + 1 && this.seq !== 0) {
          throw new Error(`sync skipped from ${this.seq} to ${event.seq}: ${page.text}`);
        }
        await this.apply(event);
      }
      this.cursor = page.body.nextCursor;
      if (!page.body.hasMore) return;
      if (page.body.retryAfterMs) await new Promise((resolve) => setTimeout(resolve, page.body.retryAfterMs));
    }
  }

  private async load(conversationId: string, joined?: ConversationJoinedEvent): Promise<void> {
    const [shown, messages] = await Promise.all([
      details(this.api, this.user, conversationId),
      history(this.api, this.user, conversationId),
    ]);
    if (shown && messages) {
      this.state[conversationId] = { ...shown, messages };
      return;
    }
    // Gone again already (removed since): the events up to the removal still concern the conversation, so
    // it is kept as the event shows it (docs/realtime.md, `conversation.joined`) until the removal drops it.
    if (joined) {
      const members: Record<string, ClientMember> = {};
      for (const member of joined.conversation.members ?? []) {
        members[member.userId] = { role: member.role, lastReadMessageId: member.lastReadMessageId };
      }
      this.state[conversationId] = { name: joined.conversation.name, members, messages: {} };
    }
  }

  private async apply(event: FeedEvent): Promise<void> {
    this.applied.push(event);
    this.seq = event.seq;
    this.cursor = event.cursor;
    if (event.type === 'conversation.joined') {
      await this.load(event.conversationId, event);
      return;
    }
    const conversation = this.state[event.conversationId];
    if (!conversation) {
      this.strays.push(event);
      return;
    }
    switch (event.type) {
      case 'message.created': {
        // Events leave reactions out (docs/realtime.md): a new message has none.
        conversation.messages[event.message.id] = { ...event.message, reactions: [] };
        // A member has read what they send: their marker moves with it (no separate event says so).
        const sender = conversation.members[event.message.senderId];
        if (sender && (sender.lastReadMessageId ?? '') < event.message.id) {
          sender.lastReadMessageId = event.message.id;
        }
        break;
      }
      case 'message.updated': {
        // An edit keeps the reactions the client has; the reaction events keep them current.
        const shown = conversation.messages[event.message.id] as { reactions?: ShownReaction[] } | undefined;
        conversation.messages[event.message.id] = { ...event.message, reactions: shown?.reactions ?? [] };
        break;
      }
      case 'message.deleted':
        conversation.messages[event.message.id] = { ...event.message, reactions: [] };
        break;
      case 'reaction.added':
      case 'reaction.removed': {
        const shown = conversation.messages[event.messageId] as { reactions?: ShownReaction[] } | undefined;
        if (shown) shown.reactions = applyReaction(shown.reactions ?? [], event, this.user.id);
        break;
      }
      case 'conversation.read': {
        const member = conversation.members[event.userId];
        if (member) member.lastReadMessageId = event.lastReadMessageId;
        break;
      }
      case 'member.added':
        conversation.members[event.userId] = { role: event.role, lastReadMessageId: event.lastReadMessageId };
        break;
      case 'member.updated': {
        const member = conversation.members[event.userId];
        if (member) member.role = event.role;
        break;
      }
      case 'member.removed':
        if (event.userId === this.user.id) delete this.state[event.conversationId];
        else delete conversation.members[event.userId];
        break;
      case 'conversation.updated':
        conversation.name = event.name;
        break;
    }
  }
}
