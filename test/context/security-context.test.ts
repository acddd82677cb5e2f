import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { fromFetchRequest, fromNodeRequest, getSecurityContext, SecurityContext, securityContextFactory } from '../../src/index.js';
import { requestFacts } from '../support/harness.js';

describe('securityContextFactory', () => {
  it('resolves the client address through the configured trusted proxies only', () => {
    const create = securityContextFactory({ trustedProxies: ['10.0.0.0/8'] });
    const context = create(requestFacts({ remoteAddress: '10.0.0.2', headers: { 'x-forwarded-for': '6.6.6.6, 203.0.113.9' } }));
    expect(context.clientIp).toBe('203.0.113.9');
  });

  it('ignores X-Forwarded-For by default', () => {
    const context = securityContextFactory()(requestFacts({ remoteAddress: '198.51.100.4', headers: { 'x-forwarded-for': '6.6.6.6' } }));
    expect(context.clientIp).toBe('198.51.100.4');
  });

  it('gives each request its own id and memo', () => {
    const create = securityContextFactory();
    const a = create(requestFacts());
    const b = create(requestFacts());
    expect(a.requestId).not.toBe(b.requestId);
    expect(a.memo).not.toBe(b.memo);
  });

  it('uses the host request id when one is configured', () => {
    const context = securityContextFactory({ requestId: () => 'req-1' })(requestFacts());
    expect(context.requestId).toBe('req-1');
  });

  it('throws a TypeError for a trusted proxy that is not an address or range', () => {
    expect(() => securityContextFactory({ trustedProxies: ['*'] })).toThrow(TypeError);
  });
});

describe('SecurityContext', () => {
  const context = securityContextFactory()(
    requestFacts({
      headers: { 'x-api-key': ['a', 'b'], 'user-agent': 'okhttp/4.12' },
      url: '/graphql?API_KEY=x&query=%7B%7D#frag',
    }),
  );

  it('keeps every value of a repeated header and answers header() only for a single one', () => {
    expect(context.headerValues('x-api-key')).toEqual(['a', 'b']);
    expect(context.header('x-api-key')).toBeUndefined();
    expect(context.header('user-agent')).toBe('okhttp/4.12');
    expect(context.userAgent).toBe('okhttp/4.12');
    expect(context.headerValues('absent')).toEqual([]);
  });

  it('lists query parameter names in lower case, those after a # too (a server may read past it)', () => {
    expect([...context.queryParameterNames]).toEqual(['api_key', 'query', 'frag']);
  });

  it('is found on the GraphQL context as rampart', () => {
    expect(getSecurityContext({ rampart: context })).toBe(context);
    expect(getSecurityContext({ rampart: { memo: {} } })).toBeUndefined();
    expect(getSecurityContext(undefined)).toBeUndefined();
    expect(context).toBeInstanceOf(SecurityContext);
  });
});

describe('SecurityContext.queryParameterNames, however the query string is written', () => {
  const namesOf = (url: string) => [...securityContextFactory()(requestFacts({ url })).queryParameterNames];

  it.each([
    ['split on ;', '/graphql?a=1;api_key=K'],
    ['a leading ;', '/graphql?;api_key=K'],
    ['empty pairs around it', '/graphql?&&api_key=K&'],
    ['upper case', '/graphql?API_KEY=K'],
    ['a percent-encoded letter', '/graphql?%61pi_key=K'],
    ['a percent-encoded underscore, upper-case hex', '/graphql?api%5Fkey=K'],
    ['spaces around the name', '/graphql?+api_key%20=K'],
    ['no value', '/graphql?api_key'],
    ['brackets after the name', '/graphql?api_key[]=K'],
    ['percent-encoded brackets', '/graphql?api_key%5B0%5D=K'],
    ['the name inside brackets', '/graphql?auth[api_key]=K'],
    ['repeated', '/graphql?api_key=K&api_key=K'],
    ['an encoded & inside a value', '/graphql?a=1%26api_key%3DK'],
    ['an encoded ; inside a value', '/graphql?a=1%3Bapi_key%3DK'],
    ['a double-encoded & inside a value', '/graphql?a=1%2526api_key%253DK'],
    ['after a malformed percent escape', '/graphql?x=%E0%A4%A&api_key=K'],
    ['after a second ?', '/graphql??api_key=K'],
    ['after a #', '/graphql?a=1#&api_key=K'],
    ['right after a #', '/graphql?#api_key=K'],
  ])('finds api_key written with %s', (_name, url) => {
    expect(namesOf(url)).toContain('api_key');
  });

  it('lists exactly the parameters of an ordinary GET operation', () => {
    const query = encodeURIComponent('query Products($n: Int) { products(first: $n) { edges { cursor } } }');
    const url = `/graphql?query=${query}&variables=${encodeURIComponent('{"n":3}')}&operationName=Products`;
    expect(namesOf(url)).toEqual(['query', 'variables', 'operationname']);
  });

  it('gives the query as written and as each round of decoding reads it, for finding a value under any name', () => {
    const formsOf = (url: string) => securityContextFactory()(requestFacts({ url })).queryForms;
    expect(formsOf('/graphql')).toEqual([]);
    expect(formsOf('/graphql?k=a%2520b#c')).toEqual(['k=a%2520b#c', 'k=a%20b#c', 'k=a b#c']);
    // At most four rounds: a value encoded eight times is read four times.
    expect(formsOf(`/graphql?k=%${'25'.repeat(8)}41`)).toHaveLength(5);
  });

  it('reads a very long query string in bounded time and finds the name at its end', () => {
    const url = `/graphql?${'a=%2525%2525;'.repeat(1500)}api_key=K`;
    expect(namesOf(url)).toContain('api_key');
  });
});

