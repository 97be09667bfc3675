/**
 * Connections and typing relays against DynamoDB Local: a connection on its user's feed head and under its own
 * id, the per-user connection limit (oldest closed), tokens that expire, closing a user's or a session's
 * connections, and the typing rate limit (with an injected clock instead of waiting).
 */
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { config } from '../../functions/shared/config';
import {
  CONNECTION_TTL_SECONDS,
  claimTypingSlot,
  getConnectionOwner,
} from '../../functions/shared/data/connections-store';
import { createConversation, type MemberRecord } from '../../functions/shared/data/conversations-store';
import { getHead, takePositions, writeEntries } from '../../functions/shared/data/feed-store';
import type { ConnectionSender } from '../../functions/shared/realtime/connection-sender';
import {
  closeConnection,
  closeConnectionsOf,
  unregisterConnection,
} from '../../functions/shared/realtime/connections';
import { postToConnections } from '../../functions/shared/realtime/delivery';
import { relayTyping, TYPING_INTERVAL_MS } from '../../functions/shared/realtime/typing';
import { openAndRegister } from '../support/connections';

const connectionId = () => `${ulid()}=`;
const HOUR = 3600_000;

function recordingSender() {
  const posts: { connectionId: string; data: string }[] = [];
  const closed: string[] = [];
  const sender: ConnectionSender & { posts: typeof posts; closed: string[] } = {
    posts,
    closed,
    async post(id, data) {
      posts.push({ connectionId: id, data });
      return 'sent';
    },
    async close(id) {
      closed.push(id);
    },
  };
  return sender;
}

async function open(userId: string, at: Date, sender: ConnectionSender, extra: { sessionId?: string } = {}) {
  const id = connectionId();
  await openAndRegister(id, { userId, tokenExpiresAt: at.getTime() + HOUR, ...extra }, { sender }, at);
  return id;
}

const connectionIds = async (userId: string) =>
  (await getHead(userId)).connections.map((connection) => connection.connectionId).sort();

async function conversationOf(userIds: string[]): Promise<string> {
  const id = ulid();
  const at = new Date().toISOString();
  const members: MemberRecord[] = userIds.map((userId) => ({
    conversationId: id,
    userId,
    role: 'member',
    joinedAt: at,
    lastReadMessageId: null,
    lastReadAt: null,
  }));
  const result = await createConversation(
    {
      id,
      type: 'group',
      name: 'typing',
      createdBy: userIds[0] ?? '',
      createdAt: at,
      memberCount: userIds.length,
      lastMessage: null,
      lastActivityAt: at,
    },
    members,
  );
  if (!result.created) throw new Error(`conversation not created: ${result.codes}`);
  return id;
}

describe('connections', () => {
  it("registers a connection on its user's feed head and under its id (expiring after the TTL), and forgets both on disconnect", async () => {
    const userId = ulid();
    const sender = recordingSender();
    const at = new Date();
    const id = await open(userId, at, sender, { sessionId: 'session-1' });

    expect(await connectionIds(userId)).toEqual([id]);
    expect(await getConnectionOwner(id, at)).toMatchObject({ userId, sessionId: 'session-1' });
    expect(
      await getConnectionOwner(id, new Date(at.getTime() + (CONNECTION_TTL_SECONDS + 1) * 1000)),
    ).toBeUndefined();

    expect(await closeConnection(id)).toBe(userId);
    await unregisterConnection(userId, id, new Date()); // what the owner item's REMOVE record does
    expect(await connectionIds(userId)).toEqual([]);
    expect(await getConnectionOwner(id)).toBeUndefined();
    expect(await closeConnection(id)).toBeUndefined();
  });

  it(`closes the oldest connection, telling it why, when a user opens one more than the limit (${config.maxConnectionsPerUser})`, async () => {
    const userId = ulid();
    const sender = recordingSender();
    const start = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < config.maxConnectionsPerUser; i++)
      ids.push(await open(userId, new Date(start + i), sender));
    expect(sender.closed).toEqual([]);

    const newest = await open(userId, new Date(start + 100), sender);

    expect(sender.closed).toEqual([ids[0]]);
    expect(sender.posts).toEqual([
      {
        connectionId: ids[0],
        data: JSON.stringify({ type: 'connection.closing', reason: 'connection-limit' }),
      },
    ]);
    expect(await connectionIds(userId)).toEqual([...ids.slice(1), newest].sort());
  });

  it('sends no event to a connection whose token has expired: tells it why, closes it and forgets it', async () => {
    const userId = ulid();
    const sender = recordingSender();
    const at = new Date();
    const expiring = connectionId();
    await openAndRegister(expiring, { userId, tokenExpiresAt: at.getTime() + 1000 }, { sender }, at);
    const fresh = await open(userId, at, sender);

    const report = await postToConnections(
      await getHead(userId),
      ['{"type":"x"}'],
      sender,
      at.getTime() + 1000,
    );

    expect(report).toMatchObject({ sent: 1, closed: 1 });
    expect(sender.posts).toHaveLength(2);
    expect(sender.posts).toEqual(
      expect.arrayContaining([
        {
          connectionId: expiring,
          data: JSON.stringify({ type: 'connection.closing', reason: 'token-expired' }),
        },
        { connectionId: fresh, data: '{"type":"x"}' },
      ]),
    );
    expect(sender.closed).toEqual([expiring]);
    expect(await connectionIds(userId)).toEqual([fresh]);
  });

  it("closes the connections of one session, or all of a user's, and no one else's", async () => {
    const [userId, other] = [ulid(), ulid()];
    const sender = recordingSender();
    const at = new Date();
    const [a1, a2, b1] = [
      await open(userId, at, sender, { sessionId: 'a' }),
      await open(userId, at, sender, { sessionId: 'a' }),
      await open(userId, at, sender, { sessionId: 'b' }),
    ];
    const othersConnection = await open(other, at, sender, { sessionId: 'a' });

    expect(await closeConnectionsOf(userId, { sessionId: 'a' }, { sender })).toBe(2);
    expect(sender.closed.sort()).toEqual([a1, a2].sort());
    expect(await connectionIds(userId)).toEqual([b1]);

    expect(await closeConnectionsOf(userId, {}, { sender })).toBe(1);
    expect(await connectionIds(userId)).toEqual([]);
    expect(await connectionIds(other)).toEqual([othersConnection]);
    expect(sender.posts.map((post) => JSON.parse(post.data).reason)).toEqual([
      'session-ended',
      'session-ended',
      'session-ended',
    ]);
  });
});

