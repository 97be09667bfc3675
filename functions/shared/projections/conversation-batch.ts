/**
 * What one conversation's changes in a stream batch mean, worked out in commit order: who is told what (the
 * audiences come from events/audience.ts), what each member's inbox entry must apply, and what the preview
 * shows. The only read is the conversation with its members (and its recently departed ones), once per
 * conversation and batch; nothing is written here (see functions/streams/table-stream.ts for the order in
 * which the plan is carried out).
 *
 * Membership at each change: the read happens after the batch's changes were committed, so the members as
 * they were at the batch's first change are that read with the batch's own membership changes undone, and each
 * change is then addressed to the members of its moment (a member removed later in the batch still receives
 * what came before the removal; a member added later does not receive what came before the join).
 *
 * The read may also see joins and removals committed after the batch (in a later one): a member the batch does
 * not touch joined (or was removed) either before all of its changes or after all of them, so one time of the
 * batch tells which (see membersBefore; renames and role changes carry the writer's `changedAt`, and a removal's
 * transaction stamps it on the conversation, whose record comes with the removal's). A member removed after the
 * batch is missing from the members read, so the same Query reads the departed members of the last two days
 * (keys.ts, departedMemberKey): one who was in at the batch's time is told of its changes. A batch with no time
 * (only an account deletion's removal, whose conversation record fell in another batch) takes the members as
 * read.
 */
import { config } from '../config';
import { queryBlockers } from '../data/blocks-store';
import {
  type ConversationRecord,
  type DepartedMember,
  getConversationWithMembers,
  type MemberRecord,
} from '../data/conversations-store';
import type { MessageRecord } from '../data/messages-store';
import { ulidFloor } from '../domain/ids';
import { type Addressed, type AudienceContext, audienceOf } from '../events/audience';
import type { Delivery } from '../events/publisher';
import type { Change, RecordedChange } from './changes';
import type { InboxOp } from './inbox';
import type { PreviewChanges } from './previews';

interface ConversationState {
  conversation: ConversationRecord | undefined;
  members: MemberRecord[];
  departed: readonly DepartedMember[];
}

export interface ConversationPlan {
  conversationId: string;
  deliveries: Delivery[];
  /** Per member, in commit order. */
  inbox: Map<string, InboxOp[]>;
  preview: PreviewChanges;
}

/** When a change was made, where its item says (the writer's clock). */
function timeOf(change: Change): string | null {
  switch (change.kind) {
    case 'message.created':
    case 'message.updated':
    case 'message.deleted': {
      // The latest thing done to the message: sent, edited, deleted, or a reply counted on it (a thread root).
      const { createdAt, editedAt, deletedAt, lastReplyAt } = change.message;
      return [createdAt, editedAt, deletedAt, lastReplyAt].reduce<string>(
        (latest, at) => (at && at > latest ? at : latest),
        createdAt,
      );
    }
    case 'member.joined':
      return change.member.joinedAt;
    case 'member.read':
      return change.member.lastReadAt;
    case 'member.role':
    case 'conversation.renamed':
    case 'conversation.members-removed':
      return change.at ?? null;
    case 'reaction.added':
    case 'reaction.removed':
      return change.reaction.at;
    default:
      return null;
  }
}

/**
 * The time of the batch's latest change whose item says when it was made. A removal's membership record has no
 * time, but its departed member item (the same membership, by `joinedAt`) has. A batch of none such (an
 * account deletion's removal whose conversation record fell in another batch) has none: the stream's
 * ApproximateCreationDateTime is too coarse (seconds on AWS, minutes in DynamoDB Local).
 */
function latestStamp(
  changes: readonly RecordedChange[],
  departed: readonly DepartedMember[],
): number | undefined {
  const stamped = changes
    .map(({ change }) => {
      if (change.kind !== 'member.left') return timeOf(change);
      const { userId, joinedAt } = change.member;
      return departed.find(({ member }) => member.userId === userId && member.joinedAt === joinedAt)?.leftAt;
    })
    .map((at) => Date.parse(at ?? ''))
    .filter(Number.isFinite);
  return stamped.length === 0 ? undefined : Math.max(...stamped);
}

/**
 * Undoes the batch's membership changes on the members read after it: the members before the batch. Members the
 * batch does not touch are told apart by the batch's time: one who joined after it is left out; one removed
 * after it (a departed member, keys.ts) is put back, and listed in `departed`. Without a time, the members are
 * taken as read.
 */
