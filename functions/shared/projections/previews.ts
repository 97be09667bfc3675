/**
 * The conversation's last-message preview (and last activity), kept by the stream consumer: the send
 * transaction does not write the conversation item, so a send stays small and every conversation change
 * that reaches the stream is a rename (the writes here are stamped `lastChange: preview`, which the stream
 * filter drops). One or two conditional updates per conversation and stream batch.
 */
import { UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConversationChange, LAST_CHANGE } from '../data/changes';
import { dynamo, isConditionalCheckFailed, tableName } from '../data/client';
import { conversationKey } from '../data/keys';
import type { MessageRecord } from '../data/messages-store';
import { previewOf } from '../domain/messages';

export interface PreviewChanges {
  /** The newest message created in the batch, as it was at the end of the batch. */
  created?: MessageRecord;
  /** Messages edited or deleted in the batch (and not created in it), as each was at the end of the batch. */
  changed: MessageRecord[];
}

const changedAtOf = (message: MessageRecord) => message.deletedAt ?? message.editedAt;

async function updateIfStill(
  conversationId: string,
  update: Pick<
    UpdateCommandInput,
    'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
  >,
) {
  try {
    await dynamo.send(
      new UpdateCommand({ TableName: tableName, Key: conversationKey(conversationId), ...update }),
    );
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
}

/** Shows a new message if it is the newest one (two sends may commit in either order). */
async function showNewest(message: MessageRecord) {
  const changedAt = changedAtOf(message);
  await updateIfStill(message.conversationId, {
    UpdateExpression: 'SET lastMessage = :preview, lastActivityAt = :at, #change = :preview_change',
    ConditionExpression:
      'attribute_exists(PK) AND (attribute_not_exists(lastMessage) OR lastMessage.id < :id)',
    ExpressionAttributeNames: { '#change': LAST_CHANGE },
    ExpressionAttributeValues: {
      ':preview': { ...previewOf(message), ...(changedAt ? { changedAt } : {}) },
      ':at': message.createdAt,
      ':id': message.id,
      ':preview_change': ConversationChange.preview,
    },
  });
}

/**
 * Makes the preview follow an edit or a deletion of the message it shows. The preview remembers the time of
 * the change it shows, so a change applied twice, or an older change replayed after a newer one (a redrive
 * from the dead-letter queue), changes nothing; a deletion is final.
 */
async function followChange(message: MessageRecord) {
  const changedAt = changedAtOf(message) ?? message.createdAt;
  await updateIfStill(message.conversationId, {
    UpdateExpression: 'SET lastMessage = :preview, #change = :preview_change',
    ConditionExpression:
      'lastMessage.id = :id AND lastMessage.#type <> :deleted AND (attribute_not_exists(lastMessage.changedAt) OR lastMessage.changedAt < :changedAt)',
    ExpressionAttributeNames: { '#type': 'type', '#change': LAST_CHANGE },
    ExpressionAttributeValues: {
      ':preview': { ...previewOf(message), changedAt },
      ':id': message.id,
      ':deleted': 'deleted',
      ':changedAt': changedAt,
      ':preview_change': ConversationChange.preview,
    },
  });
}

export async function applyPreviewChanges(changes: PreviewChanges): Promise<void> {
  await Promise.all([
    ...(changes.created ? [showNewest(changes.created)] : []),
    ...changes.changed.map(followChange),
  ]);
}
