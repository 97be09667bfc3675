/** The sessions store against DynamoDB Local: lifetimes and reuse detection, decided in one transaction. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { homeDynamo } from '../../functions/shared/data/client';
import {
  createSession,
  deleteSessions,
  listSessions,
  type RefreshTokenRecord,
  restartSession,
  rotateRefreshToken,
  type SessionRecord,
} from '../../functions/shared/data/sessions-store';
import { ulid } from '../../functions/shared/domain/ids';

const DAY = 24 * 3600;
const start = new Date('2030-01-01T00:00:00.000Z');
const epoch = (at: Date) => Math.floor(at.getTime() / 1000);
const later = (seconds: number) => new Date(start.getTime() + seconds * 1000);

/** A session created at `start`, ending 90 days later, with its first token valid for 30 days. */
async function newSession() {
  const userId = ulid();
  const id = ulid();
  const session: SessionRecord = {
    id,
    userId,
    createdAt: start.toISOString(),
    lastUsedAt: start.toISOString(),
    userAgent: null,
    expiresAt: epoch(start) + 90 * DAY,
    idleExpiresAt: epoch(start) + 30 * DAY,
  };
  const token = tokenAt(userId, id, start);
  await createSession(session, token);
  return { userId, id, token };
}

function tokenAt(userId: string, sessionId: string, at: Date): RefreshTokenRecord {
  return {
    tokenHash: ulid(),
    userId,
    sessionId,
    createdAt: at.toISOString(),
    expiresAt: epoch(at) + 30 * DAY,
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('refresh token rotation', () => {
  it('rotates within the idle lifetime, moving the session on', async () => {
    const { userId, id, token } = await newSession();
    const at = later(29 * DAY);

    const failure = await rotateRefreshToken(token.tokenHash, tokenAt(userId, id, at), at);

    expect(failure).toBeUndefined();
    const [session] = await listSessions(userId, at);
    expect(session?.lastUsedAt).toBe(at.toISOString());
    expect(session?.idleExpiresAt).toBe(epoch(at) + 30 * DAY);
  });

  it('refuses a token past its idle lifetime (30 days unused)', async () => {
    const { userId, id, token } = await newSession();
    const at = later(30 * DAY + 1);

    await expect(rotateRefreshToken(token.tokenHash, tokenAt(userId, id, at), at)).resolves.toBe('invalid');
  });

  it('refuses a refresh past the absolute lifetime even when the session was used every day', async () => {
    const { userId, id, token } = await newSession();
    let current = token;
    for (const day of [25, 50, 75]) {
      const at = later(day * DAY);
      const next = tokenAt(userId, id, at);
      expect(await rotateRefreshToken(current.tokenHash, next, at)).toBeUndefined();
      current = next;
    }
    const late = later(90 * DAY + 1);

    await expect(rotateRefreshToken(current.tokenHash, tokenAt(userId, id, late), late)).resolves.toBe(
      'invalid',
    );
    expect(await listSessions(userId, late)).toEqual([]);
  });

  it('tells a rotated token presented again (reused) from one that never existed (invalid)', async () => {
    const { userId, id, token } = await newSession();
    const at = later(60);
    await rotateRefreshToken(token.tokenHash, tokenAt(userId, id, at), at);

    const again = await rotateRefreshToken(token.tokenHash, tokenAt(userId, id, later(120)), later(120));
    const unknown = await rotateRefreshToken(ulid(), tokenAt(userId, id, later(120)), later(120));
    const otherSession = await rotateRefreshToken(
      token.tokenHash,
      tokenAt(userId, ulid(), later(120)),
      later(120),
    );

    expect(again).toBe('reused');
    expect(unknown).toBe('invalid');
    expect(otherSession).toBe('invalid');
  });

  it('decides an unknown token in the one transaction, with no read after it', async () => {
    const { userId, id } = await newSession();
    const send = vi.spyOn(homeDynamo, 'send');

    const unknown = await rotateRefreshToken(ulid(), tokenAt(userId, id, later(60)), later(60));

    expect(unknown).toBe('invalid');
    expect(send.mock.calls.map(([command]) => command.constructor.name)).toEqual(['TransactWriteCommand']);
  });
});

describe('ending all sessions', () => {
  it('reads the sessions to end strongly consistently, so one created a moment before is not missed', async () => {
    const { userId, id } = await newSession();
    const send = vi.spyOn(homeDynamo, 'send');

    const ended = await deleteSessions(userId);

    expect(ended).toEqual([id]);
    const query = send.mock.calls.find(([command]) => command.constructor.name === 'QueryCommand');
    expect(query?.[0].input).toMatchObject({ ConsistentRead: true });
  });
});

describe('restarting a session (its sockets close, the session goes on)', () => {
  it('puts the session back exactly as it was, so its refresh token still rotates', async () => {
    const { userId, id, token } = await newSession();
    const before = await listSessions(userId, start);

    expect(await restartSession(userId, id)).toBe(true);

    expect(await listSessions(userId, start)).toEqual(before);
    expect(
      await rotateRefreshToken(token.tokenHash, tokenAt(userId, id, later(DAY)), later(DAY)),
    ).toBeUndefined();
  });

  it('does not bring back a session that has ended', async () => {
    const { userId, id } = await newSession();
    await deleteSessions(userId);

    expect(await restartSession(userId, id)).toBe(false);
    expect(await listSessions(userId, start)).toEqual([]);
  });
});
