/**
 * Connections and typing relays against DynamoDB Local: the two items of a connection, their lifetime, and
 * the typing rate limit (with an injected clock instead of waiting).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { dynamo, tableName } from '../../functions/shared/data/client';
import {
  CONNECTION_TTL_SECONDS,
  claimTypingSlot,
  deleteConnectionById,
  getConnectionOwner,
  listConnectionIds,
  saveConnection,
} from '../../functions/shared/data/connections-store';
import { createConversation, type MemberRecord } from '../../functions/shared/data/conversations-store';
import { connectionKey } from '../../functions/shared/data/keys';
import type { ConnectionSender } from '../../functions/shared/realtime/connection-sender';
import { relayTyping, TYPING_INTERVAL_MS } from '../../functions/shared/realtime/typing';

const connectionId = () => `${ulid()}=`;

function recordingSender() {
  const posts: { connectionId: string; data: string }[] = [];
  const sender: ConnectionSender & { posts: typeof posts } = {
    posts,
    async post(id, data) {
      posts.push({ connectionId: id, data });
      return 'sent';
    },
  };
  return sender;
}

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
    id,
  );
  if (!result.created) throw new Error(`conversation not created: ${result.codes}`);
  return id;
}

describe('connections', () => {
  it('stores a connection under its user and under its id, both expiring after the TTL', async () => {
    const userId = ulid();
    const id = connectionId();
    const at = new Date('2030-01-01T00:00:00.000Z');

    await saveConnection(id, userId, at);

    const { Item } = await dynamo.send(
      new GetCommand({ TableName: tableName, Key: connectionKey(userId, id) }),
    );
    expect(Item).toMatchObject({
      connectionId: id,
      userId,
      expiresAt: at.getTime() / 1000 + CONNECTION_TTL_SECONDS,
    });
    expect(await getConnectionOwner(id, at)).toBe(userId);
    expect(await listConnectionIds(userId, at)).toEqual([id]);
  });

  it('treats a connection past its TTL as gone before DynamoDB deletes it', async () => {
    const userId = ulid();
    const id = connectionId();
    const at = new Date();
    await saveConnection(id, userId, at);
    const later = new Date(at.getTime() + (CONNECTION_TTL_SECONDS + 1) * 1000);

    expect(await getConnectionOwner(id, later)).toBeUndefined();
    expect(await listConnectionIds(userId, later)).toEqual([]);
  });

  it('forgets both items by connection id, and tells whose it was', async () => {
    const userId = ulid();
    const [kept, dropped] = [connectionId(), connectionId()];
    await saveConnection(kept, userId, new Date());
    await saveConnection(dropped, userId, new Date());

    expect(await deleteConnectionById(dropped)).toBe(userId);

    expect(await listConnectionIds(userId)).toEqual([kept]);
    expect(await getConnectionOwner(dropped)).toBeUndefined();
    expect(await deleteConnectionById(dropped)).toBeUndefined();
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
    await Promise.all([
      saveConnection(aliceConnection, alice, new Date()),
      saveConnection(bobConnection, bob, new Date()),
      saveConnection(malloryConnection, mallory, new Date()),
    ]);
    const sender = recordingSender();
    const at = new Date();

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
