/** A conversation's messages: oldest at the top, newest at the bottom; own messages can be edited and deleted. */
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Schemas } from '../../../client';
import { type ActionResult, ErrorText, formatTime, useAction } from './common';

export interface MessageView {
  key: string;
  /** The server's id; absent while the message is still on its way. */
  id?: string;
  mine: boolean;
  senderName: string;
  showSender: boolean;
  /** null once deleted. Pending media have no URL yet. */
  content: Schemas['Message']['content'] | Schemas['SendMessageRequest']['content'];
  createdAt: string;
  edited: boolean;
  pending?: {
    clientMessageId: string;
    state: 'sending' | 'waiting' | 'failed';
    error?: string;
    /** Set when the server said to wait (429): the countdown shows when it is sent again. */
    retryAt?: number;
  };
  /** "Read by Bob", under the newest of one's own messages others have read. */
  receipt?: string;
  /** Reactions per emoji, with whether they are the person's own. */
  reactions?: readonly { emoji: string; count: number; me: boolean }[];
  /** The usernames (lower-case) of the members the message mentions: their `@name` is highlighted. */
  mentionedNames?: readonly string[];
}

export interface MessageActions {
  onEdit: (messageId: string, text: string) => Promise<ActionResult>;
  onDelete: (messageId: string) => Promise<ActionResult>;
  onRetry: (clientMessageId: string) => void;
  onDiscard: (clientMessageId: string) => void;
  /** A picture or video did not load (its signed URL may have expired). */
  onMediaError: () => void;
  /** Adds (`on`) or removes the person's reaction with an emoji. */
  onReact: (messageId: string, emoji: string, on: boolean) => void;
}

/** Offered by the React button; any other emoji arrives from other clients and shows as a chip. */
const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢'];

/**
 * Reaction chips under a message (click to add or take back one's own), a small picker, and the message's
 * other actions (`children`: Edit and Delete on one's own), all in one row.
 */
function Reactions({
  view,
  onReact,
  children,
}: {
  view: MessageView;
  onReact: MessageActions['onReact'];
  children?: ComponentChildren;
}) {
  const [picking, setPicking] = useState(false);
  const messageId = view.id;
  if (!messageId || !view.content || view.pending) return null;
  const shown = view.reactions ?? [];
  const mine = (emoji: string) => shown.some((reaction) => reaction.emoji === emoji && reaction.me);
  return (
    <div class="reactions">
      {shown.map((reaction) => (
        <button
          key={reaction.emoji}
          type="button"
          class={`reaction${reaction.me ? ' mine' : ''}`}
          aria-pressed={reaction.me}
          aria-label={`${reaction.emoji} ${reaction.count}${reaction.me ? ', you reacted' : ''}`}
          onClick={() => onReact(messageId, reaction.emoji, !reaction.me)}
        >
          {reaction.emoji} {reaction.count}
        </button>
      ))}
      <button type="button" class="link-button" aria-expanded={picking} onClick={() => setPicking(!picking)}>
        React
      </button>
      {picking && (
        <fieldset class="reaction-picker" aria-label="Pick a reaction">
          {QUICK_REACTIONS.map((emoji) => (
            <button
              key={emoji}
              type="button"
              aria-label={`React with ${emoji}`}
              onClick={() => {
                setPicking(false);
                onReact(messageId, emoji, !mine(emoji));
              }}
            >
              {emoji}
            </button>
          ))}
        </fieldset>
      )}
      {children}
    </div>
  );
}

