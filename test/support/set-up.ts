/**
 * What a `beforeAll` set, as the matching `afterAll` must see it: `undefined` when the `beforeAll`
 * failed before setting it. A suite declares `let demo: RunningDemo;` so that its tests read `demo`
 * plainly, but the teardown runs after a failed set-up too, and must only tear down what exists.
 *
 * @example
 * afterAll(async () => {
 *   await ifSetUp(demo)?.stop();
 * });
 */
export function ifSetUp<T>(value: T): T | undefined {
  return value;
}
