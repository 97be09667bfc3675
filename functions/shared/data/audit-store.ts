/**
 * Data access for the audit log of administrative actions. Each record is written in the same transaction as
 * the action it records (the `auditItem` joins the action's `TransactItems`), so the log never misses an
 * action that happened nor shows one that did not. All records share one partition, newest last: the log is
 * read newest first in one Query per page. Admin actions are rare (people, not programs), far below the
 * 1,000 writes per second one partition takes.
 */
import { QueryCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from './client';
import { AUDIT_PARTITION, AUDIT_PREFIX, auditKey } from './keys';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export type AuditAction =
  | 'role.grant'
  | 'role.revoke'
  | 'user.disable'
  | 'user.enable'
  | 'user.delete'
  | 'message.remove'
  | 'report.resolve';

export interface AuditRecord {
  /** A ULID: when, and the order of the log. */
  id: string;
  /** The administrator; null when the command line (`npm run admin`) did it with the deployer's credentials. */
  actorId: string | null;
  /** The administrator's username then, or `command-line`. */
  actor: string;
  action: AuditAction;
  target: { type: 'user' | 'message' | 'report'; id: string; conversationId?: string };
  at: string;
  /** A few facts of the action (a report's resolution, the username a role was granted to). */
  details?: Record<string, string>;
}

/** The Put of one audit record, to join the transaction of the action it records. */
export function auditItem(record: AuditRecord): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: { ...auditKey(record.id), type: 'Audit', ...record },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

/** A page of the log, newest first, below `beforeId` when given: one Query. */
export async function listAudit(
  limit: number,
  beforeId?: string,
): Promise<{ items: AuditRecord[]; more: boolean }> {
  const { Items = [], LastEvaluatedKey } = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: beforeId
        ? 'PK = :pk AND SK < :before'
        : 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: {
        ':pk': AUDIT_PARTITION,
        ...(beforeId ? { ':before': `${AUDIT_PREFIX}${beforeId}` } : { ':prefix': AUDIT_PREFIX }),
      },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return {
    items: Items.map((item) => ({
      id: item.id as string,
      actorId: (item.actorId as string | null | undefined) ?? null,
      actor: item.actor as string,
      action: item.action as AuditAction,
      target: item.target as AuditRecord['target'],
      at: item.at as string,
      ...(item.details ? { details: item.details as Record<string, string> } : {}),
    })),
    more: LastEvaluatedKey !== undefined,
  };
}
