/** The list of conversations: newest activity first, unread badges. */
import { Avatar, formatTime } from './common';

export interface InboxItem {
  id: string;
  title: string;
  avatarUrl?: string | null;
  preview: string;
  lastActivityAt: string;
  unreadCount: number;
  /** Of the unread messages, those that mention the person: an "@" badge. */
  unreadMentionCount: number;
  href: string;
}

export function InboxPanel({
  items,
  activeId,
  state,
  hasMore,
  onLoadMore,
  newChatPath,
  newGroupPath,
}: {
  items: readonly InboxItem[];
  activeId: string | null;
  state: 'idle' | 'loading' | 'ready' | 'failed';
  hasMore: boolean;
  onLoadMore: () => void;
  newChatPath: string;
  newGroupPath: string;
}) {
  return (
    <section class="inbox" aria-labelledby="inbox-title">
      <div class="inbox-header">
        <h1 id="inbox-title">Chats</h1>
        <div class="inbox-actions">
          <a class="button" href={newChatPath}>
            New chat
          </a>
          <a class="button" href={newGroupPath}>
            New group
          </a>
        </div>
      </div>
      {state === 'loading' && items.length === 0 && <p class="muted">Loading…</p>}
      {state === 'failed' && <p class="error">The conversations could not be loaded.</p>}
      {state === 'ready' && items.length === 0 && (
        <p class="muted">No conversations yet. Start one with "New chat".</p>
      )}
      <ul class="inbox-list">
        {items.map((item) => {
          const unread = item.unreadCount > 99 ? '99+' : String(item.unreadCount);
          return (
            <li key={item.id}>
              <a
                href={item.href}
                class={`inbox-item${item.id === activeId ? ' active' : ''}${item.unreadCount ? ' unread' : ''}`}
                aria-current={item.id === activeId ? 'page' : undefined}
              >
                <Avatar name={item.title} url={item.avatarUrl} />
                <span class="inbox-text">
                  <span class="inbox-title">{item.title}</span>
                  <span class="inbox-preview">{item.preview}</span>
                </span>
                <span class="inbox-meta">
                  <time dateTime={item.lastActivityAt}>{formatTime(item.lastActivityAt)}</time>
                  <span class="inbox-badges">
                    {item.unreadMentionCount > 0 && (
                      <span class="badge mention-badge" title="You were mentioned">
                        @<span class="visually-hidden"> you were mentioned</span>
                      </span>
                    )}
                    {item.unreadCount > 0 && (
                      <span class="badge">
                        {unread}
                        <span class="visually-hidden"> unread</span>
                      </span>
                    )}
                  </span>
                </span>
              </a>
            </li>
          );
        })}
      </ul>
      {hasMore && (
        <button type="button" onClick={onLoadMore}>
          Load more conversations
        </button>
      )}
    </section>
  );
}
