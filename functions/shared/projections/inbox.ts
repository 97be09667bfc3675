/**
 * Keeps the read models that a message changes for everyone but its sender, off the sender's request path:
 * every other member's inbox entry moves to the top (one conditional update each, so a 256-member group
 * costs 255 small writes here instead of on the send), and the conversation's preview follows edits and
 * deletes of its last message.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, isConditionalCheckFailed, tableName } from '../data/client';
import { queryMembers, touchInboxEntry } from '../data/conversations-store';
import { conversationKey } from '../data/keys';
import type { MessageRecord } from '../data/messages-store';
import { previewOf } from '../domain/messages';

const FAN_OUT_CONCURRENCY = 16;

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

/**
 * Sets the conversation preview to this message if it is the newest one (or already the previewed one),
 * repairing the rare case where two sends raced and the older wrote the preview last.
 */
async function updatePreview(message: MessageRecord, onlyIfSame: boolean) {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: conversationKey(message.conversationId),
        UpdateExpression: 'SET lastMessage = :preview',
        ConditionExpression: onlyIfSame
          ? 'lastMessage.id = :id'
          : 'attribute_exists(PK) AND (attribute_not_exists(lastMessage) OR lastMessage.id < :id)',
        ExpressionAttributeValues: { ':preview': previewOf(message), ':id': message.id },
      }),
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
    updatePreview(message, false),
  ]);
}

export async function onMessageChanged(message: MessageRecord): Promise<void> {
  await updatePreview(message, true);
}
