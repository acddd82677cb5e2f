import { describe, expect, it } from 'vitest';
import type { ProtectionDecisionEvent } from '../../src/index.js';
import { createObservability } from '../../src/demo/observability.js';

const decision = (overrides: Partial<ProtectionDecisionEvent>): ProtectionDecisionEvent => ({
  time: 0,
  outcome: 'allowed',
  directives: ['requiresApiKey'],
  code: undefined,
  reason: undefined,
  coordinate: 'Query.products',
  requestId: 'r1',
  clientIp: '192.0.2.1',
  apiKeyId: undefined,
  userSubject: undefined,
  appId: undefined,
  deviceId: undefined,
  ...overrides,
});

const counterLine = (text: string, labels: string) => new RegExp(`^rampart_decisions_total\\{${labels}\\} (\\d+)$`, 'm').exec(text)?.[1];

describe("the demo's decision metrics", () => {
  it('counts every directive of every decision it is told of, whenever the metrics are read', async () => {
    const { observer, registry } = createObservability(() => undefined);
    observer.onDecision?.(decision({ directives: ['requiresApiKey', 'cost', 'rateLimit'] }));
    observer.onDecision?.(decision({}));
    observer.onDecision?.(decision({ outcome: 'refused', directives: ['auth'], code: 'FORBIDDEN', reason: 'insufficient_scope' }));
    const first = await registry.metrics();
    expect(counterLine(first, 'directive="requiresApiKey",outcome="allowed",code=""')).toBe('2');
    expect(counterLine(first, 'directive="cost",outcome="allowed",code=""')).toBe('1');
    expect(counterLine(first, 'directive="rateLimit",outcome="allowed",code=""')).toBe('1');
    expect(counterLine(first, 'directive="auth",outcome="refused",code="FORBIDDEN"')).toBe('1');
    // Read again: nothing counted twice; later decisions add to the totals.
    observer.onDecision?.(decision({}));
    const second = await registry.metrics();
    expect(counterLine(second, 'directive="requiresApiKey",outcome="allowed",code=""')).toBe('3');
    expect(counterLine(second, 'directive="auth",outcome="refused",code="FORBIDDEN"')).toBe('1');
  });
});
