/**
 * Data access for reactions. A reaction is two small items in the conversation's partition (one keyed for
 * "who reacted with this emoji", one for "what did I react with on this page") and a count on the message
 * item itself (`reactions`: emoji -> count), all written in one transaction with the caller's membership as a
 * condition, so a page of history carries its counts with no extra read and concurrent reactions never lose
 * one. The message item also records the change (`lastReaction`): its stream record becomes the
 * `reaction.added` / `reaction.removed` event (projections/changes.ts), so the reaction items themselves
 * never reach the stream consumer. docs/data-model.md ("Reactions") has the costs.
 */
import { QueryCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  cancellationCodes,
  cancelledItem,
  conflictBackoff,
  dynamo,
  isConflictOnly,
  tableName,
} from './client';
import { memberCondition } from './conversations-store';
import { messageKey, reactedKey, reactedPrefix, reactionKey, reactionPrefix } from './keys';
import { originStamp } from './origin';

/** At most this many distinct emoji on one message (a condition of the adding transaction). */
export const MAX_DISTINCT_EMOJI = 20;

/**
 * Transactions on one hot message conflict under load; each conflict is retried with backoff, up to this
 * many conflicts per request in all (about 2.5 s of waiting at most).
 */
const CONFLICT_ATTEMPTS = 8;

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface ReactionTarget {
  conversationId: string;
  messageId: string;
  emoji: string;
  userId: string;
}

/** What the stream consumer reads back from the message's `lastReaction` (see projections/changes.ts). */
export interface ReactionStamp {
  /** Unique per change (a ULID), so two changes in a row are never taken for one. */
  id: string;
  userId: string;
  emoji: string;
  added: boolean;
  at: string;
}

export type ReactionOutcome = 'changed' | 'unchanged' | 'not-member' | 'no-message' | 'deleted' | 'too-many';

/**
 * How the message's counts change: `increment` and `decrement` a count in the existing map; `create` the map
 * (the message's first reaction ever); `last` removes the emoji (its count was 1). Which one applies depends
 * on the item; the transaction's condition says when the guess was wrong and the old item tells the right one.
 */
type CountChange = 'increment' | 'create' | 'decrement' | 'last';

