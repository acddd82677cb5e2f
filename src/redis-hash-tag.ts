/**
 * The common start of every Redis key of one record (a rate-limit counter, a ban): `prefix`, then
 * `id` in braces as the keys' hash tag. A Redis Cluster places a key by its hash tag (what stands
 * between its first `{` and the next `}`), so the several keys one script touches for a record
 * share one hash slot (no CROSSSLOT) while different records spread over the masters. Append the
 * key's own suffix (`:log`, `:sum`) after it; suffixes hold no braces.
 *
 * An `id` that would make the tag empty (empty, or starting with `}`: Redis then hashes the whole
 * key name, which splits a record's keys over slots) is given a leading `\`, and so is an `id` that
 * already starts with `\`, so that distinct ids stay distinct keys.
 *
 * @example
 * hashTagged('rampart:rl:', 'Query.products:abc') // 'rampart:rl:{Query.products:abc}'
 */
export function hashTagged(prefix: string, id: string): string {
  const tag = id === '' || id.startsWith('}') || id.startsWith('\\') ? `\\${id}` : id;
  return `${prefix}{${tag}}`;
}

/**
 * Checks a store's key prefix: a string without braces, since a brace in it would take the hash
 * tag's place (one slot for every key, or an empty tag and CROSSSLOT). Throws `TypeError` naming
 * `owner`.
 */
export function checkHashTaggedPrefix(owner: string, prefix: unknown): string {
  if (typeof prefix !== 'string' || /[{}]/.test(prefix)) {
    throw new TypeError(`${owner}: prefix must be a string without { or } (the store sets each key's hash tag itself)`);
  }
  return prefix;
}
