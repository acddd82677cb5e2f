import { describe, expect, it } from 'vitest';
import { documentIdOf, readDocumentId } from '../../src/trusted-documents/document-id.js';
import { ManifestError, readManifest } from '../../src/trusted-documents/manifest.js';

const listing = 'query Listing($first: Int) { products(first: $first) { edges { node { id name } } } }';
const categories = 'query Categories { categories { id name } }';

describe('readDocumentId', () => {
  const id = documentIdOf(listing);
  it.each([
    ['the bare SHA-256', id, id],
    ['the GraphQL-over-HTTP form', `sha256:${id}`, id],
  ])('reads %s', (_name, value, expected) => {
    expect(readDocumentId(value)).toBe(expected);
  });

  it.each([
    ['upper-case hex', id.toUpperCase()],
    ['63 digits', id.slice(1)],
    ['65 digits', `${id}0`],
    ['another algorithm', `sha1:${id}`],
    ['spaces around it', ` ${id} `],
    ['a number', 42],
    ['an object', { sha256: id }],
    ['null', null],
    ['a megabyte', 'a'.repeat(1_000_000)],
    ['non-hex characters', `${id.slice(0, 63)}g`],
  ])('refuses %s', (_name, value) => {
    expect(readDocumentId(value)).toBeUndefined();
  });
});

describe('readManifest', () => {
  it('reads the GraphQL Code Generator client preset format (id → document)', () => {
    const documents = readManifest({ [documentIdOf(listing)]: listing, [documentIdOf(categories)]: categories });
    expect([...documents.entries()]).toEqual([
      [documentIdOf(listing), listing],
      [documentIdOf(categories), categories],
    ]);
  });

  it('reads an Apollo persisted query manifest', () => {
    const manifest = {
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [{ id: documentIdOf(listing), body: listing, name: 'Listing', type: 'query' }],
    };
    expect(readManifest(manifest).get(documentIdOf(listing))).toBe(listing);
  });

  it('refuses the whole manifest when one id is not the SHA-256 of its document, naming the id and not the text', () => {
    const edited = listing.replace('name', 'name price');
    const attempt = () => readManifest({ [documentIdOf(categories)]: categories, [documentIdOf(listing)]: edited });
    expect(attempt).toThrow(ManifestError);
    expect(attempt).toThrow(`${documentIdOf(listing)}: the id is not the SHA-256 of its document`);
    expect(() => attempt()).not.toThrow(/price/);
  });

  it.each([
    ['not an object', [listing], 'A manifest is a JSON object'],
    ['null', null, 'A manifest is a JSON object'],
    ['empty', {}, 'lists no documents'],
    ['a malformed id', { 'not-a-hash': listing }, 'not-a-hash: not a SHA-256 document id'],
    ['a document that is not GraphQL', { [documentIdOf('not graphql {')]: 'not graphql {' }, 'not a GraphQL document'],
    ['an empty document', { [documentIdOf('')]: '' }, 'no document text'],
    ['a document that is not a string', { [documentIdOf(listing)]: 42 }, 'no document text'],
    ['an Apollo manifest without operations', { format: 'apollo-persisted-query-manifest' }, 'needs an operations list'],
  ])('refuses %s', (_name, manifest, message) => {
    expect(() => readManifest(manifest)).toThrow(message);
  });

  it('refuses a manifest over its limits', () => {
    const documents = Object.fromEntries(
      Array.from({ length: 3 }, (_, i) => {
        const text = `query Q${i} { categories { id } }`;
        return [documentIdOf(text), text];
      }),
    );
    expect(() => readManifest(documents, { maxDocuments: 2 })).toThrow('at most 2 are accepted');
    expect(() => readManifest({ [documentIdOf(listing)]: listing }, { maxDocumentLength: 10 })).toThrow('longer than 10 characters');
  });
});
