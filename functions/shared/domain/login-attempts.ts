/**
 * Failed-login limits (issue 8): after 5 failures for an account in 15 minutes (or 50 from one client IP),
 * every login is refused with 429 for the rest of the window, a correct password included. Each attempt is
 * reserved on both counters before the (expensive, guessable) password check and given back when it
 * succeeds, so parallel guesses cannot race past the limit: 50 at once still get at most 5 checks.
 * The login (domain/sessions.ts) sees only a `PasswordCheckGuard`: it reads the credentials while the attempt
 * is being counted and gives it back beside its session write, so the limits add no round trip of their own.
 */
import { UnauthorizedError } from '../errors';
import type { RequestLimits, Reservation } from '../limits/fields';

/** What stands between a login and its password check. */
export interface PasswordCheckGuard {
  /** Settles before the password may be checked; rejects (429) when the attempt is refused. */
  ready: Promise<void>;
  /** The password was right: the attempt is not a failure. */
  passed(): Promise<void>;
}

export async function withLoginAttempt<T>(
  limits: RequestLimits,
  username: string,
  login: (guard: PasswordCheckGuard) => Promise<T>,
): Promise<T> {
  let reservations: Reservation[] = [];
  const releaseAll = async () => {
    const held = reservations;
    reservations = [];
    await Promise.all(held.map((reservation) => reservation.release()));
  };
  const ready = (async () => {
    const taken = await Promise.allSettled([
      limits.take('failed-logins', { subject: username.toLowerCase() }),
      limits.take('failed-logins-by-ip'),
    ]);
    reservations = taken.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const refused = taken.find((result) => result.status === 'rejected');
    if (refused) {
      await releaseAll(); // no attempt was made
      throw refused.reason;
    }
  })();
  // The login may fail (a busy table) before it waits for `ready`; that outcome is handled below.
  ready.catch(() => undefined);
  try {
    return await login({ ready, passed: releaseAll });
  } catch (error) {
    // Only a wrong username or password is a failure; our own trouble (a busy table) is not held against it.
    if (!(error instanceof UnauthorizedError)) await ready.then(releaseAll, () => undefined);
    throw error;
  }
}
