/** Accounts and profiles: plain functions over the users store. */
import { ulid } from 'ulid';
import { hashPassword } from '../auth/passwords';
import type { UserRecord } from '../data/users-store';
import * as store from '../data/users-store';
import { NotFoundError } from '../errors';
import type { SignUpRequest, UpdateProfileRequest } from '../schemas/users';

export type { UserRecord };

export async function signUp(request: SignUpRequest, now = new Date()): Promise<UserRecord> {
  const timestamp = now.toISOString();
  const user: UserRecord = {
    id: ulid(now.getTime()),
    username: request.username,
    displayName: request.displayName ?? request.username,
    location: request.location ?? null,
    createdAt: timestamp,
    updatedAt: timestamp,
  };
  await store.createUser(user, await hashPassword(request.password));
  return user;
}

export async function getProfile(userId: string): Promise<UserRecord> {
  const user = await store.getUser(userId);
  if (!user) throw new NotFoundError(`No user has the id "${userId}".`);
  return user;
}

export async function findByUsername(username: string): Promise<UserRecord> {
  const claim = await store.getUsernameClaim(username);
  const user = claim ? await store.getUser(claim.userId) : undefined;
  if (!user) throw new NotFoundError(`No user has the username "${username}".`);
  return user;
}

export async function updateProfile(userId: string, changes: UpdateProfileRequest, now = new Date()) {
  return store.updateUser(userId, changes, now.toISOString());
}
