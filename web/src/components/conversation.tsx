/** One conversation: header, messages, who is typing, uploads in progress, and the composer. */
import { useRef, useState } from 'preact/hooks';
import { Avatar, ErrorText } from './common';
import { type MessageActions, MessageList, type MessageView } from './messages';

export interface UploadView {
  id: string;
  fileName: string;
  progress: number;
  state: 'uploading' | 'checking' | 'failed';
  error?: string;
}

export interface ConversationViewProps {
  title: string;
  subtitle: string;
  avatarUrl?: string | null;
  backPath: string;
  settingsPath?: string;
  /** Whether I muted it; absent while it is loading. */
  muted?: boolean;
  onToggleMute?: () => void;
  /** Blocking the other person of a direct conversation (absent for groups and notes to self). */
  onBlock?: () => void;
  status: 'loading' | 'ready' | 'missing' | 'left';
  problem?: string;
  messages: readonly MessageView[];
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  typing: string | null;
  uploads: readonly UploadView[];
  onDismissUpload: (id: string) => void;
  onSend: (text: string) => void;
  onTyping: () => void;
  onAttach: (files: File[]) => void;
  actions: MessageActions;
}

/** What the file picker offers (the server's list decides; files of other types get its reason). */
export const ATTACHMENT_TYPES = [
  'image/jpeg,image/png,image/webp,image/gif',
  'video/mp4,video/webm,video/quicktime',
  'audio/mpeg,audio/mp4,audio/x-m4a,audio/aac,audio/ogg,audio/webm,audio/wav',
  'application/pdf,text/plain,application/zip,.zip,.docx,.xlsx,.pptx',
].join(',');

function Composer({
  onSend,
  onTyping,
  onAttach,
  disabled,
}: Pick<ConversationViewProps, 'onSend' | 'onTyping' | 'onAttach'> & { disabled: boolean }) {
  const [text, setText] = useState('');
  const fileInput = useRef<HTMLInputElement>(null);
  const submit = () => {
    if (!text.trim()) return;
    onSend(text);
    setText('');
  };
  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <label for="composer-text" class="visually-hidden">
        Message
      </label>
      <textarea
        id="composer-text"
        rows={1}
        placeholder="Write a message"
        title="Enter sends; Shift+Enter starts a new line"
        value={text}
        disabled={disabled}
        onInput={(event) => {
          setText(event.currentTarget.value);
          onTyping();
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            submit();
          }
        }}
      />
      <label class="button file-button">
        Attach
        <input
          ref={fileInput}
          type="file"
          class="visually-hidden"
          aria-label="Attach a file"
          accept={ATTACHMENT_TYPES}
          disabled={disabled}
          onChange={(event) => {
            const files = [...(event.currentTarget.files ?? [])];
            event.currentTarget.value = '';
            if (files.length) onAttach(files);
          }}
        />
      </label>
      <button type="submit" class="primary" disabled={disabled}>
        Send
      </button>
    </form>
  );
}

export function ConversationView(props: ConversationViewProps) {
  const [dragging, setDragging] = useState(false);
  const ready = props.status === 'ready';
  return (
    <section
      class={`conversation${dragging ? ' dragging' : ''}`}
      aria-labelledby="conversation-title"
      onDragOver={(event) => {
        if (!ready || !event.dataTransfer?.types.includes('Files')) return;
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(event) => {
        setDragging(false);
        const files = [...(event.dataTransfer?.files ?? [])];
        if (!ready || files.length === 0) return;
        event.preventDefault();
        props.onAttach(files);
      }}
    >
      <header class="conversation-header">
        <a class="back-link" href={props.backPath}>
          Back to chats
        </a>
        <Avatar name={props.title} url={props.avatarUrl} />
        <div class="conversation-heading">
          <h2 id="conversation-title">{props.title}</h2>
          <p class="muted">{props.subtitle}</p>
        </div>
        {props.muted !== undefined && props.onToggleMute && (
          <button type="button" aria-pressed={props.muted} onClick={props.onToggleMute}>
            {props.muted ? 'Unmute' : 'Mute'}
          </button>
        )}
        {props.onBlock && (
          <button type="button" onClick={props.onBlock}>
            Block
          </button>
        )}
        {props.settingsPath && (
          <a class="button" href={props.settingsPath}>
            Group settings
          </a>
        )}
      </header>
      {props.status === 'loading' && <p class="muted pad">Loading…</p>}
      {(props.status === 'missing' || props.status === 'left') && (
        <ErrorText>{props.problem ?? 'This conversation does not exist, or you are not a member.'}</ErrorText>
      )}
      {ready && (
        <MessageList
          messages={props.messages}
          hasOlder={props.hasOlder}
          loadingOlder={props.loadingOlder}
          onLoadOlder={props.onLoadOlder}
          actions={props.actions}
        />
      )}
      <p class="typing" role="status">
        {props.typing ?? ''}
      </p>
      {props.uploads.map((upload) => (
        <div class="upload" key={upload.id}>
          {upload.state === 'failed' ? (
            <>
              <ErrorText>
                {upload.fileName}: {upload.error}
              </ErrorText>
              <button type="button" onClick={() => props.onDismissUpload(upload.id)}>
                Dismiss
              </button>
            </>
          ) : (
            <>
              <label for={`upload-${upload.id}`}>
                {upload.state === 'checking'
                  ? `Checking ${upload.fileName}…`
                  : `Uploading ${upload.fileName}`}
              </label>
              <progress id={`upload-${upload.id}`} max={1} value={upload.progress} />
            </>
          )}
        </div>
      ))}
      {ready && (
        <Composer
          onSend={props.onSend}
          onTyping={props.onTyping}
          onAttach={props.onAttach}
          disabled={false}
        />
      )}
    </section>
  );
}
