import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CanonicalRecord } from '../../lambdas/domain/canonical.ts';
import { handler } from '../../lambdas/handlers/resolve-records.ts';
import { encodeRecords } from '../../lambdas/adapters/records-codec.ts';

const ddb = mockClient(DynamoDBDocumentClient);
process.env.TABLE_NAME = 'table';
const context = { functionName: 'resolve' } as unknown as Context;

const record = (id: string, email: string): CanonicalRecord => ({
  recordId: id,
  source: 'erp',
  channel: 'file',
  kind: 'contact',
  occurredAt: '2026-01-01T00:00:00.000Z',
  receivedAt: '2026-01-01T00:00:00.000Z',
  lineage: { objectKey: 'imports/erp/a.csv', recordKey: id },
  identifiers: [{ type: 'email', value: email }],
});
const event = (...records: CanonicalRecord[]): SQSEvent => ({
  Records: records.map((r) => ({
    messageId: r.recordId,
    receiptHandle: 'x',
    body: encodeRecords([r], 24 * 1024)[0]!,
    attributes: {} as SQSEvent['Records'][0]['attributes'],
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn',
    awsRegion: 'eu-south-1',
  })),
});

describe('resolve-records handler', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(BatchGetCommand).resolves({ Responses: { table: [] } });
    ddb.on(PutCommand).resolves({});
    ddb.on(GetCommand).resolves({});
    ddb.on(TransactWriteCommand).resolves({});
  });

  it('claims the identifier with a conditional put and creates the profile once', async () => {
    const res = await handler(event(record('r1', 'a@example.it')), context);
    expect(res.batchItemFailures).toEqual([]);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: expect.objectContaining({ pk: 'ID#email:a@example.it' }),
    });
    const tx = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(tx[0]?.Put?.Item?.pk).toBe('RECORD#r1');
    expect(tx[1]?.Update?.ConditionExpression).toBe('attribute_not_exists(pk)');
  });

  it('treats a redelivered record as done', async () => {
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    );
    const res = await handler(event(record('r1', 'a@example.it')), context);
    expect(res.batchItemFailures).toEqual([]);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
  });

  it('retries a version conflict against the fresh profile', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(
        new TransactionCanceledException({
          message: 'cancelled',
          $metadata: {},
          CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
        }),
      )
      .resolves({});
    const res = await handler(event(record('r1', 'a@example.it')), context);
    expect(res.batchItemFailures).toEqual([]);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 2);
  });

  it('fails only the record whose write fails', async () => {
    ddb.on(TransactWriteCommand).callsFake((input: { TransactItems: { Put?: { Item?: { pk?: string } } }[] }) => {
      if (input.TransactItems[0]?.Put?.Item?.pk === 'RECORD#r2') {
        throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
      }
      return {};
    });
    const res = await handler(event(record('r1', 'a@example.it'), record('r2', 'b@example.it')), context);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'r2' }]);
  });
});
