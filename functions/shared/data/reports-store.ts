/**
 * Data access for reports of messages and users. A report is its own item; its GSI1 entry is the moderators'
 * queue: one partition, open reports (`OPEN#<ulid>`) sorted before resolved ones (`RESOLVED#<ulid>`), each
 * oldest first, so one Query pages the queue in order. Resolving moves the entry (GSI1SK) in the same write.
 */
import { GetCommand, PutCommand, QueryCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from './client';
import { REPORTS_PARTITION, reportIndexKey, reportKey } from './keys';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

import type { ReportReason, Resolution } from '../schemas/admin';

export type { ReportReason, Resolution };

export type ReportTarget =
  | {
      type: 'message';
      conversationId: string;
      messageId: string;
      /** Who sent it: the user `disable-user` disables. */
      senderId: string;
      /** The text as it was when reported (a later edit or deletion does not hide it from moderators). */
      text: string | null;
    }
  | { type: 'user'; userId: string };

export interface ReportRecord {
  id: string;
  reporterId: string;
  target: ReportTarget;
  reason: ReportReason;
  details: string | null;
  createdAt: string;
  status: 'open' | 'resolved';
  resolution: { action: Resolution; by: string; at: string } | null;
}

function toReport(item: Record<string, unknown>): ReportRecord {
  return {
    id: item.id as string,
    reporterId: item.reporterId as string,
    target: item.target as ReportTarget,
    reason: item.reason as ReportReason,
    details: (item.details as string | null | undefined) ?? null,
    createdAt: item.createdAt as string,
    status: item.status === 'resolved' ? 'resolved' : 'open',
    resolution: (item.resolution as ReportRecord['resolution'] | undefined) ?? null,
  };
}

export async function createReport(report: ReportRecord): Promise<void> {
  await dynamo.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...reportKey(report.id),
        ...reportIndexKey(report.status, report.id),
        type: 'Report',
        ...report,
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
}

export async function getReport(reportId: string): Promise<ReportRecord | undefined> {
  const { Item } = await dynamo.send(
    new GetCommand({ TableName: tableName, Key: reportKey(reportId), ConsistentRead: true }),
  );
  return Item ? toReport(Item) : undefined;
}

/** The queue, open reports first (each oldest first), after `after` when given: one Query of GSI1. */
export async function listReports(
  limit: number,
  after?: { status: 'open' | 'resolved'; reportId: string },
): Promise<{ items: ReportRecord[]; more: boolean }> {
  const { Items = [], LastEvaluatedKey } = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': REPORTS_PARTITION },
      ...(after
        ? {
            ExclusiveStartKey: {
              ...reportKey(after.reportId),
              ...reportIndexKey(after.status, after.reportId),
            },
          }
        : {}),
      Limit: limit,
    }),
  );
  return { items: Items.map(toReport), more: LastEvaluatedKey !== undefined };
}

/** Resolves an open report (only once: the condition) and moves it behind the open ones in the queue. */
export function resolveItem(
  reportId: string,
  resolution: NonNullable<ReportRecord['resolution']>,
): TransactItem {
  const moved = reportIndexKey('resolved', reportId);
  return {
    Update: {
      TableName: tableName,
      Key: reportKey(reportId),
      UpdateExpression: 'SET #status = :resolved, resolution = :resolution, GSI1SK = :queue',
      ConditionExpression: '#status = :open',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':resolved': 'resolved',
        ':open': 'open',
        ':resolution': resolution,
        ':queue': moved.GSI1SK,
      },
    },
  };
}
