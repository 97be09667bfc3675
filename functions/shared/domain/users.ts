/** Accounts and profiles: plain functions over the users store. */

import { hashPassword, scryptParams } from '../auth/passwords';
import { config } from '../config';
import { getHead as getPresenceHead } from '../data/feed-store';
import type { UserRecord } from '../data/users-store';
import * as store from '../data/users-store';
import { NotFoundError } from '../errors';
import { publicUrl } from '../media/cdn';
import type { Presence, SignUpRequest, UpdateProfileRequest } from '../schemas/users';
import { ulid } from './ids';
import { requireReadyMedia } from './media';
import { presenceOf } from './presence';

export type { UserRecord };

/** A user as the API shows it: the picture as a CDN URL (profile pictures need no signature). */
export function presentUser(user: UserRecord) {
  const { avatarKey, ...rest } = user;
  return { ...rest, avatarUrl: avatarKey ? publicUrl(avatarKey) : null };
}

export type PresentedUser = ReturnType<typeof presentUser>;

export async function signUp(request: SignUpRequest, now = new Date()): Promise<PresentedUser> {
  const timestamp = now.toISOString();
  const user: UserRecord = {
    id: ulid(now.getTime()),
    username: request.username,
    displayName: request.displayName ?? request.username,
    location: request.location ?? null,
    createdAt: timestamp,
    updatedAt: timestamp,
    avatarKey: null,
    showPresence: true,
  };
  await store.createUser(user, await hashPassword(request.password, scryptParams(config.passwordHashLogN)));
  return presentUser(user);
}

/**
 * A profile with its presence as `viewerId` sees it (hidden presence shows offline to others; the user sees
 * their own): the profile and the feed head, read in parallel.
 */
export async function getProfile(
  userId: string,
  viewerId: string,
): Promise<PresentedUser & { presence: Presence }> {
  const [user, head] = await Promise.all([store.getUser(userId), getPresenceHead(userId)]);
  if (!user) throw new NotFoundError(`No user has the id "${userId}".`);
  return { ...presentUser(user), presence: presenceOf(head, user.showPresence || userId === viewerId) };
}

export async function findByUsername(
  username: string,
  viewerId: string,
): Promise<PresentedUser & { presence: Presence }> {
  const claim = await store.getUsernameClaim(username);
  if (!claim) throw new NotFoundError(`No user has the username "${username}".`);
  return getProfile(claim.userId, viewerId).catch((error: unknown) => {
    if (error instanceof NotFoundError) throw new NotFoundError(`No user has the username "${username}".`);
    throw error;
  });
}

export async function updateProfile(
  userId: string,
  changes: UpdateProfileRequest,
  now = new Date(),
): Promise<PresentedUser> {
  const { avatarMediaId, ...fields } = changes;
  let avatarKey: string | null | undefined;
  if (avatarMediaId === null) avatarKey = null;
  else if (avatarMediaId !== undefined) {
    avatarKey = (
      await requireReadyMedia(userId, avatarMediaId, { purpose: 'avatar', field: 'avatarMediaId' })
    ).key;
  }
  return presentUser(await store.updateUser(userId, { ...fields, avatarKey }, now.toISOString()));
}
