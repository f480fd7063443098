import { Readable } from 'node:stream';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { suppressionHash } from '../../lambdas/domain/privacy/subject.ts';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { sdkStreamMixin } from '@smithy/util-stream';
import type { Context, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CanonicalRecord } from '../../lambdas/domain/canonical.ts';
import { handler } from '../../lambdas/handlers/ingest-file.ts';
import { decodeRecords } from '../../lambdas/adapters/records-codec.ts';
import type { ImportReport } from '../../lambdas/usecases/import-file.ts';

const s3 = mockClient(S3Client);
const sqs = mockClient(SQSClient);
const ddb = mockClient(DynamoDBClient);
const sm = mockClient(SecretsManagerClient);
process.env.TABLE_NAME = 'table';
process.env.PRIVACY_SECRET_ARN = 'arn:aws:secretsmanager:eu-south-1:1:secret:privacy';
process.env.RAW_BUCKET = 'raw-bucket';
process.env.RECORDS_QUEUE_URL = 'https://sqs.local/records';
process.env.FILE_EVENTS_QUEUE_URL = 'https://sqs.local/file-events';

const context = { functionName: 'ingest', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
const notification = (key: string): SQSEvent => ({
  Records: [
    {
      messageId: 'm1',
      receiptHandle: 'r',
      body: JSON.stringify({
        Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'landing' }, object: { key } } }],
      }),
      attributes: {} as SQSEvent['Records'][0]['attributes'],
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-south-1:1:file-events',
      awsRegion: 'eu-south-1',
    },
  ],
});
const body = (bytes: Buffer) => sdkStreamMixin(Readable.from([bytes]));
const cp1252 = (s: string) => Buffer.from(s, 'latin1');

function putBodies(prefix: string): string[] {
  return s3
    .commandCalls(PutObjectCommand)
    .filter((c) => c.args[0].input.Key?.startsWith(prefix))
    .map((c) => String(c.args[0].input.Body));
}
function sentRecords(): CanonicalRecord[] {
  return sqs
    .commandCalls(SendMessageBatchCommand)
    .flatMap((c) => c.args[0].input.Entries ?? [])
    .flatMap((e) => decodeRecords(e.MessageBody!));
}
const noSuchKey = () => Object.assign(new Error('no such key'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });

