import { describe, expect, it } from 'vitest';
import { canonicalEmoji, SHORT_NAMES } from '../../functions/shared/domain/emoji';

describe('canonicalEmoji', () => {
  it('maps every short name to an emoji that is itself accepted unchanged', () => {
    expect(SHORT_NAMES.size).toBeGreaterThanOrEqual(50);
    for (const [name, emoji] of SHORT_NAMES) {
      expect(canonicalEmoji(`:${name}:`), name).toBe(emoji);
      expect(canonicalEmoji(emoji), name).toBe(emoji);
    }
  });

  it.each([
    ['a plain emoji', '👍', '👍'],
    ['a skin tone', '👍🏿', '👍🏿'],
    ['a ZWJ family', '👩‍👩‍👦', '👩‍👩‍👦'],
    ['a flag', '🇯🇵', '🇯🇵'],
    ['a keycap', '#️⃣', '#️⃣'],
    ['a heart without its variation selector', '\u2764', '\u2764\uFE0F'],
    ['a keycap without its variation selector', '1\u20E3', '1\uFE0F\u20E3'],
    ['a percent-encoded emoji', '%F0%9F%91%8D', '👍'],
    ['a short name', ':tada:', '🎉'],
  ])('accepts %s', (_, input, expected) => {
    expect(canonicalEmoji(input)).toBe(expected);
  });

  it.each([
    ['an empty string', ''],
    ['two emoji', '👍👎'],
    ['an emoji with text', '👍 yes'],
    ['a letter', 'x'],
    ['a digit', '7'],
    ['a hash sign', '#'],
    ['a short name of another case', ':THUMBSUP:'],
    ['an unknown short name', ':nope:'],
    ['an object key as a short name', ':__proto__:'],
    ['a broken percent-encoding', '%F0%9F'],
    ['a lone surrogate', '\uD83D'],
    ['a skin tone alone after text', 'a🏽'],
    ['a variation selector alone', '\uFE0F'],
    ['a very long value', '👍'.repeat(40)],
  ])('refuses %s', (_, input) => {
    expect(canonicalEmoji(input)).toBeUndefined();
  });
});
