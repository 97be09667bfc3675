/** Other people's public profiles (names, avatars), fetched once each and kept for the session. */
import { signal } from '@preact/signals';
import type { Schemas } from '../../../client';
import { call, type Result } from './result';
import { api, me } from './session';

export type Profile = Pick<Schemas['UserProfile'], 'id' | 'username' | 'displayName'> &
  Partial<Pick<Schemas['UserProfile'], 'avatarUrl' | 'location' | 'presence'>>;

export const profiles = signal<Record<string, Profile>>({});
const requested = new Set<string>();

export function rememberProfiles(list: Profile[]) {
  const next = { ...profiles.value };
  let changed = false;
  for (const profile of list) {
    const known = next[profile.id];
    // A full profile (with avatarUrl) is never replaced by a partial one from a member list.
    if (known && known.avatarUrl !== undefined && profile.avatarUrl === undefined) continue;
    next[profile.id] = { ...known, ...profile };
    changed = true;
  }
  if (changed) profiles.value = next;
}

/** Fetches the profiles not known yet (a few at a time; each is one GetItem on the server). */
export async function ensureProfiles(ids: readonly string[]) {
  const missing = [...new Set(ids)].filter((id) => !requested.has(id) && id !== me.value?.id);
  for (const id of missing) requested.add(id);
  for (let i = 0; i < missing.length; i += 4) {
    const results = await Promise.all(
      missing.slice(i, i + 4).map((id) => call(api().GET('/users/{id}', { params: { path: { id } } }))),
    );
    const found: Profile[] = [];
    results.forEach((result, index) => {
      if (result.ok) found.push(result.value);
      else requested.delete(missing[i + index] as string);
    });
    rememberProfiles(found);
  }
}

export async function findUserByUsername(username: string): Promise<Result<Schemas['UserProfile']>> {
  const result = await call(
    api().GET('/users/by-username/{username}', { params: { path: { username: username.trim() } } }),
  );
  if (result.ok) rememberProfiles([result.value]);
  return result;
}

/** Reads a person's profile again (their presence as of now: events only say when it changes). */
export async function refreshProfile(id: string) {
  const result = await call(api().GET('/users/{id}', { params: { path: { id } } }));
  if (result.ok) rememberProfiles([result.value]);
}

/** A `presence.changed` event: shown wherever that person's presence is. */
export function applyPresence(userId: string, presence: Schemas['Presence']) {
  const known = profiles.value[userId];
  if (!known) return;
  profiles.value = { ...profiles.value, [userId]: { ...known, presence } };
}

/** "Online", "Last seen 14:02" (or with the date when not today), or nothing when hidden or unknown. */
export function presenceLabel(presence: Schemas['Presence'] | undefined, now = new Date()): string {
  if (!presence) return '';
  if (presence.online) return 'Online';
  if (!presence.lastActiveAt) return '';
  const seen = new Date(presence.lastActiveAt);
  const time = seen.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return seen.toDateString() === now.toDateString()
    ? `Last seen ${time}`
    : `Last seen ${seen.toLocaleDateString()} ${time}`;
}

/** How a person is named on screen. */
export function nameOf(userId: string): string {
  if (userId === me.value?.id) return 'You';
  const profile = profiles.value[userId];
  return profile?.displayName || profile?.username || 'Someone';
}

export function clearProfiles() {
  profiles.value = {};
  requested.clear();
}
