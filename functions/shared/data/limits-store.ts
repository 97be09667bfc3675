/**
 * Data access for limit counters: one conditional UpdateItem per counted call (<= 1 WCU, the item is tiny).
 * Knows DynamoDB; knows nothing of HTTP.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, isConditionalCheckFailed, tableName } from './client';
import { rateCounterKey } from './keys';

export interface CounterWindow {
  limit: string;
  subject: string;
  windowStart: number;
  /** Epoch seconds when the counter may be deleted (the window's end). */
  expiresAt: number;
}

/**
 * Adds `amount` to the counter unless that would take it past `max`; returns the new total, or undefined
 * when refused (the counter is left as it was).
 */
export async function addToCounter(
  window: CounterWindow,
  amount: number,
  max: number,
): Promise<number | undefined> {
  try {
    const { Attributes } = await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: rateCounterKey(window.limit, window.subject, window.windowStart),
        UpdateExpression: 'SET expiresAt = :expiresAt ADD hits :amount',
        ConditionExpression: 'attribute_not_exists(hits) OR hits <= :before',
        ExpressionAttributeValues: { ':amount': amount, ':before': max - amount, ':expiresAt': window.expiresAt },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes?.hits ?? amount);
  } catch (error) {
    if (isConditionalCheckFailed(error)) return undefined;
    throw error;
  }
}

/** Gives back what `addToCounter` took (a login that succeeded); never creates a counter. */
export async function subtractFromCounter(window: CounterWindow, amount: number): Promise<void> {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: rateCounterKey(window.limit, window.subject, window.windowStart),
        UpdateExpression: 'ADD hits :amount',
        ConditionExpression: 'hits >= :amountBack',
        ExpressionAttributeValues: { ':amount': -amount, ':amountBack': amount },
      }),
    );
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
}
