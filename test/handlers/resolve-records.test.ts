import { BatchGetItemCommand, DynamoDBClient, PutItemCommand, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeRecords } from '../../lambdas/adapters/records-codec.ts';
import type { CanonicalRecord } from '../../lambdas/domain/canonical.ts';
import { objectKeyHash } from '../../lambdas/domain/hash.ts';
import { handler } from '../../lambdas/handlers/resolve-records.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const plain = mockClient(DynamoDBClient);
const sm = mockClient(SecretsManagerClient);
process.env.TABLE_NAME = 'table';
process.env.PRIVACY_SECRET_ARN = 'arn:aws:secretsmanager:eu-south-1:1:secret:privacy';
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
  person: { firstName: 'Anna' },
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
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });

describe('resolve-records handler', () => {
  beforeEach(() => {
    ddb.reset();
    plain.reset();
    sm.reset();
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ suppressionSalt: 'salt' }) });
    plain.on(BatchGetItemCommand).resolves({ Responses: { table: [] } });
    ddb.on(GetCommand).resolves({});
    ddb.on(BatchGetCommand).resolves({ Responses: { table: [] } });
    ddb.on(TransactWriteCommand).resolves({});
    // Matching, after a named record is applied: its snapshot filed, its blocks read (empty), the mark that it finished.
    ddb.on(BatchWriteCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(UpdateCommand).resolves({});
  });

  it("drops a record of an erased person: nothing is written", async () => {
    plain.on(BatchGetItemCommand).resolves({ Responses: { table: [{ pk: { S: 'SUPPRESS#x' } }] } });
    const res = await handler(event(record('r9', 'erased@example.it')), context);
    expect(res.batchItemFailures).toEqual([]);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    const keys = plain.commandCalls(BatchGetItemCommand)[0]!.args[0].input.RequestItems!.table!.Keys!;
    // Salted hashes, not the address.
    expect(keys.map((k) => k.pk!.S)).toEqual([expect.stringMatching(/^SUPPRESS#[0-9a-f]{40}$/)]);
  });

  it('creates a new person in one transaction: marker first, the profile, and the claim of each identifier', async () => {
    const res = await handler(event(record('r1', 'a@example.it')), context);
    expect(res.batchItemFailures).toEqual([]);
    const tx = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(tx[0]?.Put).toMatchObject({ Item: { pk: 'RECORD#r1' }, ConditionExpression: 'attribute_not_exists(pk)' });
    expect(tx[1]?.Put).toMatchObject({ Item: { sk: 'PROFILE', status: 'active', version: 1 }, ConditionExpression: 'attribute_not_exists(pk)' });
    expect(tx.find((t) => t.Put?.Item?.pk === 'ID#email:a@example.it')?.Put).toMatchObject({
      Item: { owners: [expect.stringMatching(/^p_/)] },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    // Then it is matched: its snapshot is filed under hashed keys (here under its e-mail's, the one key a first name
    // and an e-mail make).
    const filed = ddb.commandCalls(BatchWriteCommand)[0]!.args[0].input.RequestItems!.table!;
    expect(filed.map((w) => w.PutRequest?.Item?.pk)).toEqual([expect.stringMatching(/^BLOCK#[0-9a-f]{20}$/)]);
  });

  it('does nothing for a record already applied and matched', async () => {
    ddb.on(GetCommand, { Key: { pk: 'RECORD#r1', sk: 'RECORD' } }).resolves({ Item: { profileId: 'p_1', matched: true } });
    // A named record is matched after it is applied; a redelivery finds the matching finished and does not redo it.
    const res = await handler(event({ ...record('r1', 'a@example.it'), person: { firstName: 'Anna', lastName: 'Verdi' } }), context);
    expect(res.batchItemFailures).toEqual([]);
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 1);
    expect(ddb).not.toHaveReceivedCommand(QueryCommand);
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(ddb).not.toHaveReceivedCommand(BatchGetCommand);
  });

  it('re-plans when another resolver claimed the identifier first', async () => {
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'None', 'None', 'None', 'ConditionalCheckFailed')).resolves({});
    const res = await handler(event(record('r1', 'a@example.it')), context);
    expect(res.batchItemFailures).toEqual([]);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 2);
  });

  it('fails only the message whose write fails', async () => {
    ddb.on(TransactWriteCommand).callsFake((input: { TransactItems: { Put?: { Item?: { pk?: string } } }[] }) => {
      if (input.TransactItems[0]?.Put?.Item?.pk === 'RECORD#r2') throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
      return {};
    });
    const res = await handler(event(record('r1', 'a@example.it'), record('r2', 'b@example.it')), context);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'r2' }]);
  });

  it('notes why a message failed in the failure log (FAILED#records), by body hash, with values masked', async () => {
    ddb.on(TransactWriteCommand).rejects(Object.assign(new Error("Item 'b@example.it' with key +39 333 123 4567 too large"), { name: 'ValidationException' }));
    const failing = event(record('r2', 'b@example.it'));
    failing.Records[0]!.attributes = { ApproximateReceiveCount: '4' } as SQSEvent['Records'][0]['attributes'];
    await expect(handler(failing, context)).rejects.toThrow(); // the whole batch failed: Lambda retries it
    const puts = plain.commandCalls(PutItemCommand).map((c) => c.args[0].input.Item!);
    expect(puts).toHaveLength(1);
    expect(puts[0]).toMatchObject({ pk: { S: 'FAILED#records' }, error: { S: 'ValidationException' }, fn: { S: 'resolve' }, receiveCount: { N: '4' } });
    expect(puts[0]!.sk!.S).toMatch(/^[0-9a-f]{32}$/);
    expect(puts[0]!.detail!.S).toBe('Item <value> with key <number> too large');
    // The hash and the times are checked by their form above and below; every other field is checked for the values.
    const { sk: _sk, at, expiresAt, ...rest } = puts[0]!;
    expect(at!.S).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    expect(expiresAt!.N).toMatch(/^\d{10}$/);
    expect(JSON.stringify(rest)).not.toMatch(/example\.it|333|123|4567/);
  });

  it("logs a failed message with the ids that follow it back to its import (the importer's objectKeyHash)", async () => {
    ddb.on(TransactWriteCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    const lines: string[] = [];
    const capture = (chunk: unknown) => (lines.push(String(chunk)), true);
    const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(capture), vi.spyOn(process.stderr, 'write').mockImplementation(capture)];
    try {
      await expect(handler(event(record('r3', 'c@example.it')), context)).rejects.toThrow();
    } finally {
      for (const s of spies) s.mockRestore();
    }
    const line = lines.flatMap((l) => (l.trim().startsWith('{') ? [JSON.parse(l) as Record<string, unknown>] : [])).find((l) => l.message === 'message failed');
    expect(line).toMatchObject({ messageId: 'r3', error: 'ThrottlingException', objectKeyHashes: [objectKeyHash('imports/erp/a.csv')] });
    expect(JSON.stringify(line)).not.toContain('example.it');
  });
});
