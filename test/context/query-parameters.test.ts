import { describe, expect, it } from 'vitest';
import { foldParameterName } from '../../src/context/query-parameters.js';

describe('foldParameterName', () => {
  it.each([
    ['api_key', 'apikey'],
    ['API-KEY', 'apikey'],
    ['apiKey', 'apikey'],
    ['api.key', 'apikey'],
    [' api key ', 'apikey'],
    ['ａｐｉ＿ｋｅｙ', 'apikey'],
    ['api\u200d_key', 'apikey'],
    ['access_token', 'accesstoken'],
    ['apı_key', 'apikey'],
    ['APİ_KEY', 'apikey'],
    ['ápi_kéy', 'apikey'],
    ['ACCESS_TOKEN', 'accesstoken'],
  ])('folds %j to %j', (name, folded) => {
    expect(foldParameterName(name)).toBe(folded);
  });

  it('keeps letters and digits that change the name (monkey is not key)', () => {
    expect(foldParameterName('monkey')).toBe('monkey');
    expect(foldParameterName('key2')).toBe('key2');
  });
});
