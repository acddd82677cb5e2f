/**
 * Remembers the names a protection derives from a request's identity (a rate-limit counter's, a
 * cost bucket's: a SHA-256 of the identity), so that a client's repeated requests cost a map
 * lookup instead of a digest. Bounded: once it holds `max` names it starts afresh. Give it only
 * identities built from what a request proved (key ids, user subjects, device ids, addresses),
 * never argument values or credentials.
 */
export class DerivedNames {
  readonly #names = new Map<string, string>();
  readonly #derive: (identity: string) => string;
  readonly #max: number;

  constructor(derive: (identity: string) => string, max = 1024) {
    this.#derive = derive;
    this.#max = max;
  }

  /** The name derived from `identity`, the same as `derive(identity)`. */
  of(identity: string): string {
    let name = this.#names.get(identity);
    if (name === undefined) {
      name = this.#derive(identity);
      if (this.#names.size >= this.#max) this.#names.clear();
      this.#names.set(identity, name);
    }
    return name;
  }
}
