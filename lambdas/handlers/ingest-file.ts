import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { S3ObjectStore } from '../adapters/s3-object-store.ts';
import { SqsRecordQueue } from '../adapters/sqs-record-queue.ts';
import { stableHash } from '../domain/hash.ts';
import { lazy, requireEnv } from '../shared/env.ts';
import { logger } from '../shared/logger.ts';
import { type ImportDeps, importObject } from '../usecases/import-file.ts';

const processor = new BatchProcessor(EventType.SQS);

const deps = lazy((): ImportDeps => {
  const rawBucket = requireEnv('RAW_BUCKET');
  const recordsQueueUrl = requireEnv('RECORDS_QUEUE_URL');
  return {
    objects: new S3ObjectStore(new S3Client({})),
    queue: new SqsRecordQueue(new SQSClient({}), recordsQueueUrl),
    rawBucket,
    now: () => new Date(),
  };
});

interface S3Notification {
  readonly Event?: string;
  readonly Records?: readonly {
    readonly s3: { readonly bucket: { name: string }; readonly object: { key: string } };
  }[];
}

/** One S3 notification (SQS message): import each object it names. */
async function recordHandler(message: SQSRecord): Promise<void> {
  const notification = JSON.parse(message.body) as S3Notification;
  if (notification.Event === 's3:TestEvent') return;
  for (const r of notification.Records ?? []) {
    // S3 URL-encodes keys in notifications, with '+' for spaces.
    const key = decodeURIComponent(r.s3.object.key.replace(/\+/g, ' '));
    const report = await importObject(deps(), r.s3.bucket.name, key);
    logger.info('import finished', {
      importId: report.importId,
      source: report.source,
      objectKeyHash: stableHash(key).slice(0, 12),
      status: report.status,
      error: report.error,
      rowsRead: report.rowsRead,
      accepted: report.accepted,
      rejected: report.rejected,
      suppressed: report.suppressed,
    });
  }
}

export const handler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, recordHandler, processor, { context });
