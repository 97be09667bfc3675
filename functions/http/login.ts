import { decoyPasswordHash, scryptParams } from '../shared/auth/passwords';
import { config } from '../shared/config';
import { withLoginAttempt } from '../shared/domain/login-attempts';
import { login } from '../shared/domain/sessions';
import { httpHandler } from '../shared/http/handler';
import { login as route } from '../shared/routes/accounts';

// The decoy hash for unknown usernames, made at cold start (init; random bytes, no scrypt), so no request
// makes it. Here, not in a shared module: only login needs it.
const decoyHash = decoyPasswordHash(scryptParams(config.passwordHashLogN));

export const handler = httpHandler(route, async ({ body, event, limits }) => ({
  // The attempt is reserved (failed-login limits) before the password is checked, and given back on success.
  body: await withLoginAttempt(limits, body.username, (guard) =>
    login(body.username, body.password, { decoyHash, userAgent: event.headers['user-agent'], guard }),
  ),
}));
