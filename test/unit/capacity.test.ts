import { describe, expect, it } from 'vitest';
import { CapacityMeter, itemSize } from '../../bench/capacity.ts';

const S = (s: string) => ({ S: s });
const kb = (n: number) => 'x'.repeat(n * 1024);

describe("the identity bench's capacity meter bills as DynamoDB does", () => {
  it('sizes items by attribute names and values, marshalled or not', () => {
    expect(itemSize({ pk: S('ab'), n: { N: '12345' } })).toBe(2 + 2 + 1 + 4);
    expect(itemSize({ pk: 'ab', n: 12345 })).toBe(itemSize({ pk: S('ab'), n: { N: '12345' } }));
    expect(itemSize({ l: { L: [S('a'), { BOOL: true }] } })).toBe(1 + 3 + (1 + 1) + (1 + 1));
  });

  it('writes: 1 unit a KB of the larger image, twice in a transaction, a condition check as a write, 1 more for an index entry', () => {
    const m = new CapacityMeter();
    expect(m.bill('PutItemCommand', { Item: { pk: S('a'), sk: S('b'), big: S(kb(2)) } }).write).toBe(3);
    // The same item rewritten smaller still bills its larger, earlier image.
    expect(m.bill('PutItemCommand', { Item: { pk: S('a'), sk: S('b') } }).write).toBe(3);
    expect(m.bill('UpdateItemCommand', { Key: { pk: S('a'), sk: S('b') }, UpdateExpression: 'SET m = :t' }).write).toBe(1);
    expect(m.bill('TransactWriteItemsCommand', { TransactItems: [{ Put: { Item: { pk: S('c'), sk: S('d') } } }, { ConditionCheck: { Key: { pk: S('a'), sk: S('b') } } }] }).write).toBe(4);
    // A new item with index keys writes the index entry; rewriting it with the same keys does not; removing them does.
    const profile = { pk: S('p'), sk: S('PROFILE'), gsi1pk: S('PROFILES'), gsi1sk: S('p') };
    expect(m.bill('PutItemCommand', { Item: profile }).write).toBe(2);
    expect(m.bill('PutItemCommand', { Item: profile }).write).toBe(1);
    expect(m.bill('UpdateItemCommand', { Key: { pk: S('p'), sk: S('PROFILE') }, UpdateExpression: 'SET #s = :m REMOVE gsi1pk, gsi1sk' }).write).toBe(2);
    expect(m.bill('BatchWriteItemCommand', { RequestItems: { t: [{ PutRequest: { Item: { pk: S('e'), sk: S('f') } } }, { DeleteRequest: { Key: { pk: S('c'), sk: S('d') } } }] } }).write).toBe(2);
    expect(m.write).toBe(3 + 3 + 1 + 4 + 2 + 1 + 2 + 2);
  });

  it("bills an update at the larger of the item before and after, the after worked out from the update's clauses", () => {
    const m = new CapacityMeter();
    const key = { pk: S('p'), sk: S('PROFILE') };
    expect(m.bill('PutItemCommand', { Item: { ...key, v: { N: '1' }, state: S(kb(1).slice(100)) } }).write).toBe(1);
    // The state grows past 2 KB: the image after bills; the version's increment keeps its size.
    const grow = { Key: key, UpdateExpression: 'SET #state = :s, #v = #v + :one', ExpressionAttributeNames: { '#state': 'state', '#v': 'v' }, ExpressionAttributeValues: { ':s': S(kb(2)), ':one': { N: '1' } } };
    expect(m.bill('UpdateItemCommand', grow).write).toBe(3);
    // Shrunk again, the larger image (before) bills; removed, the next update bills the small item.
    const shrink = { Key: key, UpdateExpression: 'SET #state = :s', ExpressionAttributeNames: { '#state': 'state' }, ExpressionAttributeValues: { ':s': S('x') } };
    expect(m.bill('UpdateItemCommand', shrink).write).toBe(3);
    expect(m.bill('UpdateItemCommand', { Key: key, UpdateExpression: 'SET #s = :a', ExpressionAttributeNames: { '#s': 's' }, ExpressionAttributeValues: { ':a': S('a') } }).write).toBe(1);
    // ADD to a string set grows it by its new elements, in a transaction twice.
    const add = { Key: key, UpdateExpression: 'ADD #in :o SET #v = #v + :one', ExpressionAttributeNames: { '#in': 'incoming', '#v': 'v' }, ExpressionAttributeValues: { ':o': new Set([kb(1)]), ':one': 1 } };
    expect(m.bill('TransactWriteItemsCommand', { TransactItems: [{ Update: add }] }).write).toBe(4);
  });

  it('reads: 1 unit per 4 KB when consistent, per item (1 for one not found) or over a page, half when eventual', () => {
    const m = new CapacityMeter();
    const big = { pk: S('a'), sk: S('b'), big: S(kb(5)) };
    expect(m.bill('GetItemCommand', { Key: { pk: S('a'), sk: S('b') }, ConsistentRead: true }, { Item: big }).read).toBe(2);
    expect(m.bill('GetItemCommand', { Key: { pk: S('x'), sk: S('y') }, ConsistentRead: true }, {}).read).toBe(1);
    expect(m.bill('GetItemCommand', { Key: { pk: S('x'), sk: S('y') } }, {}).read).toBe(0.5);
    const keys = [{ pk: S('a'), sk: S('b') }, { pk: S('gone'), sk: S('b') }];
    expect(m.bill('BatchGetItemCommand', { RequestItems: { t: { Keys: keys, ConsistentRead: true } } }, { Responses: { t: [big] } }).read).toBe(3);
    const small = (i: number) => ({ pk: S('q'), sk: S(String(i)), v: S(kb(1)) });
    expect(m.bill('QueryCommand', { ConsistentRead: true }, { Items: [small(1), small(2), small(3), small(4), small(5)] }).read).toBe(2);
    expect(m.bill('QueryCommand', { ConsistentRead: true }, { Items: [] }).read).toBe(1);
  });
});