describe('ingest-file handler', () => {
  beforeEach(() => {
    s3.reset();
    sqs.reset();
    ddb.reset();
    sm.reset();
    // An empty suppression list: the salt is not even read.
    ddb.on(QueryCommand).resolves({ Items: [] });
    s3.on(PutObjectCommand).resolves({});
    // No mapping files, no earlier report: only the landing objects a test defines exist.
    s3.on(GetObjectCommand).rejects(noSuchKey());
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    sqs.on(SendMessageCommand).resolves({});
  });

  it('turns a Windows-1252 `;` export with URL-encoded key into records, a quarantine and a reconciled report', async () => {
    const csv =
      'Codice cliente;Nome;Cognome;E-mail;Città\r\nC1;NICCOLÒ;ROSSI;n@example.it;Forlì\r\n;Anna;Verdi;nope;\r\nC3;x\r\n';
    s3.on(GetObjectCommand, { Bucket: 'landing', Key: 'imports/erp/clienti maggio.csv' }).resolves({
      Body: body(cp1252(csv)),
      ETag: '"e1"',
    });
    const res = await handler(notification('imports/erp/clienti+maggio.csv'), context);
    expect(res.batchItemFailures).toEqual([]);

    const records = sentRecords();
    expect(records).toHaveLength(1);
    expect(records[0]?.person).toEqual({ firstName: 'Niccolò', lastName: 'Rossi' });
    expect(records[0]?.address).toEqual({ city: 'Forlì' });
    expect(sqs).toHaveReceivedCommandWith(SendMessageBatchCommand, { QueueUrl: 'https://sqs.local/records' });

    const [report] = putBodies('reports/imports/').map((b) => JSON.parse(b) as ImportReport);
    expect(report).toMatchObject({
      source: 'erp',
      status: 'completed',
      encoding: 'windows-1252',
      delimiter: ';',
      rowsRead: 3,
      accepted: 1,
      rejected: 2,
      suppressed: 0,
      reasons: { 'email.syntax': 1, 'row.columnCount': 1 },
    });
    const quarantined = putBodies('quarantine/erp/')[0]!
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(quarantined.map((q) => [q.line, q.reasons])).toEqual([
      [3, ['email.syntax']],
      [4, ['row.columnCount']],
    ]);
  });

  it("counts an erased person's row as suppressed: not sent, not quarantined", async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ suppressionSalt: 'salt' }) });
    ddb.on(QueryCommand).resolves({ Items: [{ gsi1sk: { S: suppressionHash('salt', 'email:gone@example.it') } }] });
    const csv = 'Codice cliente;E-mail\r\nC1;Gone@Example.it\r\nC2;kept@example.it\r\n';
    s3.on(GetObjectCommand, { Bucket: 'landing', Key: 'imports/erp/c.csv' }).resolves({ Body: body(Buffer.from(csv)), ETag: '"e2"' });
    expect((await handler(notification('imports/erp/c.csv'), context)).batchItemFailures).toEqual([]);
    expect(sentRecords().map((r) => r.identifiers.find((i) => i.type === 'email')?.value)).toEqual(['kept@example.it']);
    expect(JSON.parse(putBodies('reports/imports/')[0]!)).toMatchObject({ rowsRead: 2, accepted: 1, rejected: 0, suppressed: 1 });
    expect(putBodies('quarantine/')).toEqual([]);
  });

  it('fails an unreadable file with a stored report instead of retrying it', async () => {
    s3.on(GetObjectCommand, { Bucket: 'landing', Key: 'imports/erp/garbage.bin' }).resolves({ Body: body(Buffer.from([0x00, 0x01, 0x02, 0xff, 0x00])), ETag: '"e2"' });
    const res = await handler(notification('imports/erp/garbage.bin'), context);
    expect(res.batchItemFailures).toEqual([]);
    const [report] = putBodies('reports/imports/').map((b) => JSON.parse(b) as ImportReport);
    expect(report).toMatchObject({ status: 'failed', error: 'file.binary', rowsRead: 0 });
    expect(sqs).not.toHaveReceivedCommand(SendMessageBatchCommand);
  });

  it('fails an object outside imports/<source>/ with a reason', async () => {
    s3.on(GetObjectCommand, { Bucket: 'landing', Key: 'stray.csv' }).resolves({ Body: body(Buffer.from('a,b\n1,2\n')), ETag: '"e3"' });
    await handler(notification('stray.csv'), context);
    const [report] = putBodies('reports/imports/').map((b) => JSON.parse(b) as ImportReport);
    expect(report).toMatchObject({ status: 'failed', error: 'key.noSource' });
  });

  it('fails the batch (for redelivery, then the DLQ) when S3 is unavailable', async () => {
    s3.on(GetObjectCommand, { Bucket: 'landing' }).rejects(Object.assign(new Error('slow down'), { name: 'SlowDown' }));
    await expect(handler(notification('imports/erp/a.csv'), context)).rejects.toThrow('All records failed');
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('packs records into messages of at most 24 KiB, at most 10 messages and 256 KiB per request', async () => {
    const rows = Array.from({ length: 1200 }, (_, i) => `C${i};p${i}@example.it;Nome${i % 2 ? '' : 'x'};Via Garibaldi ${i}`).join('\n');
    s3.on(GetObjectCommand, { Bucket: 'landing', Key: 'imports/shop/many.csv' }).resolves({ Body: body(Buffer.from(`Codice cliente;Email;Cognome;Indirizzo\n${rows}\n`)), ETag: '"e4"' });
    await handler(notification('imports/shop/many.csv'), context);
    const requests = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries ?? []);
    for (const entries of requests) {
      expect(entries.length).toBeLessThanOrEqual(10);
      expect(entries.reduce((n, e) => n + Buffer.byteLength(e.MessageBody!), 0)).toBeLessThanOrEqual(256 * 1024);
      for (const e of entries) expect(Buffer.byteLength(e.MessageBody!)).toBeLessThanOrEqual(24 * 1024);
    }
    expect(sentRecords()).toHaveLength(1200);
    expect(requests.length).toBeLessThan(1200 / 10);
  });

  it('continues a long import through the file-events queue when time runs short', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `C${i};p${i}@example.it`).join('\n');
    s3.on(GetObjectCommand, { Bucket: 'landing', Key: 'imports/shop/long.csv' }).resolves({ Body: body(Buffer.from(`Codice cliente;Email\n${rows}\n`)), ETag: '"e5"' });
    const short = { ...context, getRemainingTimeInMillis: () => 30_000 } as Context;
    await handler(notification('imports/shop/long.csv'), short);
    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, { QueueUrl: 'https://sqs.local/file-events' });
    const continuation = JSON.parse(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody!);
    expect(continuation.cdpImportContinuation).toMatchObject({ objectKey: 'imports/shop/long.csv', format: 'csv', counts: { rowsRead: 2000 } });
    expect(JSON.stringify(continuation)).not.toContain('@example.it');
    expect(putBodies('reports/imports/')).toHaveLength(0);
  });
});
