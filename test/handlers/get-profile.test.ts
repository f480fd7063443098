import { BatchGetCommand, DeleteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { pack } from '../../lambdas/adapters/dynamo-profile-store.ts';
import { emptyProfile } from '../../lambdas/domain/profile.ts';
import { handler } from '../../lambdas/handlers/get-profile.ts';

const ddb = mockClient(DynamoDBDocumentClient);
process.env.TABLE_NAME = 'table';
const A = 'p_aaaaaaaaaaaaaaaaaaaa';
const B = 'p_bbbbbbbbbbbbbbbbbbbb';
/** D is the survivor of a merge of C that a resolver left half-done (C is still `merging`). */
const C = 'p_cccccccccccccccccccc';
const D = 'p_dddddddddddddddddddd';
const at = '2026-01-01T00:00:00.000Z';
const event = (id: string) => ({ pathParameters: { id }, requestContext: { requestId: 'r1' } }) as unknown as APIGatewayProxyEventV2;

describe('get-profile handler', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: { pk: string }[] }> }) => {
      const pk = input.RequestItems.table!.Keys[0]!.pk;
      const items: Record<string, unknown> = {
        [`PROFILE#${A}`]: { pk: `PROFILE#${A}`, sk: 'PROFILE', status: 'active', version: 3, state: pack({ ...emptyProfile(A, '2026-01-01T00:00:00.000Z'), attributes: { firstName: 'Anna' } }) },
        [`PROFILE#${B}`]: { pk: `PROFILE#${B}`, sk: 'PROFILE', status: 'merged', into: A, version: 2, state: pack(emptyProfile(B, '2026-01-01T00:00:00.000Z')) },
        [`PROFILE#${D}`]: {
          pk: `PROFILE#${D}`,
          sk: 'PROFILE',
          status: 'active',
          version: 4,
          incoming: new Set([C]),
          state: pack({ ...emptyProfile(D, at), identifiers: ['email:d@example.it'], sources: ['erp'], recordCount: 1, lastSeenAt: at, orders: { count: 1, revenue: 10 } }),
        },
        [`PROFILE#${C}`]: {
          pk: `PROFILE#${C}`,
          sk: 'PROFILE',
          status: 'merging',
          into: D,
          version: 2,
          state: pack({ ...emptyProfile(C, at), identifiers: ['phone:+393331112222'], sources: ['shop'], recordCount: 2, lastSeenAt: at, orders: { count: 2, revenue: 22 } }),
        },
      };
      return { Responses: { table: items[pk] ? [items[pk]] : [] } };
    });
  });

  it('answers a profile as JSON', async () => {
    const res = await handler(event(A));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body!)).toMatchObject({ profileId: A, attributes: { firstName: 'Anna' }, lifecycle: 'lead' });
  });

  it('answers a merged-away id with the surviving profile', async () => {
    const res = await handler(event(B));
    expect(JSON.parse(res.body!)).toMatchObject({ profileId: A, requestedId: B });
  });

  it('shows a merge a resolver left half-done as done, and writes nothing (its role only reads)', async () => {
    const order = (id: string, total: number, recordId: string) => ({ pk: '', sk: `ORDER#shop#${id}`, total, occurredAt: at, placedAt: at, recordId });
    // o2 was moved to D already; o3 is still on C.
    const orders: Record<string, unknown[]> = { [`PROFILE#${D}`]: [order('o1', 10, 'r1'), order('o2', 12, 'r2')], [`PROFILE#${C}`]: [order('o2', 12, 'r2'), order('o3', 10, 'r3')] };
    ddb.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, string> }) => ({ Items: orders[input.ExpressionAttributeValues[':pk']!] ?? [] }));
    for (const id of [C, D]) {
      const res = await handler(event(id));
      expect(res.statusCode).toBe(200);
      const body = JSON.parse(res.body!);
      expect(body).toMatchObject({ profileId: D, recordCount: 3, orders: { count: 3, revenue: 32 } });
      expect(body.identifiers.toSorted()).toEqual(['email:d@example.it', 'phone:+393331112222']);
      expect(body.sources.toSorted()).toEqual(['erp', 'shop']);
    }
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(0);
  });

  it('rejects a malformed id with 400 and an unknown one with 404, never echoing the input', async () => {
    const bad = await handler(event('../../etc/passwd'));
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toContain('passwd');
    expect((await handler(event('p_eeeeeeeeeeeeeeeeeeee'))).statusCode).toBe(404);
  });

  it('adds the newest records and the orders with ?history=true (events=N of them), read backwards one page; rejects a bad count', async () => {
    const ev = (n: number, extra: object) => ({ pk: `PROFILE#${A}`, sk: `EVENT#2026-0${n}-01#r${n}`, recordId: `r${n}`, source: 'shop', kind: 'order', occurredAt: `2026-0${n}-01T00:00:00.000Z`, e: pack({ channel: 'webhook', lineage: { objectKey: `webhooks/shop/${n}.json`, recordKey: `order:#${n}`, deliveryId: `d${n}` }, ...extra }) });
    const orders = [
      { pk: `PROFILE#${A}`, sk: 'ORDER#shop##1', source: 'shop', orderId: '#1', total: 90, status: 'paid', test: true, currency: 'EUR', occurredAt: at, placedAt: '2026-01-01T00:00:00.000Z', recordId: 'r1' },
      { pk: `PROFILE#${A}`, sk: 'ORDER#shop##2', source: 'shop', orderId: '#2', total: 40, status: 'paid', currency: 'EUR', occurredAt: at, placedAt: '2026-02-01T00:00:00.000Z', recordId: 'r2' },
    ];
    const asked: { ScanIndexForward?: boolean; Limit?: number }[] = [];
    ddb.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, string>; ScanIndexForward?: boolean; Limit?: number }) => {
      if (input.ExpressionAttributeValues[':e'] === 'EVENT#') {
        asked.push(input);
        return { Items: [ev(3, { interaction: { type: 'call', subject: 'Preventivo' } }), ev(2, { order: { orderId: '#2', status: 'paid', total: 40, currency: 'EUR' } }), ev(1, {})].slice(0, input.Limit) };
      }
      return { Items: input.ExpressionAttributeValues[':s'] === 'ORDER#' ? orders : [] };
    });
    const res = await handler({ ...event(A), queryStringParameters: { history: 'true', events: '2' } });
    expect(res.statusCode).toBe(200);
    const { history } = JSON.parse(res.body!);
    expect(asked).toEqual([expect.objectContaining({ ScanIndexForward: false, Limit: 3 })]);
    expect(history.events).toEqual([
      { at: '2026-03-01T00:00:00.000Z', source: 'shop', kind: 'order', channel: 'webhook', interaction: { type: 'call', subject: 'Preventivo' }, from: { objectKey: 'webhooks/shop/3.json', recordKey: 'order:#3', deliveryId: 'd3' } },
      { at: '2026-02-01T00:00:00.000Z', source: 'shop', kind: 'order', channel: 'webhook', order: { orderId: '#2', status: 'paid', total: 40, currency: 'EUR' }, from: { objectKey: 'webhooks/shop/2.json', recordKey: 'order:#2', deliveryId: 'd2' } },
    ]);
    expect(history.moreEvents).toBe(true);
    expect(history.orders).toEqual([
      { source: 'shop', orderId: '#2', placedAt: '2026-02-01T00:00:00.000Z', status: 'paid', total: 40, currency: 'EUR', counted: true },
      { source: 'shop', orderId: '#1', placedAt: '2026-01-01T00:00:00.000Z', status: 'paid', total: 90, currency: 'EUR', counted: false, test: true },
    ]);
    // Without it, the profile alone.
    expect(JSON.parse((await handler(event(A))).body!).history).toBeUndefined();
    for (const q of [{ history: 'yes' }, { history: 'true', events: '0' }, { history: 'true', events: '501' }, { history: 'true', events: '2.5' }, { events: '5' }]) {
      const bad = await handler({ ...event(A), queryStringParameters: q });
      expect(bad.statusCode, JSON.stringify(q)).toBe(400);
      expect(JSON.parse(bad.body!).message).toMatch(/history|events/);
    }
  });
});
