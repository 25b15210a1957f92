/**
 * cleanText (src/audit/record.ts): text as PostgreSQL will store it. It runs on a dozen texts of every
 * record, so it has a fast path for text that needs nothing; the fast path must not change what it returns.
 */
import { expect } from 'chai';
import { cleanText } from '../../src/audit/record';

describe('cleanText: text as PostgreSQL stores it, fast path included', () => {
  const cases: [string, string, number | undefined, string][] = [
    ['plain ASCII', 'query me', undefined, 'query me'],
    ['non-ASCII without surrogates', 'Xəzər «Şüşə» — ok', undefined, 'Xəzər «Şüşə» — ok'],
    ['a valid surrogate pair (emoji)', 'ship 🚢 ok', undefined, 'ship 🚢 ok'],
    ['a NUL', 'a\u0000b', undefined, 'a\\u0000b'],
    ['a lone high surrogate', 'x\uD800y', undefined, 'x\uFFFDy'],
    ['a lone low surrogate', 'x\uDC00y', undefined, 'x\uFFFDy'],
    ['a pair and a lone one', '🚢\uD83D', undefined, '🚢\uFFFD'],
    ['exactly the limit', 'abcd', 4, 'abcd'],
    ['over the limit', 'abcdef', 4, 'abcd…'],
    ['over the limit, cut inside a pair', 'abc🚢', 4, 'abc…'],
    ['empty', '', undefined, ''],
  ];
  for (const [name, input, max, expected] of cases) {
    it(name, () => {
      expect(cleanText(input, max)).to.equal(expected);
    });
  }

  it('null stays null', () => {
    expect(cleanText(null)).to.equal(null);
  });
});
