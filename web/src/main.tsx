/** Starts the app: runtime config, session, and the wiring between the socket and the stores. */
import { effect } from '@preact/signals';
import { render } from 'preact';
import { useErrorBoundary } from 'preact/hooks';
import { App } from './app';
import { loadRuntimeConfig } from './config';
import './styles.css';
import { clearConversations, loadedConversationIds, markRead } from './stores/conversations';
import { clearInbox } from './stores/inbox';
import { clearNotices } from './stores/notices';
import { clearOutbox, restoreOutbox } from './stores/outbox';
import { startRealtime, stopRealtime } from './stores/realtime';
import { onLinkClick } from './stores/router';
import { initSession, restoreSession, sessionStatus } from './stores/session';
import { catchUp, receive, resetSync } from './stores/sync';
import { clearUploads } from './stores/uploads';
import { clearProfiles } from './stores/users';

function wireSession(wsUrl: string) {
  let running = false;
  effect(() => {
    const status = sessionStatus.value;
    if (status === 'signedIn' && !running) {
      running = true;
      restoreOutbox();
      // The first connection's catch-up is also the first load of the inbox.
      startRealtime({ url: wsUrl, onEvent: receive, onConnected: () => void catchUp() });
    } else if (status === 'signedOut' && running) {
      running = false;
      stopRealtime();
      resetSync();
      clearOutbox();
      clearConversations();
      clearInbox();
      clearUploads();
      clearProfiles();
      clearNotices();
    }
  });
  // Coming back to the tab counts as reading what arrived meanwhile in the conversation on screen.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') for (const id of loadedConversationIds()) void markRead(id);
  });
}

/** A bug while rendering shows a way out instead of a blank page. */
function Root() {
  const [error] = useErrorBoundary((caught) => console.error('[app] render failed', caught));
  if (error) {
    return (
      <main class="auth" id="main">
        <h1>Chat</h1>
        <p class="error" role="alert">
          Something went wrong on this page. Your messages are safe.
        </p>
        <button type="button" class="primary" onClick={() => location.reload()}>
          Reload
        </button>
      </main>
    );
  }
  return <App />;
}

async function start() {
  const root = document.getElementById('app') as HTMLElement;
  document.addEventListener('click', onLinkClick);
  try {
    const config = await loadRuntimeConfig();
    initSession(config.apiUrl);
    wireSession(config.wsUrl);
  } catch (error) {
    root.textContent = `The app could not start: ${(error as Error).message}`;
    return;
  }
  render(<Root />, root);
  await restoreSession();
}

void start();
