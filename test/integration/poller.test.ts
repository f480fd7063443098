import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../local/engines/dynamodb.ts';
import { startSqs } from '../../local/engines/sqs.ts';
import { QueuePoller } from '../../local/poller.ts';
import { createQueueWithDlq } from '../../local/resources.ts';
import { waitFor } from './wait.ts';

let engine: Engine;
let sqs: SQSClient;

beforeAll(async () => {
  engine = await startSqs('eu-south-1');
  sqs = new SQSClient({
    endpoint: engine.endpoint,
    region: 'eu-south-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
});
afterAll(async () => {
  await engine.stop();
});

describe('twin event-source poller on local SQS', () => {
  it('redelivers only the failing record of a batch of ten, then moves it to the DLQ after the configured receives', async () => {
    const maxReceiveCount = 3;
    const { queueUrl, dlqUrl } = await createQueueWithDlq(sqs, 'batch-test', {
      visibilityTimeoutSeconds: 2,
      retentionSeconds: 3600,
      maxReceiveCount,
      dlqRetentionSeconds: 3600,
    });
    const deliveries = new Map<string, number>();
    const batchSizes: number[] = [];
    const processor = new BatchProcessor(EventType.SQS);
    const recordHandler = async (r: SQSRecord) => {
      deliveries.set(r.body, (deliveries.get(r.body) ?? 0) + 1);
      if (r.body === 'item-5') throw new Error('poisoned record');
    };
    const handler = async (event: SQSEvent, context: Context) => {
      batchSizes.push(event.Records.length);
      return processPartialResponse(event, recordHandler, processor, { context });
    };
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: `item-${i}` })),
      }),
    );
    const poller = new QueuePoller({
      name: 'batch-test',
      sqs,
      queueUrl,
      queueArn: 'arn:aws:sqs:eu-south-1:000000000000:batch-test',
      region: 'eu-south-1',
      handler,
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      concurrency: 1,
      timeoutSeconds: 5,
    });
    poller.start();
    try {
      const inDlq = await waitFor(async () => {
        const res = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        return res.Messages?.length ? res.Messages : undefined;
      }, 30_000);
      expect(inDlq.map((m) => m.Body)).toEqual(['item-5']);
    } finally {
      await poller.stop();
    }
    expect(batchSizes[0]).toBe(10);
    for (let i = 0; i < 10; i++) expect(deliveries.get(`item-${i}`)).toBe(i === 5 ? maxReceiveCount : 1);
  });

  it('never hands a batch the same message twice, even when its visibility runs out inside the batching window', async () => {
    const { queueUrl } = await createQueueWithDlq(sqs, 'window-test', {
      visibilityTimeoutSeconds: 1,
      retentionSeconds: 3600,
      maxReceiveCount: 10,
      dlqRetentionSeconds: 3600,
    });
    const batches: string[][] = [];
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: '0', MessageBody: 'always-fails' }] }));
    const poller = new QueuePoller({
      name: 'window-test',
      sqs,
      queueUrl,
      queueArn: 'arn:aws:sqs:eu-south-1:000000000000:window-test',
      region: 'eu-south-1',
      handler: async (event) => {
        batches.push(event.Records.map((r) => r.messageId));
        return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
      },
      batchSize: 10,
      maxBatchingWindowSeconds: 2.5,
      concurrency: 1,
      timeoutSeconds: 5,
    });
    poller.start();
    try {
      await waitFor(async () => (batches.length >= 2 ? true : undefined), 20_000);
    } finally {
      await poller.stop();
    }
    for (const ids of batches) expect(new Set(ids).size).toBe(ids.length);
  });
});
