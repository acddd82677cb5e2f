import { describe, expect, it, vi } from 'vitest';
import { RequestMemo } from '../../src/context/request-memo.js';

describe('RequestMemo', () => {
  it('computes once and answers later calls synchronously', () => {
    const memo = new RequestMemo();
    const compute = vi.fn((n: number) => n * 2);
    const key = {};
    expect(memo.get(key, compute, 21)).toBe(42);
    expect(memo.get(key, compute, 99)).toBe(42);
    expect(compute).toHaveBeenCalledTimes(1);
  });

  it('shares a pending computation, then answers synchronously once it settled', async () => {
    const memo = new RequestMemo();
    const compute = vi.fn(() => Promise.resolve('verified'));
    const key = {};
    const first = memo.get(key, compute, undefined);
    const second = memo.get(key, compute, undefined);
    expect(first).toBe(second);
    await expect(first).resolves.toBe('verified');
    expect(memo.get(key, compute, undefined)).toBe('verified');
    expect(memo.peek(key)).toBe('verified');
    expect(compute).toHaveBeenCalledTimes(1);
  });

  it('memoises a failure so a failing dependency is asked once per request', async () => {
    const memo = new RequestMemo();
    const compute = vi.fn((): number => {
      throw new Error('store down');
    });
    const key = {};
    await expect(memo.get(key, compute, undefined)).rejects.toThrow('store down');
    await expect(memo.get(key, compute, undefined)).rejects.toThrow('store down');
    expect(compute).toHaveBeenCalledTimes(1);
  });

  it('keeps entries of different keys apart', () => {
    const memo = new RequestMemo();
    expect(memo.get({}, () => 1, undefined)).toBe(1);
    expect(memo.get({}, () => 2, undefined)).toBe(2);
  });
});
