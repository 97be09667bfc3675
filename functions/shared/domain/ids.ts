/**
 * ULIDs (https://github.com/ulid/spec): 48 bits of millisecond time, then 80 random bits, in Crockford's
 * base32. They sort by time and stay unique within one millisecond. A dozen lines instead of the `ulid`
 * package, whose monotonic factory and browser PRNG detection no function needs (tests check ours against it).
 */
import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function ulid(time = Date.now()): string {
  if (!Number.isInteger(time) || time < 0 || time > 2 ** 48 - 1) throw new Error(`Not a ULID time: ${time}`);
  let timePart = '';
  for (let rest = time, i = 0; i < 10; i++, rest = Math.floor(rest / 32)) {
    timePart = CROCKFORD.charAt(rest % 32) + timePart;
  }
  // 256 is a multiple of 32, so five bits of each byte are uniformly random.
  let randomPart = '';
  for (const byte of randomBytes(16)) randomPart += CROCKFORD.charAt(byte & 31);
  return timePart + randomPart;
}

/**
 * The smallest ULID of a millisecond: a position in time that sorts among message ids, the same whoever
 * computes it (an inbox entry written by a request and by the stream consumer lands in the same place).
 */
export function ulidFloor(time: number): string {
  return ulid(time).slice(0, 10) + '0'.repeat(16);
}

/** The millisecond time a ULID was made at (its first 10 characters). */
export function ulidTime(id: string): number {
  let time = 0;
  for (const char of id.slice(0, 10)) time = time * 32 + CROCKFORD.indexOf(char);
  return time;
}
