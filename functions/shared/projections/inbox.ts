/**
 * Keeps the read models that a message changes for everyone but its sender, off the sender's request path:
 * every other member's inbox entry moves to the top (one conditional update each, so a 256-member group
 * costs 255 small writes here instead of on the send), and the conversation's preview follows edits and
 * deletes of its last message.
 */
import { UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo, isConditionalCheckFailed, tableName } from '../data/client';
import { queryMembers, touchInboxEntry } from '../data/conversations-store';
import { conversationKey } from '../data/keys';
import type { MessageRecord } from '../data/messages-store';
import { previewOf } from '../domain/messages';

const FAN_OUT_CONCURRENCY = 16;

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

/** Sets the conversation preview to a new message if it is the newest one. */
async function updatePreview(message: MessageRecord) {
  await updateIfStill(message, {
    UpdateExpression: 'SET lastMessage = :preview',
    // Repairs the rare case where two sends raced and the older wrote the preview last.
    ConditionExpression:
      'attribute_exists(PK) AND (attribute_not_exists(lastMessage) OR lastMessage.id < :id)',
    ExpressionAttributeValues: { ':preview': previewOf(message), ':id': message.id },
  });
}

/**
 * Makes the preview follow an edit or a deletion of the message it shows. The preview remembers the time of
 * the change it shows, so a change applied twice, or an older change replayed after a newer one (a redrive
 * from the dead-letter queue), changes nothing; a deletion is final.
 */
async function updateChangedPreview(message: MessageRecord) {
  const changedAt = message.deletedAt ?? message.editedAt ?? message.createdAt;
  await updateIfStill(message, {
    UpdateExpression: 'SET lastMessage = :preview',
    ConditionExpression:
      'lastMessage.id = :id AND lastMessage.#type <> :deleted AND (attribute_not_exists(lastMessage.changedAt) OR lastMessage.changedAt < :changedAt)',
    ExpressionAttributeNames: { '#type': 'type' },
    ExpressionAttributeValues: {
      ':preview': { ...previewOf(message), changedAt },
      ':id': message.id,
      ':deleted': 'deleted',
      ':changedAt': changedAt,
    },
  });
}

async function updateIfStill(
  message: MessageRecord,
  update: Pick<
    UpdateCommandInput,
    'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
  >,
) {
  try {
    await dynamo.send(
      new UpdateCommand({ TableName: tableName, Key: conversationKey(message.conversationId), ...update }),
    );
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
}

export async function onMessageCreated(message: MessageRecord): Promise<void> {
  const { members } = await queryMembers(message.conversationId);
  const others = members.filter((member) => member.userId !== message.senderId);
  await Promise.all([
    inBatches(others, FAN_OUT_CONCURRENCY, (member) =>
      touchInboxEntry(message.conversationId, member.userId, message.id),
    ),
    updatePreview(message),
  ]);
}

export async function onMessageChanged(message: MessageRecord): Promise<void> {
  await updateChangedPreview(message);
}
