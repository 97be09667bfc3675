/**
 * Failed-login limits (issue 8): after 5 failures for an account in 15 minutes (or 50 from one client IP),
 * every login is refused with 429 for the rest of the window, a correct password included. Each attempt is
 * reserved on both counters before the (expensive, guessable) password check and given back when it
 * succeeds, so parallel guesses cannot race past the limit: 50 at once still get at most 5 checks.
 * Self-contained: the login itself (domain/sessions.ts) knows nothing of it.
 */
import { UnauthorizedError } from '../errors';
import type { RequestLimits, Reservation } from '../limits/fields';

export async function withLoginAttempt<T>(
  limits: RequestLimits,
  username: string,
  login: () => Promise<T>,
): Promise<T> {
  const taken = await Promise.allSettled([
    limits.take('failed-logins', { subject: username.toLowerCase() }),
    limits.take('failed-logins-by-ip'),
  ]);
  const reservations = taken.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const releaseAll = (held: Reservation[]) => Promise.all(held.map((reservation) => reservation.release()));
  const refused = taken.find((result) => result.status === 'rejected');
  if (refused) {
    await releaseAll(reservations); // no attempt was made
    throw refused.reason;
  }
  try {
    const result = await login();
    await releaseAll(reservations);
    return result;
  } catch (error) {
    // Only a wrong username or password is a failure; our own trouble (a busy table) is not held against it.
    if (!(error instanceof UnauthorizedError)) await releaseAll(reservations);
    throw error;
  }
}