function messageUpdate(target: ReactionTarget, stamp: ReactionStamp, change: CountChange): TransactItem {
  const origin = originStamp();
  const set = ['lastReaction = :stamp', ...(origin.writtenIn ? ['writtenIn = :writtenIn'] : [])];
  const live = 'attribute_exists(PK) AND attribute_not_exists(deletedAt)';
  const values: Record<string, unknown> = {
    ':stamp': stamp,
    ...(origin.writtenIn ? { ':writtenIn': origin.writtenIn } : {}),
  };
  let update: string;
  let condition: string;
  switch (change) {
    case 'create':
      update = `SET reactions = :first, ${set.join(', ')}`;
      condition = `${live} AND attribute_not_exists(reactions)`;
      values[':first'] = { [target.emoji]: 1 };
      break;
    case 'increment':
      update = `SET reactions.#emoji = if_not_exists(reactions.#emoji, :zero) + :one, ${set.join(', ')}`;
      // A new emoji only while fewer than the maximum are shown: checked in the write, so it holds under races.
      condition = `${live} AND attribute_exists(reactions) AND (attribute_exists(reactions.#emoji) OR size(reactions) < :max)`;
      Object.assign(values, { ':zero': 0, ':one': 1, ':max': MAX_DISTINCT_EMOJI });
      break;
    case 'decrement':
      update = `SET reactions.#emoji = reactions.#emoji - :one, ${set.join(', ')}`;
      condition = `${live} AND reactions.#emoji > :one`;
      values[':one'] = 1;
      break;
    case 'last':
      update = `REMOVE reactions.#emoji SET ${set.join(', ')}`;
      condition = `${live} AND reactions.#emoji = :one`;
      values[':one'] = 1;
      break;
  }
  return {
    Update: {
      TableName: tableName,
      Key: messageKey(target.conversationId, target.messageId),
      UpdateExpression: update,
      ConditionExpression: condition,
      ...(change === 'create' ? {} : { ExpressionAttributeNames: { '#emoji': target.emoji } }),
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

function reactionItems(target: ReactionTarget, stamp: ReactionStamp): TransactItem[] {
  const { conversationId, messageId, emoji, userId } = target;
  const reaction = reactionKey(conversationId, messageId, emoji, userId);
  const reacted = reactedKey(conversationId, userId, messageId, emoji);
  if (!stamp.added) {
    return [
      { Delete: { TableName: tableName, Key: reaction, ConditionExpression: 'attribute_exists(PK)' } },
      { Delete: { TableName: tableName, Key: reacted } },
    ];
  }
  const common = { conversationId, messageId, emoji, userId, reactedAt: stamp.at };
  return [
    {
      Put: {
        TableName: tableName,
        Item: { ...reaction, type: 'Reaction', ...common },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    { Put: { TableName: tableName, Item: { ...reacted, type: 'Reacted', ...common } } },
  ];
}

/**
 * Adds (`stamp.added`) or removes the caller's reaction: one transaction of the membership check, the count on
 * the message, and the two reaction items. A repeat (already there, already gone) writes nothing. One round
 * trip, unless the first guess of the count change was wrong (the message's first reaction, or the last one
 * of an emoji being removed when more remain): then another with the right one. Conflicts with concurrent
 * reactions are retried with backoff from one budget for the whole call, whichever guess they interrupt, so
 * the work (and the wait) per request stays bounded: at most CONFLICT_ATTEMPTS + 4 transactions.
 */
export async function changeReaction(target: ReactionTarget, stamp: ReactionStamp): Promise<ReactionOutcome> {
  let change: CountChange = stamp.added ? 'increment' : 'last';
  let conflicts = 0;
  for (let guesses = 1; guesses <= 4; ) {
    try {
      await dynamo.send(
        new TransactWriteCommand({
          TransactItems: [
            memberCondition(target.conversationId, target.userId),
            messageUpdate(target, stamp, change),
            ...reactionItems(target, stamp),
          ],
        }),
      );
      return 'changed';
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      if (isConflictOnly(codes)) {
        // Still conflicting after the budget: a 503 (problem-responses.ts), the client retries later.
        if (++conflicts >= CONFLICT_ATTEMPTS) throw error;
        await conflictBackoff(conflicts);
        continue;
      }
      const failed = (index: number) => codes[index] === 'ConditionalCheckFailed';
      // In order: a non-member learns nothing about the message; a missing or deleted message comes before
      // whether the caller's reaction is there.
      if (failed(0)) return 'not-member';
      const message = failed(1) ? cancelledItem(error, 1) : undefined;
      if (failed(1) && !message) return 'no-message';
      if (message?.deletedAt) return 'deleted';
      if (failed(2)) return 'unchanged';
      if (!failed(1) || !message) throw error;
      const counts = message.reactions as Record<string, number> | undefined;
      const count = counts?.[target.emoji] ?? 0;
      if (stamp.added) {
        if (!counts) change = 'create';
        else if (count === 0 && Object.keys(counts).length >= MAX_DISTINCT_EMOJI) return 'too-many';
        else change = 'increment';
      } else {
        change = count > 1 ? 'decrement' : 'last';
      }
      guesses++;
    }
  }
  // Every guess overtaken by others changing the same count: a race the client may retry, so a 503 (the name
  // marks it as a retryable service failure, problem-responses.ts), never a 500.
  throw Object.assign(new Error('the reaction count kept changing under this change'), {
    name: 'TransactionConflictException',
  });
}

/**
 * The caller's own reactions on the messages from `oldestId` to `newestId` (inclusive): one Query of their
 * `REACTED#` items in that range, whatever anyone else did. At most 20 per message, so a page of 100 messages
 * is at most 2,000 small items; pages are followed up to that bound.
 */
export async function reactedBetween(
  conversationId: string,
  userId: string,
  oldestId: string,
  newestId: string,
): Promise<{ messageId: string; emoji: string }[]> {
  const prefix = reactedPrefix(userId);
  const found: { messageId: string; emoji: string }[] = [];
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < 4; page++) {
    const response = await dynamo.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': messageKey(conversationId, oldestId).PK,
          ':from': `${prefix}${oldestId}#`,
          // '$' sorts right after '#': every emoji of the newest message is below it.
          ':to': `${prefix}${newestId}$`,
        },
        ProjectionExpression: 'messageId, emoji',
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of response.Items ?? []) {
      found.push({ messageId: item.messageId as string, emoji: item.emoji as string });
    }
    startKey = response.LastEvaluatedKey;
    if (!startKey) break;
  }
  return found;
}

/** Who reacted to a message with an emoji: a page in user id order, after `afterUserId`. */
export async function queryReactors(
  target: Omit<ReactionTarget, 'userId'>,
  options: { limit: number; afterUserId?: string },
): Promise<{ reactors: { userId: string; reactedAt: string }[]; hasMore: boolean }> {
  const { conversationId, messageId, emoji } = target;
  const response = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: {
        ':pk': messageKey(conversationId, messageId).PK,
        ':prefix': reactionPrefix(messageId, emoji),
      },
      ProjectionExpression: 'userId, reactedAt',
      Limit: options.limit + 1,
      ...(options.afterUserId
        ? { ExclusiveStartKey: reactionKey(conversationId, messageId, emoji, options.afterUserId) }
        : {}),
    }),
  );
  const items = response.Items ?? [];
  return {
    reactors: items.slice(0, options.limit).map((item) => ({
      userId: item.userId as string,
      reactedAt: item.reactedAt as string,
    })),
    hasMore: items.length > options.limit,
  };
}
