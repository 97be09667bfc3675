/**
 * Resolving mentioned names to the ids of a conversation's members. Knows DynamoDB; knows nothing of HTTP.
 *
 * In parallel: one BatchGetItem of the names' claims (`USERNAME#<name>`, only `userId` projected: the claim
 * also holds the password hash, which must never be read here) and one Query page of the conversation's
 * members (up to MEMBERS_READ_AT_ONCE). When that page holds every member (most conversations), that is all:
 * one round trip. A larger group answers from its memberships instead: one more BatchGetItem of the claimed
 * users' `MEMBER#` items that the first page did not show. Eventually consistent reads: a member added or
 * removed a moment before the send may be missed or still seen (docs/data-model.md, "Mentions").
 */
import { batchGet, queryMembers } from './conversations-store';
import { memberKey, usernameKey } from './keys';

/** Members read in the first round trip: ~250 bytes each, so one page costs at most about 3 RCU. */
const MEMBERS_READ_AT_ONCE = 100;

/**
 * The ids of the members whose (lower-case) usernames are `names`, in the order of `names`. Unknown names and
 * users who are not members are left out.
 */
export async function resolveMemberNames(
  conversationId: string,
  names: readonly string[],
): Promise<string[]> {
  if (names.length === 0) return [];
  const [claims, firstPage] = await Promise.all([
    batchGet(names.map(usernameKey), ['PK', 'userId']),
    queryMembers(conversationId, MEMBERS_READ_AT_ONCE),
  ]);
  const idByName = new Map(
    claims.map((claim) => [String(claim.PK).slice('USERNAME#'.length), claim.userId as string]),
  );
  const claimed = names.flatMap((name) => {
    const id = idByName.get(name);
    return id ? [id] : [];
  });
  const members = new Set(firstPage.members.map((member) => member.userId));
  if (!firstPage.complete) {
    const unseen = claimed.filter((id) => !members.has(id));
    if (unseen.length) {
      const found = await batchGet(
        unseen.map((id) => memberKey(conversationId, id)),
        ['userId'],
      );
      for (const item of found) members.add(item.userId as string);
    }
  }
  return [...new Set(claimed.filter((id) => members.has(id)))];
}
