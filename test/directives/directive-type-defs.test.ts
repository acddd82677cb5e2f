import { readFileSync } from 'node:fs';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { rampartDirectiveTypeDefs } from '../../src/index.js';

describe('schema/directives.graphql', () => {
  it('is the SDL the directive factories produce (regenerate the file when this fails)', () => {
    const checkedIn = readFileSync(new URL('../../schema/directives.graphql', import.meta.url), 'utf8');
    expect(checkedIn).toBe(rampartDirectiveTypeDefs);
  });

  it('describes every directive and argument', () => {
    const schema = buildSchema(`${rampartDirectiveTypeDefs}\ntype Query { x: String }`);
    const ours = schema.getDirectives().filter((directive) => rampartDirectiveTypeDefs.includes(`@${directive.name}`));
    expect(ours.map((directive) => directive.name)).toEqual([
      'requiresApiKey',
      'auth',
      'requiresAttestation',
      'cost',
      'listSize',
      'rateLimit',
      'captcha',
      'public',
    ]);
    for (const directive of ours) {
      expect(directive.description?.length).toBeGreaterThan(40);
      for (const arg of directive.args) expect(arg.description?.length).toBeGreaterThan(10);
    }
  });
});
