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
});
