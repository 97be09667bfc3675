/**
 * A member's mute of a conversation: `muteEnds` on their own membership (an ISO time; MUTED_FOREVER for "until
 * unmuted"), so the reads that already fetch the membership (the inbox, the conversation) show it for free.
 * Stamped `lastChange: muted`, which the stream filter drops: a mute is nobody else's news.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { LAST_CHANGE, MemberChange } from './changes';
import { dynamo, isConditionalCheckFailed, tableName } from './client';
import { memberKey } from './keys';
import { stampClause } from './origin';

export const MUTE_ENDS = 'muteEnds';
/** Later than any real time, so "is it still muted?" is one string comparison for both kinds of mute. */
export const MUTED_FOREVER = '9999-12-31T23:59:59.999Z';

/** Sets (`ends`) or clears (null) the mute; false when the user is not a member. */
export async function setMute(conversationId: string, userId: string, ends: string | null): Promise<boolean> {
  const stamp = stampClause();
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: memberKey(conversationId, userId),
        UpdateExpression:
          ends === null
            ? `SET #change = :muted${stamp.set} REMOVE #ends`
            : `SET #change = :muted, #ends = :ends${stamp.set}`,
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#change': LAST_CHANGE, '#ends': MUTE_ENDS },
        ExpressionAttributeValues: {
          ':muted': MemberChange.muted,
          ...(ends === null ? {} : { ':ends': ends }),
          ...stamp.values,
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/** How a membership item's mute reads at `now`: an expired mute is no mute. */
export function muteOf(item: Record<string, unknown> | undefined, now = new Date()) {
  const ends = item?.[MUTE_ENDS];
  if (typeof ends !== 'string' || ends <= now.toISOString()) return { muted: false as const };
  return ends === MUTED_FOREVER ? { muted: true as const } : { muted: true as const, mutedUntil: ends };
}
