/**
 * The table-stream function's batch semantics against a real table: conversations are independent (one
 * failing does not stop another), and a failure reports the earliest failed record and everything after it,
 * so Lambda retries from there rather than the whole batch. The fault (a throttled Query) is injected, since
 * DynamoDB Local never throttles.
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { ulid } from 'ulid';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dynamo, tableName } from '../../functions/shared/data/client';
import { queryEntries } from '../../functions/shared/data/feed-store';
import { conversationKey, inboxKey, memberKey, messageKey, userKey } from '../../functions/shared/data/keys';
import {
  addMembers,
  createDirect,
  createGroup,
  removeMember,
  rename,
} from '../../functions/shared/domain/conversations';
import { FirstRecordFailed, handleBatch, handler } from '../../functions/streams/table-stream';

async function createUser(): Promise<string> {
  const id = ulid();
  const now = new Date().toISOString();
  await dynamo.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...userKey(id),
        id,
        username: `s${id.toLowerCase()}`,
        displayName: id,
        createdAt: now,
        updatedAt: now,
      },
    }),
  );
  return id;
}

async function conversationOfTwo() {
  const [sender, reader] = [await createUser(), await createUser()];
  const { details } = await createDirect(sender, reader);
  return { id: details.id, sender, reader };
}

let sequence = 0;
function messageInserted(conversationId: string, senderId: string): DynamoDBRecord {
  sequence += 1;
  // Later records get later ids, as on a real stream.
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
    eventID: `e${sequence}`,
    eventName: 'INSERT',
    dynamodb: {
      Keys: marshall({ PK: item.PK, SK: item.SK }) as never,
      NewImage: marshall(item) as never,
      SequenceNumber: String(sequence),
    },
  };
}

/** A change of a message item (edit or delete), as the stream reports it. */
function messageModified(inserted: DynamoDBRecord, change: Record<string, unknown>): DynamoDBRecord {
  sequence += 1;
  const item = { ...unmarshall(inserted.dynamodb?.NewImage as never), ...change };
  if (change.deletedAt) delete item.content;
  return {
    eventID: `e${sequence}`,
    eventName: 'MODIFY',
    dynamodb: {
      Keys: inserted.dynamodb?.Keys,
      NewImage: marshall(item) as never,
      OldImage: inserted.dynamodb?.NewImage,
      SequenceNumber: String(sequence),
    },
  };
}

/** A group renamed, as the stream reports it. */
async function renamed(callerId: string, conversationId: string, name: string): Promise<DynamoDBRecord> {
  await rename(callerId, conversationId, name);
  const { Item } = await dynamo.send(
    new GetCommand({ TableName: tableName, Key: conversationKey(conversationId), ConsistentRead: true }),
  );
  sequence += 1;
  return {
    eventID: `e${sequence}`,
    eventName: 'MODIFY',
    dynamodb: {
      Keys: marshall(conversationKey(conversationId)) as never,
      NewImage: marshall(Item) as never,
      SequenceNumber: String(sequence),
    },
  };
}

/** The event types in a user's feed. */
const feedOf = async (userId: string) =>
  (await queryEntries(userId, 0, 100)).entries.map((entry) => JSON.parse(entry.event).type);

const preview = async (conversationId: string) =>
  (await dynamo.send(new GetCommand({ TableName: tableName, Key: conversationKey(conversationId) }))).Item
    ?.lastMessage;

