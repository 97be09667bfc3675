/**
 * The person's sessions (their logins on each device): listing them, ending one or all, changing the
 * password. Ending the current session signs out here too.
 */
import { signal } from '@preact/signals';
import type { Schemas } from '../../../client';
import { call, type Result } from './result';
import { api, forget } from './session';

export const sessions = signal<Schemas['Session'][]>([]);

export async function loadSessions(): Promise<Result<void>> {
  const result = await call(api().GET('/sessions'));
  if (!result.ok) return result;
  sessions.value = result.value.items;
  return { ok: true, value: undefined };
}

export async function endSession(id: string): Promise<Result<void>> {
  const current = sessions.value.find((session) => session.id === id)?.current ?? false;
  const result = await call(api().DELETE('/sessions/{id}', { params: { path: { id } } }));
  if (!result.ok) return result;
  if (current) forget();
  else sessions.value = sessions.value.filter((session) => session.id !== id);
  return { ok: true, value: undefined };
}

export async function logOutEverywhere(): Promise<Result<void>> {
  const result = await call(api().POST('/logout/all'));
  if (!result.ok) return result;
  forget();
  return { ok: true, value: undefined };
}

/** Changes the password; every other session ends, so the list is read again. */
export async function changePassword(currentPassword: string, newPassword: string): Promise<Result<void>> {
  const result = await call(api().POST('/users/me/password', { body: { currentPassword, newPassword } }));
  if (!result.ok) return result;
  return loadSessions();
}
