/**
 * Reading the names of a URL's query parameters the way any server, proxy or framework on the way
 * might read them, so that a credential put in the URL is found however it is written.
 */

/** How many times a segment is decoded again, for values that hide separators (`%2526`). */
const maxDecodingRounds = 4;

/**
 * Every name the query string of `url` could be read as, lower-cased: pairs split on both `&` and
 * `;` (older servers and some frameworks split on `;`); `+` read as a space and percent escapes
 * decoded (a malformed escape kept as written); surrounding whitespace trimmed; a name with
 * brackets (`api_key[]`, `auth[token]`) listed whole and by each part; repeated names listed once;
 * and, when decoding a pair changes it, the names found by reading the decoded pair again (up to
 * four times), so that `a=1%26api_key%3D…` lists `api_key` too. The fragment is ignored.
 */
export function parseQueryParameterNames(url: string): ReadonlySet<string> {
  const names = new Set<string>();
  const start = url.indexOf('?');
  if (start === -1) return names;
  const end = url.indexOf('#', start);
  collect(url.slice(start + 1, end === -1 ? undefined : end), 0, names);
  return names;
}

function collect(query: string, round: number, names: Set<string>): void {
  for (const pair of query.split(/[&;]/)) {
    if (pair.length === 0) continue;
    const equals = pair.indexOf('=');
    addName(decode(equals === -1 ? pair : pair.slice(0, equals)), names);
    if (round < maxDecodingRounds) {
      const decoded = decode(pair);
      if (decoded !== pair) collect(decoded, round + 1, names);
    }
  }
}

function addName(decoded: string, names: Set<string>): void {
  const name = decoded.trim().toLowerCase();
  if (name.length === 0) return;
  names.add(name);
  if (!name.includes('[') && !name.includes(']')) return;
  for (const part of name.split(/[[\]]+/)) {
    const trimmed = part.trim();
    if (trimmed.length > 0) names.add(trimmed);
  }
}

/** `+` as a space, then percent escapes; a malformed escape is kept as written. */
function decode(text: string): string {
  const spaced = text.replace(/\+/g, ' ');
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/**
 * A parameter name reduced to what a reader means by it: Unicode compatibility forms folded
 * (full-width letters), lower case, and separators and invisible characters dropped, so that
 * `api_key`, `API-KEY`, `apiKey`, `api.key`, `api key` and `ａｐｉ＿ｋｅｙ` are all `apikey`.
 * Compare folded names with folded names.
 */
export function foldParameterName(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/[\s._\-\p{Cf}]/gu, '');
}
