/**
 * Mentions: `@username` in a text message names a member. The parser is pure (no I/O, unit-tested);
 * resolving the names to the conversation's members is one round trip for most conversations
 * (data/mentions-store.ts, called from domain/messages.ts).
 *
 * The rules (docs/data-model.md, "Mentions"):
 * - A mention starts with `@` at the start of the text, after whitespace, or after an opening bracket or
 *   quote. An `@` inside a word (`alice@example.com`, `a@b`) starts none.
 * - The name is the longest run of username characters (letters A-Z, digits, `_`, `.`, `-`) after it, without
 *   trailing `.` and `-` (sentence punctuation: "thanks @bob."). It must then be a possible username
 *   (3-32 characters); a longer run is no mention, not a shortened one. A run followed by another `@`
 *   (`@bob@example.com`) is an address, not a mention.
 * - Names compare ignoring case (as usernames are unique ignoring case); each counts once, in order of first
 *   appearance, and only the first MAX_MENTIONS distinct names are resolved: the bound on a send's work.
 */
import { USERNAME_PATTERN } from '../schemas/users';

/** Distinct names resolved per message; further ones stay plain text. */
export const MAX_MENTIONS = 20;

const MIN_NAME = 3;
const MAX_NAME = 32;
/** Characters after which an `@` may start a mention (besides whitespace and the start of the text). */
const OPENERS = new Set(['(', '[', '{', '<', '"', "'", '“', '‘', '«']);
const NAME_CHARACTER = /[A-Za-z0-9_.-]/;

/** The lower-cased names the text mentions, distinct, in order of first appearance, at most MAX_MENTIONS. */
export function parseMentions(text: string): string[] {
  const names = new Set<string>();
  for (let at = text.indexOf('@'); at !== -1 && names.size < MAX_MENTIONS; at = text.indexOf('@', at + 1)) {
    const before = text[at - 1];
    if (before !== undefined && !/\s/.test(before) && !OPENERS.has(before)) continue;
    let end = at + 1;
    while (end < text.length && NAME_CHARACTER.test(text[end] as string)) end++;
    if (text[end] === '@') continue;
    const name = text.slice(at + 1, end).replace(/[.-]+$/, '');
    if (name.length >= MIN_NAME && name.length <= MAX_NAME && USERNAME_PATTERN.test(name)) {
      names.add(name.toLowerCase());
    }
  }
  return [...names];
}
