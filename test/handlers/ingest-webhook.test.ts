import { BatchGetItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { signFor } from '../../lambdas/domain/webhooks/signatures.ts';
import { handler } from '../../lambdas/handlers/ingest-webhook.ts';
import { logger } from '../../lambdas/shared/logger.ts';
import { fixture } from '../support/webhooks.ts';

const s3 = mockClient(S3Client);
const sqs = mockClient(SQSClient);
const ddb = mockClient(DynamoDBClient);
const sm = mockClient(SecretsManagerClient);
Object.assign(process.env, {
  TABLE_NAME: 'table',
  LANDING_BUCKET: 'landing',
  RAW_BUCKET: 'raw',
  RECORDS_QUEUE_URL: 'https://sqs/records',
  DSR_QUEUE_URL: 'https://sqs/dsr',
  WEBHOOK_SECRETS_ARN: 'arn:aws:secretsmanager:eu-south-1:1:secret:webhooks',
  PRIVACY_SECRET_ARN: 'arn:aws:secretsmanager:eu-south-1:1:secret:privacy',
  POWERTOOLS_DEV: 'true',
});

const body = fixture('shopify/orders_create.json');
const event = (headers: Record<string, string>, payload: Buffer = body): APIGatewayProxyEventV2 =>
  ({
    pathParameters: { source: 'shopify' },
    // API Gateway hands binary-safe bodies over base64-encoded; header names arrive in any case.
    headers: { 'Content-Type': 'application/json', ...headers },
    body: payload.toString('base64'),
    isBase64Encoded: true,
    requestContext: { requestId: 'r1', http: { method: 'POST' } },
  }) as unknown as APIGatewayProxyEventV2;

describe('ingest-webhook handler', () => {
  beforeEach(() => {
    for (const m of [s3, sqs, ddb, sm]) m.reset();
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('no such key'), { name: 'NoSuchKey' }));
    sm.on(GetSecretValueCommand, { SecretId: process.env.WEBHOOK_SECRETS_ARN }).resolves({ SecretString: JSON.stringify({ shopify: 'test_secret' }) });
    sm.on(GetSecretValueCommand, { SecretId: process.env.PRIVACY_SECRET_ARN }).resolves({ SecretString: JSON.stringify({ suppressionSalt: 'salt' }) });
    ddb.on(GetItemCommand).resolves({});
    ddb.on(BatchGetItemCommand).resolves({ Responses: { table: [] } });
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  });

  it('verifies with the secret from Secrets Manager, archives, queues and remembers the event', async () => {
    const res = await handler(event({ 'X-Shopify-Hmac-Sha256': signFor('base64', body, 'test_secret'), 'X-Shopify-Topic': 'orders/create', 'X-Shopify-Event-Id': 'e1' }));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body!)).toMatchObject({ received: true, records: 1 });
    const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put).toMatchObject({ Bucket: 'raw', ContentType: 'application/json' });
    expect(Buffer.from(put.Body as Uint8Array)).toEqual(body);
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.QueueUrl).toBe('https://sqs/records');
    const remembered = ddb.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(remembered.Item).toMatchObject({ sk: { S: 'DELIVERY' }, expiresAt: { N: expect.stringMatching(/^\d+$/) } });
    expect(remembered.Item!.pk!.S).toMatch(/^WEBHOOK#shopify#[0-9a-f]{32}$/);
  });

  it("drops an erased person's delivery: counted, not queued, not archived", async () => {
    ddb.on(BatchGetItemCommand).resolves({ Responses: { table: [{ pk: { S: 'SUPPRESS#x' } }] } });
    const res = await handler(event({ 'X-Shopify-Hmac-Sha256': signFor('base64', body, 'test_secret'), 'X-Shopify-Topic': 'orders/create', 'X-Shopify-Event-Id': 'e2' }));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body!)).toMatchObject({ received: true, records: 0, suppressed: 1 });
    // Point reads of SUPPRESS# keys only (the role's LeadingKeys), consistent.
    const read = ddb.commandCalls(BatchGetItemCommand)[0]!.args[0].input.RequestItems!.table!;
    expect(read.ConsistentRead).toBe(true);
    expect(read.Keys!.every((k) => k.pk!.S!.startsWith('SUPPRESS#'))).toBe(true);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('answers 401 and touches no store when the signature is wrong', async () => {
    const res = await handler(event({ 'X-Shopify-Hmac-Sha256': signFor('base64', body, 'wrong') }));
    expect(res.statusCode).toBe(401);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
    expect(ddb.commandCalls(PutItemCommand)).toHaveLength(0);
    expect(res.body).not.toContain('example.com');
  });

  it("logs with the invocation's request id (the correlation id) and the delivery id", async () => {
    const lines: string[] = [];
    // The logger writes one JSON document a call to stdout (the module loaded before POWERTOOLS_DEV was set above).
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
    const level = logger.getLevelName();
    logger.setLogLevel('INFO'); // tests run at WARN (test/setup.ts)
    try {
      const context = { awsRequestId: 'req-123', functionName: 'cdp-ingest-webhook', functionVersion: '1', invokedFunctionArn: 'arn', memoryLimitInMB: '256' } as unknown as Context;
      await handler(event({ 'X-Shopify-Hmac-Sha256': signFor('base64', body, 'test_secret'), 'X-Shopify-Topic': 'orders/create', 'X-Shopify-Event-Id': 'e3' }), context);
    } finally {
      spy.mockRestore();
      logger.setLogLevel(level);
    }
    const line = lines.flatMap((l) => (l.trim().startsWith('{') ? [JSON.parse(l) as Record<string, unknown>] : [])).find((l) => l.message === 'webhook');
    expect(line).toMatchObject({ function_request_id: 'req-123', function_name: 'cdp-ingest-webhook', deliveryId: expect.any(String), outcome: 'webhook.accepted' });
  });
});