const inboxPosition = async (conversationId: string, userId: string) =>
  (await dynamo.send(new GetCommand({ TableName: tableName, Key: inboxKey(conversationId, userId) }))).Item
    ?.GSI1SK;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the table-stream function', () => {
  it("moves the other member's inbox entry for every new message and reports no failure", async () => {
    const conversation = await conversationOfTwo();
    const record = messageInserted(conversation.id, conversation.sender);

    const result = await handler({ Records: [record] });

    expect(result.batchItemFailures).toEqual([]);
    const messageId = (record.dynamodb?.Keys?.SK?.S ?? '').slice('MSG#'.length);
    expect(await inboxPosition(conversation.id, conversation.reader)).toBe(`ACT#${messageId}`);
  });

  it('keeps going in other conversations when one fails, and reports from the earliest failed record on', async () => {
    const [failing, healthy] = await Promise.all([conversationOfTwo(), conversationOfTwo()]);
    const records = [
      messageInserted(healthy.id, healthy.sender),
      messageInserted(failing.id, failing.sender),
      messageInserted(healthy.id, healthy.sender),
      messageInserted(failing.id, failing.sender),
    ];
    const failingReaderBefore = await inboxPosition(failing.id, failing.reader);
    const send = dynamo.send.bind(dynamo);
    vi.spyOn(dynamo, 'send').mockImplementation(((command: unknown) => {
      const values = (command as QueryCommand).input?.ExpressionAttributeValues;
      if (command instanceof QueryCommand && values?.[':pk'] === `CONV#${failing.id}`) {
        return Promise.reject(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
      }
      return send(command as never);
    }) as typeof dynamo.send);

    const result = await handler({ Records: records });

    expect(result.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(
      records.slice(1).map((record) => record.dynamodb?.SequenceNumber),
    );
    const lastHealthy = (records[2]?.dynamodb?.Keys?.SK?.S ?? '').slice('MSG#'.length);
    expect(await inboxPosition(healthy.id, healthy.reader)).toBe(`ACT#${lastHealthy}`);
    expect(await inboxPosition(failing.id, failing.reader)).toBe(failingReaderBefore);
  });

  it('throws when the first record fails, so Lambda splits the batch instead of retrying it unchanged', async () => {
    const [failing, healthy] = await Promise.all([conversationOfTwo(), conversationOfTwo()]);
    const records = [
      messageInserted(failing.id, failing.sender),
      messageInserted(healthy.id, healthy.sender),
    ];
    const send = dynamo.send.bind(dynamo);
    vi.spyOn(dynamo, 'send').mockImplementation(((command: unknown) => {
      const values = (command as QueryCommand).input?.ExpressionAttributeValues;
      if (command instanceof QueryCommand && values?.[':pk'] === `CONV#${failing.id}`) {
        return Promise.reject(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
      }
      return send(command as never);
    }) as typeof dynamo.send);

    await expect(handler({ Records: records })).rejects.toBeInstanceOf(FirstRecordFailed);

    // The other conversation's record was still handled in this invocation.
    const healthyId = (records[1]?.dynamodb?.Keys?.SK?.S ?? '').slice('MSG#'.length);
    expect(await inboxPosition(healthy.id, healthy.reader)).toBe(`ACT#${healthyId}`);
  });

  it('reports a failing record that is alone in its batch, for Lambda to retry and then dead-letter', async () => {
    const failing = await conversationOfTwo();
    const record = messageInserted(failing.id, failing.sender);
    vi.spyOn(dynamo, 'send').mockImplementation((() =>
      Promise.reject(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }))) as never);

    const result = await handler({ Records: [record] });

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: record.dynamodb?.SequenceNumber }]);
  });

  it('projects a message whose stream image holds a value without a type (DynamoDB Local’s empty map)', async () => {
    const conversation = await conversationOfTwo();
    const record = messageInserted(conversation.id, conversation.sender);
    const image = record.dynamodb?.NewImage as Record<string, unknown>;
    image.extra = { M: { b: {} } };

    const result = await handler({ Records: [record] });

    expect(result.batchItemFailures).toEqual([]);
    const messageId = (record.dynamodb?.Keys?.SK?.S ?? '').slice('MSG#'.length);
    expect(await inboxPosition(conversation.id, conversation.reader)).toBe(`ACT#${messageId}`);
  });

  describe('a member removed, then added again before the changes made meanwhile are handled', () => {
    /** A group with a member who leaves it; `rejoin` adds them again, after what the test did meanwhile. */
    async function groupLeftBy() {
      const [owner, member, leaver] = [await createUser(), await createUser(), await createUser()];
      await Promise.all([createDirect(owner, member), createDirect(owner, leaver)]); // contacts (issue 8)
      const { id } = await createGroup(owner, 'Stream', [member, leaver]);
      await removeMember(owner, id, leaver);
      // The stream batch of what happens meanwhile is handled once the leaver is back (its members are read
      // after it), as when the consumer lags behind.
      const rejoin = () => addMembers(owner, id, [leaver]);
      return { id, owner, member, leaver, rejoin };
    }

    it('is not told of a message and a rename made while they were out', async () => {
      const group = await groupLeftBy();
      const records = [
        messageInserted(group.id, group.member),
        await renamed(group.owner, group.id, 'While they were out'),
      ];
      await group.rejoin();

      const result = await handleBatch({ Records: records }, { sender: undefined });

      expect(result.batchItemFailures).toEqual([]);
      expect(await feedOf(group.owner)).toEqual(['message.created', 'conversation.updated']);
      expect(await feedOf(group.leaver)).toEqual([]);
    });
  });

  it('tells a member removed before the batch is handled what happened while they were in, and leaves their inbox entry gone', async () => {
    const [owner, member, leaver] = [await createUser(), await createUser(), await createUser()];
    await Promise.all([createDirect(owner, member), createDirect(owner, leaver)]); // contacts (issue 8)
    const { id } = await createGroup(owner, 'Stream', [member, leaver]);
    const records = [messageInserted(id, member), await renamed(owner, id, 'Before the removal')];
    await new Promise((resolve) => setTimeout(resolve, 5)); // a later millisecond on the writer's clock
    // Removed after those changes, but before their batch is handled: the read of the members misses them.
    await removeMember(owner, id, leaver);

    const result = await handleBatch({ Records: records }, { sender: undefined });

    expect(result.batchItemFailures).toEqual([]);
    expect(await feedOf(owner)).toEqual(['message.created', 'conversation.updated']);
    expect(await feedOf(leaver)).toEqual(['message.created', 'conversation.updated']);
    expect(await inboxPosition(id, leaver)).toBeUndefined();
  });

  it('times a removal whose conversation record is in another batch by its departed member, and tells it to a member removed after it', async () => {
    const [owner, member, leaver] = [await createUser(), await createUser(), await createUser()];
    await Promise.all([createDirect(owner, member), createDirect(owner, leaver)]); // contacts (issue 8)
    const { id } = await createGroup(owner, 'Stream', [member, leaver]);
    const membership = (
      await dynamo.send(
        new GetCommand({ TableName: tableName, Key: memberKey(id, leaver), ConsistentRead: true }),
      )
    ).Item;
    await removeMember(owner, id, leaver);
    await new Promise((resolve) => setTimeout(resolve, 5)); // a later millisecond on the writer's clock
    await removeMember(owner, id, member);
    sequence += 1;
    // The first removal's membership record alone: the batch has no conversation record to time it.
    const removal = {
      eventID: `e${sequence}`,
      eventName: 'REMOVE',
      dynamodb: {
        Keys: marshall(memberKey(id, leaver)),
        OldImage: marshall(membership),
        SequenceNumber: String(sequence),
      },
    } as DynamoDBRecord;

    const result = await handleBatch({ Records: [removal] }, { sender: undefined });

    expect(result.batchItemFailures).toEqual([]);
    expect(await feedOf(leaver)).toEqual(['member.removed']);
    expect(await feedOf(member)).toEqual(['member.removed']);
    expect(await feedOf(owner)).toEqual(['member.removed']);
  });

  it('tells a rename alone (a batch with no message) to the members of its time, not to one added after it', async () => {
    const [owner, member, newcomer] = [await createUser(), await createUser(), await createUser()];
    await Promise.all([createDirect(owner, member), createDirect(owner, newcomer)]); // contacts (issue 8)
    const { id } = await createGroup(owner, 'Stream', [member]);
    const records = [await renamed(owner, id, 'Before the newcomer')];
    await new Promise((resolve) => setTimeout(resolve, 5)); // a later millisecond on the writer's clock
    // Added after the rename, but before the rename's batch is handled: the read of the members sees them.
    await addMembers(owner, id, [newcomer]);

    const result = await handleBatch({ Records: records }, { sender: undefined });

    expect(result.batchItemFailures).toEqual([]);
    expect(await feedOf(member)).toEqual(['conversation.updated']);
    expect(await feedOf(newcomer)).toEqual([]);
  });

  it('tells a removal to the members of its time, not to one added after it (its conversation record carries the time)', async () => {
    const [owner, member, leaver, newcomer] = [
      await createUser(),
      await createUser(),
      await createUser(),
      await createUser(),
    ];
    await Promise.all([member, leaver, newcomer].map((other) => createDirect(owner, other))); // contacts (issue 8)
    const { id } = await createGroup(owner, 'Stream', [member, leaver]);
    const read = async (key: Record<string, string>) =>
      (await dynamo.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
    const membership = await read(memberKey(id, leaver));
    await removeMember(owner, id, leaver);
    const conversation = await read(conversationKey(id));
    // The removal's transaction, as the stream reports it: the membership's REMOVE and the conversation's MODIFY.
    const records: DynamoDBRecord[] = [
      {
        eventName: 'REMOVE',
        dynamodb: { Keys: marshall(memberKey(id, leaver)), OldImage: marshall(membership) },
      },
      {
        eventName: 'MODIFY',
        dynamodb: { Keys: marshall(conversationKey(id)), NewImage: marshall(conversation) },
      },
    ].map((record) => {
      sequence += 1;
      return {
        ...record,
        eventID: `e${sequence}`,
        dynamodb: { ...record.dynamodb, SequenceNumber: String(sequence) },
      } as DynamoDBRecord;
    });
    await new Promise((resolve) => setTimeout(resolve, 5)); // a later millisecond on the writer's clock
    await addMembers(owner, id, [newcomer]);

    const result = await handleBatch({ Records: records }, { sender: undefined });

    expect(result.batchItemFailures).toEqual([]);
    expect(await feedOf(member)).toEqual(['member.removed']);
    expect(await feedOf(leaver)).toEqual(['member.removed']);
    expect(await feedOf(newcomer)).toEqual([]);
  });

  it('keeps the newest change in the preview when older changes are replayed (a redrive), and a deletion final', async () => {
    const conversation = await conversationOfTwo();
    const inserted = messageInserted(conversation.id, conversation.sender);
    const firstEdit = messageModified(inserted, {
      content: { type: 'text', text: 'first edit' },
      editedAt: '2026-01-01T00:00:01.000Z',
    });
    const secondEdit = messageModified(inserted, {
      content: { type: 'text', text: 'second edit' },
      editedAt: '2026-01-01T00:00:02.000Z',
    });
    const deletion = messageModified(inserted, { deletedAt: '2026-01-01T00:00:03.000Z' });
    await handler({ Records: [inserted, firstEdit, secondEdit] });

    await handler({ Records: [firstEdit] });
    expect(await preview(conversation.id)).toMatchObject({ preview: 'second edit' });
    await handler({ Records: [secondEdit, deletion] });
    await handler({ Records: [secondEdit, firstEdit, inserted] });

    expect(await preview(conversation.id)).toMatchObject({ type: 'deleted', preview: '' });
  });
});
