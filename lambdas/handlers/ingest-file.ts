import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSRecord } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoFailureLog } from '../adapters/failure-log.ts';
import { DynamoSuppressionList, loadSuppression, PrivacySalt } from '../adapters/privacy-stores.ts';
import { S3ObjectStore } from '../adapters/s3-object-store.ts';
import { SqsContinuationQueue, SqsRecordQueue } from '../adapters/sqs-record-queue.ts';
import { objectKeyHash } from '../domain/hash.ts';
import { lazy, requireEnv } from '../shared/env.ts';
import { logger } from '../shared/logger.ts';
import { sqsBatchHandler } from '../shared/sqs-batch.ts';
import { type ImportDeps, importObject } from '../usecases/import-file.ts';
import { type FileEvent, importJobsOf } from '../usecases/import-keys.ts';

const clients = lazy(() => {
  const sqs = new SQSClient({});
  return {
    objects: new S3ObjectStore(new S3Client({})),
    queue: new SqsRecordQueue(sqs, requireEnv('RECORDS_QUEUE_URL')),
    continuations: new SqsContinuationQueue(sqs, requireEnv('FILE_EVENTS_QUEUE_URL')),
    rawBucket: requireEnv('RAW_BUCKET'),
    suppressionList: new DynamoSuppressionList(new DynamoDBClient({}), requireEnv('TABLE_NAME')),
    // Read once per container, and only when the list is not empty.
    salt: new PrivacySalt(() => new SecretsManagerClient({}), process.env.PRIVACY_SECRET_ARN),
  };
});
// Made at the first failure only: nothing of it on a cold start that fails nothing.
const failures = lazy(() => new DynamoFailureLog(new DynamoDBClient({}), requireEnv('TABLE_NAME')));

/** One message of the file-events queue: an S3 notification, or the continuation of a long import. */
async function recordHandler(message: SQSRecord, context: Context): Promise<void> {
  const event = JSON.parse(message.body) as FileEvent;
  if (event.Event === 's3:TestEvent') return;
  const { suppressionList, salt, ...io } = clients();
  const deps: ImportDeps = {
    ...io,
    // The list is loaded at the start of every import (one query of the keys-only index).
    suppression: () => loadSuppression(suppressionList, salt),
    now: () => new Date(),
    remainingMs: () => context.getRemainingTimeInMillis(),
  };
  for (const job of importJobsOf(event)) {
    const outcome = await importObject(deps, job.bucket, job.key, job.resume);
    const keyHash = objectKeyHash(job.key);
    if (!outcome.done) {
      await deps.continuations.schedule(outcome.checkpoint);
      logger.info('import continues in a new invocation', { importId: outcome.checkpoint.importId, objectKeyHash: keyHash, ...outcome.checkpoint.counts });
      continue;
    }
    const r = outcome.report;
    logger.info('import finished', {
      importId: r.importId,
      source: r.source,
      objectKeyHash: keyHash,
      status: r.status,
      error: r.error,
      rowsRead: r.rowsRead,
      accepted: r.accepted,
      rejected: r.rejected,
      suppressed: r.suppressed,
    });
  }
}

export const handler = sqsBatchHandler('fileEvents', recordHandler, failures, (m) => ({
  objectKeyHashes: importJobsOf(JSON.parse(m.body) as FileEvent).map((j) => objectKeyHash(j.key)),
}));
