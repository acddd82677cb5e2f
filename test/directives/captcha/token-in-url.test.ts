// The captcha directive refuses a token in the URL through SecurityContext.queryParameterNames:
// its own list of names, read however the query string is written.
import { describe, expect, it } from 'vitest';
import { captchaDirective, MemoryReplayCache, publicDirective, type CaptchaVerifier } from '../../../src/index.js';
import { errorCodes, protectedSchema, run } from '../../support/harness.js';

describe('@captcha with a token in the URL', () => {
  it.each([
    ['after ;', 'a=1;g-recaptcha-response=T0K3N'],
    ['in upper case with brackets', 'G-RECAPTCHA-RESPONSE[]=T0K3N'],
    ['percent-encoded', 'cf%2Dturnstile%2Dresponse=T0K3N'],
    ['behind an encoded &', 'q=1%26captcha_token%3DT0K3N'],
    ['spelt captchaToken', 'captchaToken=T0K3N'],
    ['under the header name, in capitals', 'X-CAPTCHA-TOKEN=T0K3N'],
    ['after a #', 'a=1#&captcha=T0K3N'],
  ])('%s: CAPTCHA_REQUIRED before the provider is asked', async (_name, query) => {
    let asked = 0;
    const verifier: CaptchaVerifier = {
      name: 'stub',
      reports: { score: false, action: false },
      verify() {
        asked++;
        return Promise.resolve({
          success: true,
          score: undefined,
          action: undefined,
          hostname: 'shop.example',
          challengeAt: Date.now(),
          errorCodes: [],
        });
      },
    };
    const captcha = captchaDirective({ verifier, replayCache: new MemoryReplayCache(), hostnames: ['shop.example'] });
    const schema = protectedSchema(
      'type Query { signUp: String @captcha(action: "signup") health: String @public }',
      [captcha, publicDirective()],
      {
        Query: { signUp: () => 'ok', health: () => 'ok' },
      },
    );
    const result = await run(schema, '{ signUp health }', { url: `/graphql?${query}`, headers: { 'x-captcha-token': 'header-token-1' } });
    expect(result.data).toEqual({ signUp: null, health: 'ok' });
    expect(errorCodes(result)).toEqual([['signUp', 'CAPTCHA_REQUIRED']]);
    expect(JSON.stringify(result)).not.toContain('T0K3N');
    expect(asked).toBe(0);
  });
});
