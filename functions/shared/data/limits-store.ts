/**
 * Data access for limit counters: one conditional UpdateItem per counted call (<= 1 WCU, the item is tiny).
 * Knows DynamoDB; knows nothing of HTTP.
 */

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
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
        ExpressionAttributeValues: {
          ':amount': amount,
          ':before': max - amount,
          ':expiresAt': window.expiresAt,
        },
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

/**
 * A user's upload quota for one day, in one item (`RATE#uploads#<user>`, the day's start): the bytes declared
 * that day and the ids of the uploads still pending. Starting an upload is one conditional UpdateItem
 * checking both; the upload check removes the id once the file arrives.
 */
export interface UploadQuota {
  userId: string;
  dayStart: number;
  expiresAt: number;
}

const uploadQuotaKey = (quota: Pick<UploadQuota, 'userId' | 'dayStart'>) =>
  rateCounterKey('uploads', quota.userId, quota.dayStart);

export type UploadReservation =
  | { taken: true; pending: number; bytes: number }
  | { taken: false; pendingIds: string[]; bytes: number };

export async function reserveUpload(
  quota: UploadQuota,
  upload: { mediaId: string; bytes: number },
  max: { pending: number; bytes: number },
): Promise<UploadReservation> {
  try {
    const { Attributes } = await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: uploadQuotaKey(quota),
        UpdateExpression: 'SET expiresAt = :expiresAt ADD declaredBytes :bytes, pending :ids',
        ConditionExpression:
          '(attribute_not_exists(declaredBytes) OR declaredBytes <= :bytesBefore) AND ' +
          '(attribute_not_exists(pending) OR size(pending) < :maxPending)',
        ExpressionAttributeValues: {
          ':expiresAt': quota.expiresAt,
          ':bytes': upload.bytes,
          ':ids': new Set([upload.mediaId]),
          ':bytesBefore': max.bytes - upload.bytes,
          ':maxPending': max.pending,
        },
        ReturnValues: 'UPDATED_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return {
      taken: true,
      pending: (Attributes?.pending as Set<string> | undefined)?.size ?? 1,
      bytes: Number(Attributes?.declaredBytes ?? upload.bytes),
    };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    // The item as it was, in DynamoDB's own format (the document client does not convert errors).
    const raw = (error as { Item?: Record<string, AttributeValue> }).Item;
    const old = raw ? unmarshall(raw) : undefined;
    return {
      taken: false,
      pendingIds: [...((old?.pending as Set<string> | undefined) ?? [])],
      bytes: Number(old?.declaredBytes ?? 0),
    };
  }
}

/** Takes uploads off the pending list (arrived, or their upload URL expired unused). */
export async function releasePendingUploads(
  quota: Pick<UploadQuota, 'userId' | 'dayStart'>,
  mediaIds: string[],
): Promise<void> {
  if (mediaIds.length === 0) return;
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: uploadQuotaKey(quota),
        UpdateExpression: 'DELETE pending :ids',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':ids': new Set(mediaIds) },
      }),
    );
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
}
