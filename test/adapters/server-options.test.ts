import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { withTokenLimit } from '../../src/adapters/server-options.js';

// The token limit reaches graphql-js' parser under both names: graphql 16.15 reads
// maxLexicalTokens first, earlier 16.x read maxTokens only.
describe('withTokenLimit', () => {
  it.each([
    ['no options of the server', undefined, { maxTokens: 10, maxLexicalTokens: 10 }],
    ['a higher maxTokens of the server', { maxTokens: 1000 }, { maxTokens: 10, maxLexicalTokens: 10 }],
    ['a higher maxLexicalTokens of the server', { maxLexicalTokens: 1000 }, { maxTokens: 10, maxLexicalTokens: 10 }],
    ['a lower maxTokens of the server', { maxTokens: 5 }, { maxTokens: 5, maxLexicalTokens: 5 }],
    ['a lower maxLexicalTokens of the server', { maxLexicalTokens: 5, maxTokens: 1000 }, { maxTokens: 5, maxLexicalTokens: 5 }],
  ])('applies the lower limit given %s', (_shown, given, expected) => {
    expect(withTokenLimit(given, 10)).toEqual(expected);
  });

  it('keeps the server’s other parse options', () => {
    expect(withTokenLimit({ noLocation: true, maxTokens: 1000 } as never, 10)).toEqual({
      noLocation: true,
      maxTokens: 10,
      maxLexicalTokens: 10,
    });
  });

  it('stops the parser past the limit, even when the server lifts maxLexicalTokens', () => {
    const document = `{ ${'a '.repeat(20)}}`;
    expect(() => parse(document, withTokenLimit({ maxLexicalTokens: 1_000_000 }, 10))).toThrow('Document contains more that 10 tokens');
    expect(() => parse('{ a }', withTokenLimit(undefined, 10))).not.toThrow();
  });
});
