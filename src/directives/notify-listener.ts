/**
 * Calls a host's listener (`onDependencyError`, `onLimited`, …) so that nothing it does, throwing
 * included, can change a protection's decision or crash the request.
 */
export function notifyListener<T>(listener: ((value: T) => void) | undefined, value: T): void {
  try {
    listener?.(value);
  } catch {
    // the decision stands whatever the listener does
  }
}
