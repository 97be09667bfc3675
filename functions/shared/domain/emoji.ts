/**
 * What may be a reaction: one grapheme that is an emoji (Unicode's RGI set, as the runtime's ICU knows it), or
 * a short name from SHORT_NAMES. Every accepted value has one canonical form, the emoji itself, which is what
 * is stored and shown: `:thumbsup:`, `👍` and `%F0%9F%91%8D` are the same reaction.
 */

/**
 * The short names clients may send instead of the emoji (Slack's and GitHub's names for the common ones).
 * Kept modest on purpose: any emoji can be sent as itself; the names are a convenience for clients without an
 * emoji keyboard. Each maps to the emoji, so a reaction made by name and one made by emoji are counted together.
 */
export const SHORT_NAMES: ReadonlyMap<string, string> = /* @__PURE__ */ new Map([
  ['+1', '👍'],
  ['thumbsup', '👍'],
  ['-1', '👎'],
  ['thumbsdown', '👎'],
  ['heart', '❤️'],
  ['joy', '😂'],
  ['laughing', '😆'],
  ['smile', '😄'],
  ['slightly_smiling_face', '🙂'],
  ['wink', '😉'],
  ['blush', '😊'],
  ['heart_eyes', '😍'],
  ['thinking', '🤔'],
  ['open_mouth', '😮'],
  ['astonished', '😲'],
  ['cry', '😢'],
  ['sob', '😭'],
  ['angry', '😠'],
  ['rage', '😡'],
  ['sweat_smile', '😅'],
  ['grimacing', '😬'],
  ['neutral_face', '😐'],
  ['eyes', '👀'],
  ['pray', '🙏'],
  ['clap', '👏'],
  ['raised_hands', '🙌'],
  ['wave', '👋'],
  ['ok_hand', '👌'],
  ['muscle', '💪'],
  ['point_up', '☝️'],
  ['fire', '🔥'],
  ['tada', '🎉'],
  ['rocket', '🚀'],
  ['star', '⭐'],
  ['sparkles', '✨'],
  ['100', '💯'],
  ['white_check_mark', '✅'],
  ['heavy_check_mark', '✔️'],
  ['x', '❌'],
  ['warning', '⚠️'],
  ['question', '❓'],
  ['exclamation', '❗'],
  ['bulb', '💡'],
  ['coffee', '☕'],
  ['beer', '🍺'],
  ['pizza', '🍕'],
  ['cake', '🍰'],
  ['gift', '🎁'],
  ['trophy', '🏆'],
  ['skull', '💀'],
  ['see_no_evil', '🙈'],
  ['poop', '💩'],
  ['broken_heart', '💔'],
  ['sunglasses', '😎'],
  ['party', '🥳'],
  ['handshake', '🤝'],
  ['zap', '⚡'],
]);

const SHORT_NAME = /^:([a-z0-9_+-]{1,40}):$/;
/** Built on first use: a bundle that never checks an emoji pays nothing for the segmenter or the pattern. */
let patterns: { emoji: RegExp; segmenter: Intl.Segmenter } | undefined;
const VARIATION_SELECTOR = '\uFE0F';

function isEmojiGrapheme(value: string): boolean {
  // The v flag's \p{RGI_Emoji} matches whole emoji sequences (ZWJ families, flags, keycaps, skin tones).
  patterns ??= {
    // biome-ignore lint/complexity/useRegexLiterals: TypeScript refuses the v flag in a literal below ES2024; Node 22 has it.
    emoji: new RegExp('^\\p{RGI_Emoji}$', 'v'),
    segmenter: new Intl.Segmenter('en', { granularity: 'grapheme' }),
  };
  const graphemes = patterns.segmenter.segment(value)[Symbol.iterator]();
  const first = graphemes.next();
  return !first.done && graphemes.next().done === true && patterns.emoji.test(value);
}

/**
 * The emoji a path segment names, or undefined when it names none. API Gateway's HTTP APIs hand the path
 * parameter over decoded, and so does the local gateway; a value still percent-encoded (a client that
 * encoded twice, or another integration) is decoded once: no emoji contains `%`.
 */
export function canonicalEmoji(input: string): string | undefined {
  let value = input;
  if (value.includes('%')) {
    try {
      value = decodeURIComponent(value);
    } catch {
      return undefined;
    }
  }
  if (value.length > 64) return undefined;
  const name = SHORT_NAME.exec(value)?.[1];
  if (name !== undefined) return SHORT_NAMES.get(name);
  if (isEmojiGrapheme(value)) return value;
  // An emoji typed without its variation selector ("❤" for "❤️", "1⃣" for "1️⃣") is the same emoji: one form.
  const [first = '', ...rest] = [...value];
  if (rest[0] === VARIATION_SELECTOR) return undefined;
  const qualified = [first, VARIATION_SELECTOR, ...rest].join('');
  return isEmojiGrapheme(qualified) ? qualified : undefined;
}