describe('request adapters', () => {
  it('reads a Node request, keeping duplicated headers apart', () => {
    const request = {
      headersDistinct: { 'x-api-key': ['one', 'two'] },
      socket: { remoteAddress: '::ffff:198.51.100.4' },
      method: 'POST',
      url: '/graphql',
    } as unknown as IncomingMessage;
    const context = securityContextFactory()(fromNodeRequest(request));
    expect(context.headerValues('x-api-key')).toEqual(['one', 'two']);
    expect(context.clientIp).toBe('198.51.100.4');
  });

  it('reads a Fetch request, whose Headers join a repeated header into one value', () => {
    const headers = new Headers();
    headers.append('X-API-Key', 'one');
    headers.append('X-API-Key', 'two');
    const request = new Request('https://api.example/graphql?x=1', { method: 'POST', headers });
    const facts = fromFetchRequest(request, '198.51.100.4');
    const context = securityContextFactory()(facts);
    expect(context.headerValues('x-api-key')).toEqual(['one, two']);
    expect(context.url).toBe('/graphql?x=1');
    expect(context.clientIp).toBe('198.51.100.4');
  });
});

describe('after execution', () => {
  const context = () => securityContextFactory()({ headers: {}, remoteAddress: '192.0.2.1' });

  it('runs every registered callback once with the result, however many times executed() is called', async () => {
    const security = context();
    const seen: unknown[] = [];
    security.afterExecution((result) => {
      seen.push(result.data);
    });
    await Promise.all([security.executed({ data: { a: 1 } }), security.executed({ data: { b: 2 } })]);
    expect(seen).toEqual([{ a: 1 }]);
  });

  it('keeps going when a callback throws, and still runs the others', async () => {
    const security = context();
    const seen: string[] = [];
    security.afterExecution(() => {
      throw new Error('boom');
    });
    security.afterExecution(() => {
      seen.push('second');
      return Promise.resolve();
    });
    await expect(security.executed({})).resolves.toBeUndefined();
    expect(seen).toEqual(['second']);
  });

  it('waits for a callback that settles later, and passes over one that rejects', async () => {
    const security = context();
    const seen: string[] = [];
    let finish: () => void = () => undefined;
    security.afterExecution(() => Promise.reject(new Error('store down')));
    security.afterExecution(
      () =>
        new Promise<void>((resolve) => {
          finish = () => {
            seen.push('refunded');
            resolve();
          };
        }),
    );
    let done = false;
    const executed = security.executed({}).then(() => {
      done = true;
    });
    await Promise.resolve();
    expect(done).toBe(false);
    finish();
    await executed;
    expect(seen).toEqual(['refunded']);
  });

  it('collects the response extensions protections set', () => {
    const security = context();
    expect(security.responseExtensions).toEqual({});
    security.setResponseExtension('cost', { requested: 3 });
    expect(security.responseExtensions).toEqual({ cost: { requested: 3 } });
  });
});