const KIND_NAMES = { image: 'Picture', video: 'Video', audio: 'Voice note', file: 'File' } as const;

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function formatDuration(milliseconds: number): string {
  const seconds = Math.round(milliseconds / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** Characters after which an `@` starts a mention (as the server reads them: functions/shared/domain/mentions.ts). */
const MENTION_OPENER = /[\s([{<"'“‘«]/;

/** Text with the server-resolved mentions (`@name` of a member in `names`) highlighted. */
function TextWithMentions({ text, names }: { text: string; names: readonly string[] }) {
  if (names.length === 0) return <>{text}</>;
  const parts: ComponentChildren[] = [];
  let last = 0;
  for (const match of text.matchAll(/@([A-Za-z0-9_.-]+)/g)) {
    const at = match.index ?? 0;
    const before = text[at - 1];
    const name = (match[1] ?? '').replace(/[.-]+$/, '');
    const opens = before === undefined || MENTION_OPENER.test(before);
    if (!opens || text[at + match[0].length] === '@' || !names.includes(name.toLowerCase())) continue;
    parts.push(text.slice(last, at), <span class="mention">@{name}</span>);
    last = at + 1 + name.length;
  }
  parts.push(text.slice(last));
  return <>{parts}</>;
}

function Content({ view, onMediaError }: { view: MessageView; onMediaError: () => void }) {
  const content = view.content;
  if (!content) return <p class="tombstone">This message was deleted.</p>;
  if ('text' in content)
    return (
      <p class="text">
        <TextWithMentions text={content.text} names={view.mentionedNames ?? []} />
      </p>
    );
  const caption = typeof content.metadata?.caption === 'string' ? content.metadata.caption : undefined;
  if (!('url' in content)) return <p class="muted">{KIND_NAMES[content.type]} (sending…)</p>;
  if (content.type === 'file') {
    const name = content.fileName ?? 'file';
    return (
      <p class="file">
        {/* The CDN serves it as an attachment under the same name; `download` is a hint for same-origin. */}
        <a href={content.url} download={name}>
          Download {name}
        </a>{' '}
        <span class="muted">({formatSize(content.size)})</span>
      </p>
    );
  }
  if (content.type === 'audio') {
    return (
      <figure>
        {/* biome-ignore lint/a11y/useMediaCaption: voice notes come without captions */}
        <audio
          src={content.url}
          controls
          preload="metadata"
          onError={onMediaError}
          aria-label={caption ?? `Voice note from ${view.senderName}`}
        />
        {content.durationMs !== undefined && (
          <figcaption class="muted">{formatDuration(content.durationMs)}</figcaption>
        )}
      </figure>
    );
  }
  if (content.type === 'image') {
    return (
      <figure>
        <img
          class="attachment"
          src={content.url}
          alt={caption ?? `Picture from ${view.senderName}`}
          loading="lazy"
        />
        {caption && <figcaption>{caption}</figcaption>}
      </figure>
    );
  }
  return (
    <figure>
      {/* biome-ignore lint/a11y/useMediaCaption: people's own videos come without captions */}
      <video
        class="attachment"
        src={content.url}
        controls
        preload="metadata"
        onError={onMediaError}
        aria-label={caption ?? `Video from ${view.senderName}`}
      />
      {caption && <figcaption>{caption}</figcaption>}
    </figure>
  );
}

/** "Sending too fast, retrying in N s", counting down each second. */
function RetryCountdown({ retryAt }: { retryAt: number }) {
  const secondsLeft = () => Math.max(0, Math.ceil((retryAt - Date.now()) / 1000));
  const [seconds, setSeconds] = useState(secondsLeft);
  useEffect(() => {
    const timer = setInterval(() => setSeconds(secondsLeft()), 1000);
    return () => clearInterval(timer);
  });
  return (
    <p class="status-line" role="status">
      Sending too fast, retrying in {seconds} s
    </p>
  );
}

function PendingState({ view, actions }: { view: MessageView; actions: MessageActions }) {
  const pending = view.pending;
  if (!pending) return null;
  if (pending.state === 'sending') return <p class="status-line">Sending…</p>;
  if (pending.state === 'waiting' && pending.retryAt !== undefined)
    return <RetryCountdown retryAt={pending.retryAt} />;
  if (pending.state === 'waiting')
    return <p class="status-line">Pending: will be sent when the connection returns.</p>;
  return (
    <div class="status-line">
      <ErrorText>Not sent: {pending.error}</ErrorText>
      <button type="button" onClick={() => actions.onRetry(pending.clientMessageId)}>
        Retry
      </button>
      <button type="button" onClick={() => actions.onDiscard(pending.clientMessageId)}>
        Discard
      </button>
    </div>
  );
}

function MessageItem({ view, actions }: { view: MessageView; actions: MessageActions }) {
  const [mode, setMode] = useState<'view' | 'edit' | 'confirm-delete'>('view');
  const text = view.content && 'text' in view.content ? view.content.text : '';
  const [draft, setDraft] = useState(text);
  const editBox = useRef<HTMLTextAreaElement>(null);
  // Focus the edit box in the same task that shows it: the autofocus attribute only takes effect at the
  // next rendering frame, so keys typed right after choosing Edit went to the button that had just gone.
  useLayoutEffect(() => {
    if (mode === 'edit') editBox.current?.focus();
  }, [mode]);
  const edit = useAction(async (value: string) => actions.onEdit(view.id as string, value));
  const remove = useAction(async () => actions.onDelete(view.id as string));
  const canChange = view.mine && view.id && view.content && !view.pending;
  const save = async () => {
    if (await edit.run(draft)) setMode('view');
  };
  return (
    <li
      class={`message${view.mine ? ' mine' : ''}${view.pending ? ' pending' : ''}`}
      aria-label={`${view.mine ? 'You' : view.senderName}, ${formatTime(view.createdAt)}`}
    >
      <div class="bubble">
        {view.showSender && <p class="sender">{view.senderName}</p>}
        {mode === 'edit' ? (
          <form
            class="edit-form"
            onSubmit={(event) => {
              event.preventDefault();
              void save();
            }}
          >
            <label for={`edit-${view.key}`}>Edit message</label>
            <textarea
              id={`edit-${view.key}`}
              value={draft}
              rows={2}
              onInput={(event) => setDraft(event.currentTarget.value)}
              onKeyDown={(event) => {
                if (event.key === 'Escape') setMode('view');
                if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
                  event.preventDefault();
                  void save();
                }
              }}
              ref={editBox}
            />
            <ErrorText>{edit.error}</ErrorText>
            <div class="row">
              <button type="submit" class="primary" disabled={edit.pending}>
                Save
              </button>
              <button type="button" onClick={() => setMode('view')}>
                Cancel
              </button>
            </div>
          </form>
        ) : (
          <Content view={view} onMediaError={actions.onMediaError} />
        )}
        <p class="meta">
          <time dateTime={view.createdAt}>{formatTime(view.createdAt)}</time>
          {view.edited && view.content && <span class="edited"> · edited</span>}
        </p>
        <PendingState view={view} actions={actions} />
        {mode === 'view' && (
          <Reactions view={view} onReact={actions.onReact}>
            {canChange && text && (
              <button
                type="button"
                class="link-button"
                onClick={() => {
                  setDraft(text);
                  setMode('edit');
                }}
              >
                Edit
              </button>
            )}
            {canChange && (
              <button type="button" class="link-button" onClick={() => setMode('confirm-delete')}>
                Delete
              </button>
            )}
          </Reactions>
        )}
        {mode === 'confirm-delete' && (
          <div class="message-actions">
            <span>Delete this message?</span>
            <button
              type="button"
              class="danger"
              disabled={remove.pending}
              onClick={async () => {
                if (await remove.run()) setMode('view');
              }}
            >
              Yes, delete
            </button>
            <button type="button" onClick={() => setMode('view')}>
              Cancel
            </button>
          </div>
        )}
        <ErrorText>{remove.error}</ErrorText>
      </div>
      {view.receipt && <p class="receipt">{view.receipt}</p>}
    </li>
  );
}

export function MessageList({
  messages,
  hasOlder,
  loadingOlder,
  onLoadOlder,
  actions,
}: {
  messages: readonly MessageView[];
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  actions: MessageActions;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const nearBottom = useRef(true);
  const previous = useRef<{ first?: string; last?: string; height: number }>({ height: 0 });

  // Keeps the view where the person left it: at the bottom for new messages (when they were at the bottom,
  // or sent it), on the same message when older ones are added above.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const first = messages[0]?.key;
    const lastMessage = messages.at(-1);
    const before = previous.current;
    if (before.first && first !== before.first && lastMessage?.key === before.last) {
      element.scrollTop += element.scrollHeight - before.height;
    } else if (lastMessage?.key !== before.last && (nearBottom.current || lastMessage?.mine)) {
      element.scrollTop = element.scrollHeight;
    }
    previous.current = { first, last: lastMessage?.key, height: element.scrollHeight };
  });

  // A picture, video or player gets its size after its message is shown, making the list taller: a person who
  // was at the bottom stays there (the newest message fully in view).
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const element = scroller.current;
    const content = list.current;
    if (!element || !content || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (nearBottom.current) element.scrollTop = element.scrollHeight;
    });
    observer.observe(content);
    return () => observer.disconnect();
  }, []);

  return (
    <div
      ref={scroller}
      class="message-scroller"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable to scroll it with the keyboard
      tabIndex={0}
      role="log"
      aria-label="Messages"
      onScroll={(event) => {
        const element = event.currentTarget;
        nearBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 80;
        if (element.scrollTop < 60 && hasOlder && !loadingOlder) onLoadOlder();
      }}
    >
      {hasOlder && (
        <button type="button" class="load-older" onClick={onLoadOlder} disabled={loadingOlder}>
          {loadingOlder ? 'Loading older messages…' : 'Load older messages'}
        </button>
      )}
      {messages.length === 0 && !hasOlder && <p class="muted">No messages yet. Say hello!</p>}
      <ol class="messages" ref={list}>
        {messages.map((view) => (
          <MessageItem key={view.key} view={view} actions={actions} />
        ))}
      </ol>
    </div>
  );
}