function membersBefore(state: ConversationState, changes: readonly RecordedChange[]) {
  const touched = new Set(
    changes.flatMap(({ change }) => ('member' in change ? [change.member.userId] : [])),
  );
  const latest = latestStamp(changes, state.departed);
  const isLater = (member: MemberRecord) => latest !== undefined && Date.parse(member.joinedAt) > latest;
  const members = new Map(
    state.members
      .filter((member) => touched.has(member.userId) || !isLater(member))
      .map((member) => [member.userId, member]),
  );
  const departed = new Set<string>();
  if (latest !== undefined) {
    for (const { member, leftAt } of state.departed) {
      // In at the batch's time, gone after it (the removal's own conversation record may carry that time).
      const wasIn = Date.parse(member.joinedAt) <= latest && Date.parse(leftAt) >= latest;
      if (wasIn && !touched.has(member.userId) && !members.has(member.userId)) {
        members.set(member.userId, member);
        departed.add(member.userId);
      }
    }
  }
  for (const { change } of [...changes].reverse()) {
    if (change.kind === 'member.joined') members.delete(change.member.userId);
    else if (change.kind === 'member.left') members.set(change.member.userId, change.member);
    else if (change.kind === 'member.role' || change.kind === 'member.read') {
      if (change.previous) members.set(change.member.userId, change.previous);
    }
  }
  return { members, departed };
}

/**
 * Who did a change, when a blocker must not hear of it (docs/architecture.md, "Blocking and muting"): the sender of a
 * message (its creation, edit or deletion), who reacted, who moved their read marker. Membership changes and
 * renames reach everyone: who is in a conversation is not the blocked user's to hide.
 */
function authorOf(change: Change): string | undefined {
  switch (change.kind) {
    case 'message.created':
    case 'message.updated':
    case 'message.deleted':
      return change.message.senderId;
    case 'reaction.added':
    case 'reaction.removed':
      return change.reaction.userId;
    case 'member.read':
      return change.member.userId;
    default:
      return undefined;
  }
}

/** Everyone who blocked a user; one Query per user, shared by a batch's conversations (see blockersFor). */
export type BlockersOf = (userId: string) => Promise<ReadonlySet<string>>;

/** Who blocked whom, read once per author for a whole stream batch. */
export function blockersFor(
  read: (userId: string) => Promise<ReadonlySet<string>> = queryBlockers,
): BlockersOf {
  const known = new Map<string, Promise<ReadonlySet<string>>>();
  return (userId) => {
    let blockers = known.get(userId);
    if (!blockers) {
      blockers = read(userId);
      known.set(userId, blockers);
    }
    return blockers;
  };
}

