/**
 * Reading the names of a URL's query parameters the way any server, proxy or framework on the way
 * might read them, so that a credential put in the URL is found however it is written.
 */

/** How many times a segment is decoded again, for values that hide separators (`%2526`). */
const maxDecodingRounds = 4;

/**
 * Every name the query string of `url` could be read as, lower-cased: pairs split on `&` and `;`
 * (older servers and some frameworks split on `;`), and on `?` and `#` too, since a raw request
 * line may carry a second `?` or a `#` that a server reads past (`??api_key=…`, `?a#&api_key=…`);
 * `+` read as a space and percent escapes decoded (a malformed escape kept as written); surrounding
 * whitespace trimmed; a name with brackets (`api_key[]`, `auth[token]`) listed whole and by each
 * part; repeated names listed once; and, when decoding a pair changes it, the names found by
 * reading the decoded pair again (up to four times), so that `a=1%26api_key%3D…` lists `api_key`.
 */
export function parseQueryParameterNames(url: string): ReadonlySet<string> {
  const names = new Set<string>();
  const start = url.indexOf('?');
  if (start === -1) return names;
  collect(url.slice(start + 1), 0, names);
  return names;
}

/**
 * The query string of `url` (everything after the first `?`) as written and as each round of
 * decoding reads it (`+` as a space, percent escapes; up to four rounds, until nothing changes):
 * where to look for a credential's value, whatever name it was sent under. Empty without a query.
 */
export function decodedQueryForms(url: string): readonly string[] {
  const start = url.indexOf('?');
  if (start === -1) return [];
  const forms = [url.slice(start + 1)];
  for (let round = 0; round < maxDecodingRounds; round++) {
    const decoded = decode(forms[forms.length - 1] as string);
    if (decoded === forms[forms.length - 1]) break;
    forms.push(decoded);
  }
  return forms;
}

function collect(query: string, round: number, names: Set<string>): void {
  for (const pair of query.split(/[&;?#]/)) {
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

/** Combining marks and characters that render as nothing (zero-width joiners, soft hyphens, …). */
const invisible = /[\p{M}\p{Default_Ignorable_Code_Point}]/gu;

/**
 * A parameter name reduced to what a reader means by it: compatibility forms decomposed
 * (full-width letters), marks and invisible characters dropped, case folded through upper case
 * (`ı` and `İ` with `i`), and separators dropped, so that `api_key`, `API-KEY`, `apiKey`, `api.key`,
 * `api key`, `apı_key` and `ａｐｉ＿ｋｅｙ` are all `apikey`. Compare folded names with folded names.
 */
export function foldParameterName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(invisible, '')
    .toUpperCase()
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[\s._\-\p{Cf}]/gu, '');
}
