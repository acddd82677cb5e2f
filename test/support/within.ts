/**
 * What `promise` resolves with, or `'timed out'` when it has not settled within `timeoutMs`: for
 * asserting that something happens within a generous bound without hanging the test.
 */
export async function within<T>(promise: Promise<T>, timeoutMs: number): Promise<T | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'timed out'>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), timeoutMs);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
