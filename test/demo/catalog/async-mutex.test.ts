import { describe, expect, it } from 'vitest';

import { AsyncMutex } from '../../../src/demo/catalog/async-mutex.js';

describe('AsyncMutex', () => {
  it('lets one holder in at a time, in the order they asked', async () => {
    const mutex = new AsyncMutex();
    const events: string[] = [];
    const hold = async (name: string) => {
      const release = await mutex.lock();
      events.push(`${name} in`);
      await Promise.resolve();
      await Promise.resolve();
      events.push(`${name} out`);
      release();
    };

    await Promise.all([hold('a'), hold('b'), hold('c')]);

    expect(events).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
    expect(mutex.held).toBe(false);
  });

  it('hands the lock to the next waiter without freeing it in between', async () => {
    const mutex = new AsyncMutex();
    const releaseFirst = await mutex.lock();
    const second = mutex.lock();

    releaseFirst();

    expect(mutex.held).toBe(true);
    (await second)();
    expect(mutex.held).toBe(false);
  });

  it('ignores a second release by the same holder', async () => {
    const mutex = new AsyncMutex();
    const releaseFirst = await mutex.lock();
    const second = mutex.lock();
    releaseFirst();
    const releaseSecond = await second;

    releaseFirst();

    expect(mutex.held).toBe(true);
    releaseSecond();
    expect(mutex.held).toBe(false);
  });
});
