import { describe, expect, it } from 'vitest';
import { MAX_MENTIONS, parseMentions } from '../../functions/shared/domain/mentions';

describe('parseMentions', () => {
  it.each([
    ['at the start of the text', '@alice hi', ['alice']],
    ['after a space', 'hi @alice', ['alice']],
    ['after a newline', 'hi\n@alice', ['alice']],
    ['after an opening bracket', 'thanks (@alice)', ['alice']],
    ['after an opening quote', 'she said "@alice"', ['alice']],
    ['followed by punctuation', 'ask @alice, @bob; @carol! @dave?', ['alice', 'bob', 'carol', 'dave']],
    ['followed by a full stop', 'thanks @alice.', ['alice']],
    ['followed by an ellipsis', 'well @alice...', ['alice']],
    ['with every username character', 'cc @A.b_c-9', ['a.b_c-9']],
    ['of 3 characters', '@abc', ['abc']],
    ['of 32 characters', `@${'a'.repeat(32)}`, ['a'.repeat(32)]],
    ['followed by text of another script', '@alice日本', ['alice']],
  ])('finds a mention %s', (_, text, names) => {
    expect(parseMentions(text)).toEqual(names);
  });

  it.each([
    ['in an email address', 'write to alice@example.com'],
    ['in the middle of a word', 'foo@alice'],
    ['after a digit', '2@alice'],
    ['after a non-Latin letter', 'é@alice'],
    ['after another @', '@@alice'],
    ['followed by another @ (an address)', '@alice@example.com'],
    ['in a path', 'see https://example.com/@alice'],
    ['shorter than 3 characters', '@al @b @'],
    ['longer than 32 characters', `@${'a'.repeat(33)}`],
    ['of only punctuation', '@... @--'],
    ['a lone @', 'meet me @ noon'],
  ])('finds no mention %s', (_, text) => {
    expect(parseMentions(text)).toEqual([]);
  });

  it('lower-cases names and counts each once, in order of first mention', () => {
    expect(parseMentions('@Bob and @alice and @BOB and @Alice')).toEqual(['bob', 'alice']);
  });

  it(`resolves at most ${MAX_MENTIONS} distinct names`, () => {
    const names = Array.from({ length: MAX_MENTIONS + 5 }, (_, i) => `user${i}`);
    expect(parseMentions(names.map((name) => `@${name}`).join(' '))).toEqual(names.slice(0, MAX_MENTIONS));
  });

  it('stays linear on text made of thousands of @', () => {
    expect(parseMentions('@'.repeat(5000))).toEqual([]);
    expect(parseMentions(' @a'.repeat(1600))).toEqual([]);
  });
});
