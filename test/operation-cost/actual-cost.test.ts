import { describe, expect, it } from 'vitest';
import { actualCostOf, costOf, costSchema, measures } from './support.js';

describe('the actual cost of a result', () => {
  const users = costSchema(`
    type User { name: String  age: Int @cost(weight: "2.0") }
    type Query { users(max: Int): [User] @listSize(slicingArguments: ["max"]) }
  `);

  it('costs the specification\'s users(max: 5) { age } 7 and 4 when three users come back (§5.1, response analysis)', () => {
    const data = { users: [{ age: 33 }, { age: 45 }, { age: 27 }] };
    expect(measures(actualCostOf(users, '{ users(max: 5) { age } }', data))).toEqual([7, 4]);
  });

  it('never costs more than the static estimate when the lists are as long as asked', () => {
    const data = { users: Array.from({ length: 5 }, () => ({ age: 1 })) };
    expect(measures(actualCostOf(users, '{ users(max: 5) { age } }', data))).toEqual(measures(costOf(users, '{ users(max: 5) { age } }')));
  });

  it('costs nothing for a null or absent data', () => {
    expect(measures(actualCostOf(users, '{ users(max: 5) { age } }', null))).toEqual([0, 0]);
    expect(measures(actualCostOf(users, '{ users(max: 5) { age } }', undefined))).toEqual([0, 0]);
  });

  it('counts a null field\'s own weight and no object under it', () => {
    expect(measures(actualCostOf(users, '{ users(max: 5) { age } }', { users: null }))).toEqual([1, 1]);
    expect(measures(actualCostOf(users, '{ users(max: 5) { age } }', { users: [null, { age: null }] }))).toEqual([3, 2]);
  });

  const shop = costSchema(`
    interface Animal { name: String }
    type Cat implements Animal @cost(weight: "3") { name: String }
    type Dog implements Animal @cost(weight: "5") { name: String  friends: [Dog] }
    type Product { name: String }
    type Edge { cursor: String  node: Product }
    type Connection { edges: [Edge] }
    input OuterInput { inner: InnerInput }
    input InnerInput { id: ID }
    type Query {
      products(first: Int = 20, where: OuterInput): Connection @listSize(slicingArguments: ["first"], sizedFields: ["edges"])
      animals: [Animal] @listSize(assumedSize: 10)
    }
  `);

  it('costs a page that returned fewer items than asked what it returned', () => {
    const source = '{ products(first: 100) { edges { cursor node { name } } } }';
    const data = { products: { edges: [{ cursor: 'a', node: { name: 'x' } }, { cursor: 'b', node: { name: 'y' } }] } };
    expect(measures(costOf(shop, source))).toEqual([102, 202]);
    expect(measures(actualCostOf(shop, source, data))).toEqual([4, 6]);
  });

  it('counts argument weights once per field, as the estimate does', () => {
    const source = '{ products(first: 2, where: { inner: { id: 1 } }) { edges { node { name } } } }';
    const data = { products: { edges: [{ node: { name: 'x' } }] } };
    // products 1 + where 2, edges 1, one node 1.
    expect(actualCostOf(shop, source, data).fieldCost).toBe(5);
  });

  it('counts every alias under its own response name, and skipped fields not at all', () => {
    const source = 'query ($no: Boolean!) { a: products(first: 1) { edges { node { name } } } b: products(first: 1) @skip(if: $no) { edges { node { name } } } }';
    const data = { a: { edges: [{ node: { name: 'x' } }] } };
    expect(measures(actualCostOf(shop, source, data, { no: true }))).toEqual([3, 4]);
  });

  it('counts an object of an abstract type as its __typename, or as the costliest possible type without one', () => {
    const typed = actualCostOf(shop, '{ animals { __typename name } }', { animals: [{ __typename: 'Cat', name: 'c' }, { __typename: 'Cat', name: 'd' }] });
    expect(measures(typed)).toEqual([1, 7]);
    const untyped = actualCostOf(shop, '{ animals { name } }', { animals: [{ name: 'c' }, { name: 'd' }] });
    expect(measures(untyped)).toEqual([1, 11]);
  });

  it('follows fragments and type conditions into nested lists', () => {
    const source = '{ animals { ... on Dog { friends { ...Named } } } } fragment Named on Dog { name }';
    const data = { animals: [{ friends: [{ name: 'a' }, { name: 'b' }] }, {}] };
    // animals 1; the first object as a Dog: friends 1 and two Dogs; the second (no friends field) as a Dog.
    expect(measures(actualCostOf(shop, source, data))).toEqual([2, 1 + 5 + 10 + 5]);
  });
});
