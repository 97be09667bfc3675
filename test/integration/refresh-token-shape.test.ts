/**
 * Refresh tokens name their user and session, and those ids become table keys. A token whose ids no id of
 * ours could be is refused before any DynamoDB call: on AWS a key over DynamoDB's size limits (a sort key
 * over 1024 bytes) is a ValidationException, i.e. a 500, which DynamoDB Local does not reproduce.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { homeDynamo } from '../../functions/shared/data/client';
import { logout, refresh } from '../../functions/shared/domain/sessions';
import { UnauthorizedError } from '../../functions/shared/errors';

afterEach(() => {
  vi.restoreAllMocks();
});

// Within the 512-character body limit; the first makes a 1,208-byte sort key (`SESSION#…`) in UTF-8.
const oversizedSession = `01J0000000000000000000000.${'€'.repeat(400)}.secret`;
const oversizedUser = `${'€'.repeat(400)}.01J0000000000000000000000.secret`;

describe('refresh tokens with ids longer than any of ours', () => {
  it.each([
    ['session', oversizedSession],
    ['user', oversizedUser],
  ])(
    'refuses a refresh with an oversized %s id as an invalid token, asking DynamoDB nothing',
    async (_, token) => {
      const send = vi.spyOn(homeDynamo, 'send');

      await expect(refresh(token)).rejects.toBeInstanceOf(UnauthorizedError);
      expect(send).not.toHaveBeenCalled();
    },
  );

  it.each([
    ['session', oversizedSession],
    ['user', oversizedUser],
  ])('ends nothing for a logout with an oversized %s id, asking DynamoDB nothing', async (_, token) => {
    const send = vi.spyOn(homeDynamo, 'send');

    await expect(logout(token)).resolves.toBeUndefined();
    expect(send).not.toHaveBeenCalled();
  });
});
