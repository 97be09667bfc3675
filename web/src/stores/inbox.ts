/** The inbox: the person's conversations, most recent activity first, with unread counts; kept live. */
import { signal } from '@preact/signals';
import type { RealtimeEvent, Schemas } from '../../../client';
import { call, type Result } from './result';
import { route } from './router';
import { api, me } from './session';
import { ensureProfiles, nameOf } from './users';

export type Summary = Schemas['ConversationSummary'];
type Message = Schemas['Message'];

export const inbox = signal<Summary[]>([]);
export const inboxState = signal<'idle' | 'loading' | 'ready' | 'failed'>('idle');
export const inboxCursor = signal<string | null>(null);

/** Whether the person is looking at this conversation now (then its messages count as read). */
export const isViewing = (conversationId: string) =>
  route.value.name === 'conversation' &&
  route.value.id === conversationId &&
  document.visibilityState === 'visible';

export function previewOf(message: Message): Schemas['MessagePreview'] | null {
  const content = message.content;
  if (!content) return null;
  const preview =
    content.type === 'text' || content.type === 'string'
      ? [...content.text].slice(0, 100).join('')
      : `[${content.type}]`;
  return {
    id: message.id,
    senderId: message.senderId,
    type: content.type,
    preview,
    createdAt: message.createdAt,
  };
}

/** The other person of a direct conversation. */
export const otherMemberOf = (summary: { members?: readonly { userId: string }[] }) =>
  summary.members?.find((member) => member.userId !== me.value?.id)?.userId;

export function titleOf(summary: {
  type: Summary['type'];
  name: string | null;
  members?: readonly { userId: string }[];
}): string {
  if (summary.type === 'group') return summary.name ?? 'Group';
  const other = otherMemberOf(summary);
  if (other) return nameOf(other);
  // A direct conversation whose only member is the user: their notes to self.
  return summary.members?.length === 1 ? 'Notes to self' : 'Direct chat';
}

export async function refreshInbox(): Promise<Result<void>> {
  if (inboxState.value !== 'ready') inboxState.value = 'loading';
  const result = await call(api().GET('/conversations', { params: { query: { limit: 50 } } }));
  if (!result.ok) {
    if (inboxState.value !== 'ready') inboxState.value = 'failed';
    return result;
  }
  inbox.value = result.value.items;
  inboxCursor.value = result.value.nextCursor;
  inboxState.value = 'ready';
  void ensureProfiles(
    result.value.items.flatMap((item) => item.members?.map((member) => member.userId) ?? []),
  );
  return { ok: true, value: undefined };
}

export async function loadMoreConversations(): Promise<Result<void>> {
  const cursor = inboxCursor.value;
  if (!cursor) return { ok: true, value: undefined };
  const result = await call(api().GET('/conversations', { params: { query: { limit: 50, cursor } } }));
  if (!result.ok) return result;
  const known = new Set(inbox.value.map((item) => item.id));
  inbox.value = [...inbox.value, ...result.value.items.filter((item) => !known.has(item.id))];
  inboxCursor.value = result.value.nextCursor;
  return { ok: true, value: undefined };
}

let refreshSoon: ReturnType<typeof setTimeout> | undefined;
/** Several events about new conversations in a burst cause one reload. */
function scheduleRefresh() {
  clearTimeout(refreshSoon);
  refreshSoon = setTimeout(() => void refreshInbox(), 150);
}

function update(conversationId: string, change: (summary: Summary) => Summary, toTop = false) {
  const index = inbox.value.findIndex((item) => item.id === conversationId);
  if (index < 0) return false;
  const updated = change(inbox.value[index] as Summary);
  const rest = inbox.value.filter((_, i) => i !== index);
  inbox.value = toTop ? [updated, ...rest] : [...rest.slice(0, index), updated, ...rest.slice(index)];
  return true;
}

export function markReadInInbox(conversationId: string) {
  update(conversationId, (summary) =>
    summary.unreadCount || summary.unreadMentionCount
      ? { ...summary, unreadCount: 0, unreadMentionCount: 0 }
      : summary,
  );
}

/** Merges a conversation the person just created, renamed or joined. */
export function upsertConversation(details: Schemas['ConversationDetails']) {
  const { members, myRole, ...conversation } = details;
  const summary: Summary = {
    ...conversation,
    myRole,
    members: members.map(({ userId, role }) => ({ userId, role })),
    unreadCount: inbox.value.find((item) => item.id === details.id)?.unreadCount ?? 0,
    unreadMentionCount: inbox.value.find((item) => item.id === details.id)?.unreadMentionCount ?? 0,
  };
  if (!update(details.id, () => summary)) inbox.value = [summary, ...inbox.value];
}

export function setMutedInInbox(conversationId: string, muted: boolean, mutedUntil?: string) {
  update(conversationId, ({ mutedUntil: _previous, ...summary }) => ({
    ...summary,
    muted,
    ...(mutedUntil ? { mutedUntil } : {}),
  }));
}

export function removeFromInbox(conversationId: string) {
  inbox.value = inbox.value.filter((item) => item.id !== conversationId);
}

export function applyInboxEvent(event: RealtimeEvent) {
  const myId = me.value?.id;
  switch (event.type) {
    case 'message.created': {
      const { message } = event;
      const fromOther = message.senderId !== myId;
      const counts = fromOther && !isViewing(event.conversationId);
      const known = update(
        event.conversationId,
        (summary) =>
          // Already counted: the inbox was loaded after this message (or the event came twice).
          summary.lastMessage && summary.lastMessage.id >= message.id
            ? summary
            : {
                ...summary,
                lastMessage: previewOf(message),
                lastActivityAt: message.createdAt,
                unreadCount: counts ? Math.min(100, summary.unreadCount + 1) : summary.unreadCount,
                // `mentioned` is in the mentioned person's own event only.
                unreadMentionCount:
                  counts && event.mentioned
                    ? Math.min(100, summary.unreadMentionCount + 1)
                    : summary.unreadMentionCount,
              },
        true,
      );
      if (!known) scheduleRefresh();
      return;
    }
    case 'message.updated':
    case 'message.deleted':
      update(event.conversationId, (summary) =>
        summary.lastMessage?.id === event.message.id
          ? { ...summary, lastMessage: previewOf(event.message) }
          : summary,
      );
      return;
    // Others joining or leaving changes nothing the inbox shows (an open conversation reloads its members).
    case 'member.added':
      if (event.userId === myId) scheduleRefresh();
      return;
    case 'member.removed':
      if (event.userId === myId) removeFromInbox(event.conversationId);
      return;
    case 'conversation.read':
      // Read on another device of the same person.
      if (event.userId === myId) markReadInInbox(event.conversationId);
      return;
    // A conversation of one's own that is new to this device: the inbox shows it as the server counts it.
    case 'conversation.joined':
      scheduleRefresh();
      return;
    case 'conversation.updated':
      update(event.conversationId, (summary) => ({ ...summary, name: event.name }));
      return;
    // Muted or unmuted on another device of the same person.
    case 'conversation.muted':
      setMutedInInbox(event.conversationId, event.muted, event.mutedUntil);
      return;
    default:
      return;
  }
}

export function clearInbox() {
  inbox.value = [];
  inboxCursor.value = null;
  inboxState.value = 'idle';
}
