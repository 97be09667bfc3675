/**
 * The reaction transaction against a real (local) DynamoDB table, with single SDK calls replaced by the
 * transaction conflicts the real service produces under load (DynamoDB Local serializes, so it never does).
 */
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dynamo, tableName } from '../../functions/shared/data/client';
import { memberKey, messageKey } from '../../functions/shared/data/keys';
import { changeReaction } from '../../functions/shared/data/reactions-store';
import { isAwsServiceFailure } from '../../functions/shared/http/problem-responses';

const conflict = () =>
  Object.assign(new Error('Transaction cancelled'), {
    name: 'TransactionCanceledException',
    $metadata: { httpStatusCode: 400 },
    CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
  });

/** A member and a message with no reaction yet, written straight into the table. */
async function memberAndMessage() {
  const conversationId = ulid();
  const userId = ulid();
  const messageId = ulid();
  await dynamo.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...memberKey(conversationId, userId), type: 'Member', conversationId, userId, role: 'member' },
    }),
  );
  await dynamo.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...messageKey(conversationId, messageId),
        type: 'Message',
        id: messageId,
        conversationId,
        senderId: userId,
        createdAt: new Date().toISOString(),
        content: { type: 'text', text: 'react to me' },
      },
    }),
  );
  return { conversationId, userId, messageId, emoji: '👍' };
}

const stampFor = (userId: string) => ({
  id: ulid(),
  userId,
  emoji: '👍',
  added: true,
  at: new Date().toISOString(),
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('changeReaction under transaction conflicts', () => {
  it('retries conflicts from one budget for the whole call, also across a corrected guess, and writes nothing when it gives up', async () => {
    const target = await memberAndMessage();
    // Each guess meets 7 conflicts before DynamoDB answers: the first guess (increment) is wrong for a message
    // with no reaction yet, so a second (create) follows. Per guess, 7 conflicts stay under 8 attempts.
    const realSend = dynamo.send.bind(dynamo);
    let transactions = 0;
    vi.spyOn(dynamo, 'send').mockImplementation(((command: unknown) => {
      if (!(command instanceof TransactWriteCommand)) return realSend(command as never);
      transactions += 1;
      if (transactions % 8 !== 0) return Promise.reject(conflict());
      return realSend(command);
    }) as typeof dynamo.send);

    await expect(changeReaction(target, stampFor(target.userId))).rejects.toMatchObject({
      name: 'TransactionCanceledException',
    });

    // 7 conflicts, the wrong guess, and the 8th conflict ends it: the budget is per call, not per guess.
    expect(transactions).toBe(9);
    vi.restoreAllMocks();
    const { Item: message } = await dynamo.send(
      new GetCommand({ TableName: tableName, Key: messageKey(target.conversationId, target.messageId) }),
    );
    expect(message?.reactions).toBeUndefined();
    expect(message?.lastReaction).toBeUndefined();
  });

  it('commits after a few conflicts, with the corrected guess', async () => {
    const target = await memberAndMessage();
    const realSend = dynamo.send.bind(dynamo);
    let transactions = 0;
    vi.spyOn(dynamo, 'send').mockImplementation(((command: unknown) => {
      if (!(command instanceof TransactWriteCommand)) return realSend(command as never);
      transactions += 1;
      if (transactions === 1 || transactions === 3) return Promise.reject(conflict());
      return realSend(command);
    }) as typeof dynamo.send);

    await expect(changeReaction(target, stampFor(target.userId))).resolves.toBe('changed');

    expect(transactions).toBe(4);
    vi.restoreAllMocks();
    const { Item: message } = await dynamo.send(
      new GetCommand({ TableName: tableName, Key: messageKey(target.conversationId, target.messageId) }),
    );
    expect(message?.reactions).toEqual({ '👍': 1 });
  });
});

describe('changeReaction when every guess is overtaken', () => {
  it('gives up after four guesses with a retryable failure (a 503), not a 500', async () => {
    const target = await memberAndMessage();
    // Others keep moving the count between 1 and 2: "the last one" and "decrement" are each wrong in turn.
    let transactions = 0;
    vi.spyOn(dynamo, 'send').mockImplementation((async () => {
      transactions += 1;
      const count = transactions % 2 === 1 ? '2' : '1';
      throw Object.assign(new Error('Transaction cancelled'), {
        name: 'TransactionCanceledException',
        $metadata: { httpStatusCode: 400 },
        CancellationReasons: [
          { Code: 'None' },
          { Code: 'ConditionalCheckFailed', Item: { reactions: { M: { '👍': { N: count } } } } },
          { Code: 'None' },
          { Code: 'None' },
        ],
      });
    }) as typeof dynamo.send);

    const failure = await changeReaction(target, { ...stampFor(target.userId), added: false }).catch(
      (error: unknown) => error,
    );

    expect(transactions).toBe(4);
    expect(isAwsServiceFailure(failure)).toBe(true);
  });
});