export async function planConversation(
  conversationId: string,
  changes: readonly RecordedChange[],
  blockersOf: BlockersOf = blockersFor(),
): Promise<ConversationPlan> {
  const authors = [...new Set(changes.flatMap(({ change }) => authorOf(change) ?? []))];
  // The blockers of the batch's authors are read beside the members: no round trip of their own.
  const [state, blockers] = await Promise.all([
    getConversationWithMembers(conversationId, { consistent: true, withDeparted: true }),
    Promise.all(authors.map(async (author) => [author, await blockersOf(author)] as const)),
  ]);
  const blockedBy = new Map(blockers);
  /** Whether `recipient` blocked the author of `change`: then they are not told of it, nor counted it unread. */
  const hidden = (change: Change, recipient: string) => {
    const author = authorOf(change);
    return author !== undefined && author !== recipient && (blockedBy.get(author)?.has(recipient) ?? false);
  };
  const finalMembers = new Map(state.members.map((member) => [member.userId, member]));
  // The last membership change of each user in the batch, to tell which joins the snapshots already show.
  const lastMembershipChange = new Map<string, number>();
  for (const [at, { change }] of changes.entries()) {
    if ('member' in change) lastMembershipChange.set(change.member.userId, at);
  }
  const joinedInBatch = new Set<string>();

  const context: AudienceContext = {
    conversationId,
    readReceiptsUpToMembers: config.readReceiptsUpToMembers,
    joinedSnapshot(member) {
      // The conversation as it is now: whatever follows in the batch applies on top, and changes nothing
      // that the snapshot already shows.
      const conversation = state.conversation ?? placeholderConversation(conversationId, member);
      const mine = finalMembers.get(member.userId) ?? member;
      return {
        ...conversation,
        myRole: mine.role,
        ...(finalMembers.size <= config.readReceiptsUpToMembers
          ? { members: [...finalMembers.values()] }
          : {}),
      };
    },
  };

  const plan: ConversationPlan = {
    conversationId,
    deliveries: [],
    inbox: new Map(),
    preview: { changed: [] },
  };
  const { members, departed } = membersBefore(state, changes);
  const op = (userId: string, inboxOp: InboxOp) => {
    // A departed member is told what they missed, but their inbox entry is gone with the membership.
    if (departed.has(userId)) return;
    const ops = plan.inbox.get(userId) ?? [];
    ops.push(inboxOp);
    plan.inbox.set(userId, ops);
  };
  const createdInBatch = new Map<string, MessageRecord>();
  const changedInBatch = new Map<string, MessageRecord>();

  for (const [at, { index, position, change }] of changes.entries()) {
    const addressed: Addressed[] = audienceOf(change, { type: state.conversation?.type, members }, context);
    for (const { to, event } of addressed) {
      for (const userId of to) {
        // A member who joined earlier in this batch was sent the conversation as it is after the batch: a
        // later join it already shows is no news (a new group's members would otherwise get N² events).
        const alreadyShown =
          event.type === 'member.added' &&
          joinedInBatch.has(userId) &&
          finalMembers.has(event.userId) &&
          lastMembershipChange.get(event.userId) === at;
        if (!alreadyShown && !hidden(change, userId)) plan.deliveries.push({ index, userId, event });
      }
    }
    switch (change.kind) {
      case 'message.created': {
        const { message } = change;
        const mentioned = new Set(message.mentionedUserIds);
        for (const userId of members.keys()) {
          if (hidden(change, userId)) continue;
          op(userId, {
            kind: 'message',
            position,
            id: message.id,
            senderId: message.senderId,
            ...(mentioned.has(userId) ? { mentioned: true } : {}),
          });
        }
        createdInBatch.set(message.id, message);
        break;
      }
      case 'message.updated':
      case 'message.deleted': {
        const { message } = change;
        const before = new Set(change.mentionedBefore);
        if (change.kind === 'message.deleted') {
          for (const userId of members.keys()) {
            if (userId !== message.senderId && !hidden(change, userId)) {
              op(userId, {
                kind: 'deleted',
                position,
                id: message.id,
                senderId: message.senderId,
                ...(before.has(userId) ? { mentioned: true } : {}),
              });
            }
          }
        } else {
          // An edit that adds or removes a member's mention changes their unread mentions (projections/inbox.ts).
          const after = new Set(message.mentionedUserIds);
          for (const userId of members.keys()) {
            if (
              userId !== message.senderId &&
              !hidden(change, userId) &&
              before.has(userId) !== after.has(userId)
            ) {
              op(userId, { kind: 'mention', position, id: message.id, delta: after.has(userId) ? 1 : -1 });
            }
          }
        }
        if (createdInBatch.has(message.id)) createdInBatch.set(message.id, message);
        else changedInBatch.set(message.id, message);
        break;
      }
      case 'member.joined': {
        const { member } = change;
        op(member.userId, {
          kind: 'joined',
          position,
          activityId: ulidFloor(Date.parse(member.joinedAt)),
          readUpTo: member.lastReadMessageId,
          latestMessageId: member.lastReadMessageId,
        });
        members.set(member.userId, member);
        joinedInBatch.add(member.userId);
        break;
      }
      case 'member.left':
        op(change.member.userId, { kind: 'removed', position });
        members.delete(change.member.userId);
        break;
      case 'member.role':
        members.set(change.member.userId, change.member);
        break;
      case 'member.read':
        op(change.member.userId, {
          kind: 'read',
          position,
          messageId: change.member.lastReadMessageId as string,
        });
        members.set(change.member.userId, change.member);
        break;
      case 'conversation.renamed':
      case 'conversation.members-removed':
      case 'reaction.added':
      case 'reaction.removed':
      case 'member.muted':
        // Events only (or, for removals, only a time): no inbox moves and no preview changes.
        break;
    }
  }
  const newest = [...createdInBatch.values()].sort((a, b) => (a.id < b.id ? 1 : -1))[0];
  plan.preview = { ...(newest ? { created: newest } : {}), changed: [...changedInBatch.values()] };
  return plan;
}

/** A conversation whose item is gone (it never is today): enough to tell the member they are in it. */
function placeholderConversation(conversationId: string, member: MemberRecord): ConversationRecord {
  return {
    id: conversationId,
    type: 'group',
    name: null,
    createdBy: member.userId,
    createdAt: member.joinedAt,
    memberCount: 1,
    lastMessage: null,
    lastActivityAt: member.joinedAt,
  };
}
