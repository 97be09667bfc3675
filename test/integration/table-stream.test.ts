/**
 * The table-stream function's batch semantics against a real table: conversations are independent (one
 * failing does not stop another), and a failure reports the earliest failed record and everything after it,
 * so Lambda retries from there rather than the whole batch. The fault (a throttled Query) is injected, since
 * DynamoDB Local never throttles.
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { ulid } from 'ulid';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dynamo, tableName } from '../../functions/shared/data/client';
import { memberKey, messageKey, userKey } from '../../functions/shared/data/keys';
import { createDirect } from '../../functions/shared/domain/conversations';
import { handler } from '../../functions/streams/table-stream';

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

const inboxPosition = async (conversationId: string, userId: string) =>
  (await dynamo.send(new GetCommand({ TableName: tableName, Key: memberKey(conversationId, userId) }))).Item
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
});
