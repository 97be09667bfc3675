/** The person's sessions on the profile screen: where they are signed in, ending one or all, the password. */
import { useEffect, useState } from 'preact/hooks';
import { type ActionResult, ErrorText, formatTime, useAction } from './common';

export interface SessionView {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  userAgent: string | null;
  current: boolean;
}

export function SessionsPanel({
  sessions,
  onLoad,
  onEnd,
  onEndAll,
  onChangePassword,
}: {
  sessions: SessionView[];
  onLoad: () => Promise<ActionResult>;
  onEnd: (id: string) => Promise<ActionResult>;
  onEndAll: () => Promise<ActionResult>;
  onChangePassword: (currentPassword: string, newPassword: string) => Promise<ActionResult>;
}) {
  const load = useAction(onLoad);
  const end = useAction(onEnd);
  const endAll = useAction(onEndAll);
  const change = useAction(onChangePassword);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [changed, setChanged] = useState(false);

  useEffect(() => {
    void load.run();
  }, []);

  return (
    <>
      <section class="card" aria-labelledby="sessions-title">
        <h3 id="sessions-title">Sessions</h3>
        <p class="muted">Where you are signed in. Ending a session signs that device out.</p>
        <ErrorText>{load.error ?? end.error ?? endAll.error}</ErrorText>
        <ul class="sessions" aria-label="Your sessions">
          {sessions.map((session) => (
            <li key={session.id}>
              <span>
                <strong>{session.userAgent ?? 'Unknown device'}</strong>
                {session.current && ' (this device)'}
                <br />
                <span class="muted">
                  Signed in {formatTime(session.createdAt)}, last active {formatTime(session.lastUsedAt)}
                </span>
              </span>
              <button
                type="button"
                disabled={end.pending}
                aria-label={`End session ${session.userAgent ?? 'Unknown device'}${session.current ? ' (this device)' : ''}`}
                onClick={() => void end.run(session.id)}
              >
                End
              </button>
            </li>
          ))}
        </ul>
        <button type="button" disabled={endAll.pending} onClick={() => void endAll.run()}>
          Log out everywhere
        </button>
      </section>

      <form
        class="form card"
        onSubmit={async (event) => {
          event.preventDefault();
          setChanged(false);
          const ok = await change.run(current, next);
          setChanged(ok);
          if (ok) {
            setCurrent('');
            setNext('');
          }
        }}
      >
        <h3>Change password</h3>
        <label for="current-password">Current password</label>
        <input
          id="current-password"
          type="password"
          autocomplete="current-password"
          required
          value={current}
          onInput={(event) => setCurrent(event.currentTarget.value)}
        />
        <label for="new-password">New password (at least 8 characters)</label>
        <input
          id="new-password"
          type="password"
          autocomplete="new-password"
          required
          minLength={8}
          value={next}
          onInput={(event) => setNext(event.currentTarget.value)}
        />
        <ErrorText>{change.error}</ErrorText>
        {changed && <p role="status">Password changed. Your other sessions have ended.</p>}
        <button type="submit" class="primary" disabled={change.pending}>
          Change password
        </button>
      </form>
    </>
  );
}
