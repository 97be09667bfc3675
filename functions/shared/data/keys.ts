/**
 * Key builders for every item type in the table. `docs/data-model.md` describes the same items; keep the two
 * in step.
 */

/** The public profile of a user. Never holds credentials. */
export const userKey = (userId: string) => ({ PK: `USER#${userId}`, SK: 'PROFILE' });

/**
 * The claim on a username (lower-cased, so uniqueness ignores case). It holds the user id and the password
 * hash, so a login reads credentials by the name the user types, in one strongly consistent GetItem.
 */
export const usernameKey = (username: string) => ({
  PK: `USERNAME#${username.toLowerCase()}`,
  SK: 'USERNAME',
});

/** A refresh token, keyed by the SHA-256 of the token so the table never holds a usable token. */
export const refreshTokenKey = (tokenHash: string) => ({ PK: `REFRESH#${tokenHash}`, SK: 'REFRESH' });
