/** The signed-in frame: a header with the connection state and the account actions; inbox beside the main view. */
import type { ComponentChildren } from 'preact';

const CONNECTION_LABELS = {
  online: 'Connected',
  connecting: 'Connecting…',
  offline: 'Offline: messages will be sent when the connection returns',
} as const;

export function Shell({
  userName,
  connection,
  profilePath,
  onLogOut,
  showMain,
  sidebar,
  children,
}: {
  userName: string;
  connection: keyof typeof CONNECTION_LABELS;
  profilePath: string;
  onLogOut: () => void;
  /** On a phone only one of the two shows: the inbox, or the main view. */
  showMain: boolean;
  sidebar: ComponentChildren;
  children: ComponentChildren;
}) {
  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top-bar">
        <span class="brand">Chat</span>
        <p class={`connection connection-${connection}`} role="status">
          {CONNECTION_LABELS[connection]}
        </p>
        <nav aria-label="Account">
          <a href={profilePath}>Profile ({userName})</a>
          <button type="button" onClick={onLogOut}>
            Log out
          </button>
        </nav>
      </header>
      <div class="layout" data-view={showMain ? 'main' : 'list'}>
        <aside class="sidebar" aria-label="Conversations">
          {sidebar}
        </aside>
        <main id="main" class="main" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}

export function Placeholder({ text }: { text: string }) {
  return (
    <div class="placeholder">
      <p>{text}</p>
    </div>
  );
}