describe('a connection registered while an event of its user is being written', () => {
  it('gets the event once its entry is written, though its writer posted before the connection was registered', async () => {
    const userId = ulid();
    const sender = recordingSender();
    // A stream batch took a position for the user (no connection yet, so it posted to none) and is still
    // writing the entry when the connection is registered.
    const taken = await takePositions(userId, 1);
    const event = JSON.stringify({ type: 'conversation.updated', conversationId: 'c1', name: 'Late' });
    const written = new Promise((resolve) => setTimeout(resolve, 120)).then(() =>
      writeEntries([{ userId, seq: taken.seq, at: taken.takenAt, event }], config.syncRetentionSeconds),
    );

    const id = await open(userId, new Date(taken.takenAt - 10), sender);
    await written;

    expect(sender.posts.map((post) => [post.connectionId, JSON.parse(post.data)])).toEqual([
      [id, expect.objectContaining({ type: 'conversation.updated', name: 'Late', seq: taken.seq })],
    ]);
  });
});

describe('typing', () => {
  it('allows one relay per user and conversation per interval, across calls', async () => {
    const [conversationId, userId] = [ulid(), ulid()];
    const at = new Date();
    const later = (ms: number) => new Date(at.getTime() + ms);

    expect(await claimTypingSlot(conversationId, userId, TYPING_INTERVAL_MS, at)).toBe(true);
    expect(
      await claimTypingSlot(conversationId, userId, TYPING_INTERVAL_MS, later(TYPING_INTERVAL_MS - 1)),
    ).toBe(false);
    expect(await claimTypingSlot(conversationId, ulid(), TYPING_INTERVAL_MS, later(1))).toBe(true);
    expect(await claimTypingSlot(conversationId, userId, TYPING_INTERVAL_MS, later(TYPING_INTERVAL_MS))).toBe(
      true,
    );
  });

  it("relays to the other members' connections only, and drops what is not from a member's connection", async () => {
    const [alice, bob, mallory] = [ulid(), ulid(), ulid()];
    const conversationId = await conversationOf([alice, bob]);
    const [aliceConnection, bobConnection, malloryConnection] = [
      connectionId(),
      connectionId(),
      connectionId(),
    ];
    const sender = recordingSender();
    const at = new Date();
    const claims = (userId: string) => ({ userId, tokenExpiresAt: at.getTime() + HOUR });
    await Promise.all([
      openAndRegister(aliceConnection, claims(alice), { sender }, at),
      openAndRegister(bobConnection, claims(bob), { sender }, at),
      openAndRegister(malloryConnection, claims(mallory), { sender }, at),
    ]);

    const relayed = await relayTyping(aliceConnection, conversationId, { sender }, at);
    const repeated = await relayTyping(
      aliceConnection,
      conversationId,
      { sender },
      new Date(at.getTime() + 100),
    );
    const outsider = await relayTyping(malloryConnection, conversationId, { sender }, at);
    const unknown = await relayTyping(connectionId(), conversationId, { sender }, at);

    expect([relayed.outcome, repeated.outcome, outsider.outcome, unknown.outcome]).toEqual([
      'relayed',
      'rate-limited',
      'not-member',
      'unknown-connection',
    ]);
    expect(sender.posts).toEqual([
      {
        connectionId: bobConnection,
        data: JSON.stringify({ type: 'typing', conversationId, userId: alice }),
      },
    ]);
  });
});
