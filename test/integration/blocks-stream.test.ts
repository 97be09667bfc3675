/**
 * What blocks cost the table-stream function: who blocked an author is read once per author and batch (one
 * Query of `BLOCKEDBY#`, shared by the batch's conversations, beside their members Query), and a blocker is
 * left out of that author's events and unread counts while the other members are not.
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { ulid } from 'ulid';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dynamo, tableName } from '../../functions/shared/data/client';
import { queryEntries } from '../../functions/shared/data/feed-store';
import { BLOCKED_BY_PREFIX, inboxKey, messageKey, userKey } from '../../functions/shared/data/keys';
import { block } from '../../functions/shared/domain/blocks';
import { createDirect, createGroup } from '../../functions/shared/domain/conversations';
import { handleBatch } from '../../functions/streams/table-stream';

async function createUser(): Promise<string> {
  const id = ulid();
  const now = new Date().toISOString();
  await dynamo.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...userKey(id),
        id,
        username: `b${id.toLowerCase()}`,
        displayName: id,
        createdAt: now,
        updatedAt: now,
      },
    }),
  );
  return id;
}

let sequence = 0;
function messageInserted(conversationId: string, senderId: string): DynamoDBRecord {
  sequence += 1;
  const id = ulid(Date.now() + sequence);
  const item = {
    ...messageKey(conversationId, id),
    id,
    conversationId,
    senderId,
    content: { type: 'text', text: 'hi' },
    createdAt: new Date().toISOString(),
  };
  return {
    eventID: `b${sequence}`,
    eventName: 'INSERT',
    dynamodb: {
      Keys: marshall({ PK: item.PK, SK: item.SK }) as never,
      NewImage: marshall(item) as never,
      SequenceNumber: String(sequence).padStart(10, '0'),
    },
  };
}

const feedOf = async (userId: string) =>
  (await queryEntries(userId, 0, 100)).entries.map((entry) => JSON.parse(entry.event).type);
const unreadOf = async (conversationId: string, userId: string) =>
  (await dynamo.send(new GetCommand({ TableName: tableName, Key: inboxKey(conversationId, userId) }))).Item
    ?.unreadCount;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('blocks in the table-stream function', () => {
  it('reads who blocked an author once for a whole batch, and leaves only the blocker out', async () => {
    const [author, blocker, other] = [await createUser(), await createUser(), await createUser()];
    for (const member of [blocker, other]) await createDirect(author, member);
    const [first, second] = [
      await createGroup(author, 'One', [blocker, other]),
      await createGroup(author, 'Two', [blocker, other]),
    ];
    await block(blocker, author);
    const before = { blocker: (await feedOf(blocker)).length, other: (await feedOf(other)).length };
    const send = vi.spyOn(dynamo, 'send');

    const result = await handleBatch(
      {
        Records: [
          messageInserted(first.id, author),
          messageInserted(second.id, author),
          messageInserted(first.id, author),
        ],
      },
      { sender: undefined },
    );

    expect(result.batchItemFailures).toEqual([]);
    const blockerReads = send.mock.calls.filter(
      ([command]) =>
        command instanceof QueryCommand &&
        command.input.ExpressionAttributeValues?.[':prefix'] === BLOCKED_BY_PREFIX,
    );
    expect(blockerReads).toHaveLength(1);
    expect((await feedOf(blocker)).length).toBe(before.blocker);
    expect((await feedOf(other)).length).toBe(before.other + 3);
    expect(await unreadOf(first.id, blocker)).toBe(0);
    expect(await unreadOf(first.id, other)).toBe(2);
  });
});
