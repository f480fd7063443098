import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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
const event = (id: string) => ({ pathParameters: { id }, requestContext: { requestId: 'r1' } }) as unknown as APIGatewayProxyEventV2;

describe('get-profile handler', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: { pk: string }[] }> }) => {
      const pk = input.RequestItems.table!.Keys[0]!.pk;
      const items: Record<string, unknown> = {
        [`PROFILE#${A}`]: { pk: `PROFILE#${A}`, sk: 'PROFILE', status: 'active', version: 3, state: pack({ ...emptyProfile(A, '2026-01-01T00:00:00.000Z'), attributes: { firstName: 'Anna' } }) },
        [`PROFILE#${B}`]: { pk: `PROFILE#${B}`, sk: 'PROFILE', status: 'merged', into: A, version: 2, state: pack(emptyProfile(B, '2026-01-01T00:00:00.000Z')) },
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

  it('rejects a malformed id with 400 and an unknown one with 404, never echoing the input', async () => {
    const bad = await handler(event('../../etc/passwd'));
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toContain('passwd');
    expect((await handler(event('p_cccccccccccccccccccc'))).statusCode).toBe(404);
  });
});
