/** Small presentational pieces shared by the screens. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

export type ActionResult = { ok: true } | { ok: false; problem: { detail: string } };

/**
 * Runs a form's action: disables the form while it runs and keeps the server's reason (the problem
 * details' `detail`) to show under it.
 */
export function useAction<Args extends unknown[]>(action: (...args: Args) => Promise<ActionResult>) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (...args: Args): Promise<boolean> => {
    setPending(true);
    setError(null);
    try {
      const result = await action(...args);
      if (!result.ok) setError(result.problem.detail);
      return result.ok;
    } finally {
      setPending(false);
    }
  };
  return { pending, error, run, setError };
}

export function ErrorText({ id, children }: { id?: string; children: ComponentChildren }) {
  if (!children) return null;
  return (
    <p id={id} class="error" role="alert">
      {children}
    </p>
  );
}

const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => [...part][0]?.toUpperCase() ?? '')
    .join('') || '?';

/** A picture or initials; decorative (the name is always written next to it). */
export function Avatar({ name, url, size = 40 }: { name: string; url?: string | null; size?: number }) {
  const [failed, setFailed] = useState(false);
  const style = { width: `${size}px`, height: `${size}px` };
  if (url && !failed) {
    return <img class="avatar" src={url} alt="" style={style} onError={() => setFailed(true)} />;
  }
  return (
    // The initials are drawn by CSS: decorative, and kept out of the text of the link or heading around them.
    <span class="avatar avatar-initials" style={style} aria-hidden="true" data-initials={initials(name)} />
  );
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

export function formatTime(iso: string): string {
  const date = new Date(iso);
  return date.toDateString() === new Date().toDateString() ? timeFormat.format(date) : dayFormat.format(date);
}

export function Notices({
  notices,
  onDismiss,
}: {
  notices: readonly { id: number; text: string }[];
  onDismiss: (id: number) => void;
}) {
  return (
    <div class="notices" role="alert">
      {notices.map((notice) => (
        <p key={notice.id} class="notice">
          <span>{notice.text}</span>
          <button type="button" class="link-button" onClick={() => onDismiss(notice.id)}>
            Dismiss
          </button>
        </p>
      ))}
    </div>
  );
}
