/** Accounts and profiles: plain functions over the users store. */

import { hashPassword, scryptParams } from '../auth/passwords';
import { config } from '../config';
import type { UserRecord } from '../data/users-store';
import * as store from '../data/users-store';
import { NotFoundError } from '../errors';
import { publicUrl } from '../media/cdn';
import type { SignUpRequest, UpdateProfileRequest } from '../schemas/users';
import { ulid } from './ids';
import { requireReadyMedia } from './media';

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
  };
  await store.createUser(user, await hashPassword(request.password, scryptParams(config.passwordHashLogN)));
  return presentUser(user);
}

export async function getProfile(userId: string): Promise<PresentedUser> {
  const user = await store.getUser(userId);
  if (!user) throw new NotFoundError(`No user has the id "${userId}".`);
  return presentUser(user);
}

export async function findByUsername(username: string): Promise<PresentedUser> {
  const claim = await store.getUsernameClaim(username);
  const user = claim ? await store.getUser(claim.userId) : undefined;
  if (!user) throw new NotFoundError(`No user has the username "${username}".`);
  return presentUser(user);
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
