/** Muting a conversation: the caller's own flag, kept on their membership (data/mutes-store.ts). */
import { MUTED_FOREVER, muteOf, setMute } from '../data/mutes-store';
import { ValidationError } from '../errors';
import type { MuteRequest } from '../schemas/mutes';
import { conversationNotFound } from './conversations';

/** A mute with an end may last at most this long (a longer one is what "until unmuted" is for). */
export const MAX_MUTE_MS = 366 * 24 * 60 * 60 * 1000;

export async function mute(callerId: string, conversationId: string, request: MuteRequest, now = new Date()) {
  let ends = MUTED_FOREVER;
  if (request.until !== undefined) {
    const at = Date.parse(request.until);
    const problem = !Number.isFinite(at)
      ? 'is not a valid time'
      : at <= now.getTime()
        ? 'must be in the future'
        : at > now.getTime() + MAX_MUTE_MS
          ? 'must be at most a year ahead (leave it out to mute until you unmute)'
          : undefined;
    if (problem) {
      throw new ValidationError(`until ${problem}.`, [{ field: 'until', message: problem }]);
    }
    ends = new Date(at).toISOString();
  }
  if (!(await setMute(conversationId, callerId, ends))) throw conversationNotFound(conversationId);
  return { conversationId, ...muteOf({ muteEnds: ends }, now) };
}

export async function unmute(callerId: string, conversationId: string) {
  if (!(await setMute(conversationId, callerId, null))) throw conversationNotFound(conversationId);
}
