import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoProfileStore, documentClient } from '../adapters/dynamo-profile-store.ts';
import type { CanonicalRecord } from '../domain/canonical.ts';
import { lazy, requireEnv } from '../shared/env.ts';
import { logger } from '../shared/logger.ts';
import { resolveRecord } from '../usecases/resolve-record.ts';

const processor = new BatchProcessor(EventType.SQS);
const store = lazy(() => new DynamoProfileStore(documentClient(), requireEnv('TABLE_NAME')));

async function recordHandler(message: SQSRecord): Promise<void> {
  const record = JSON.parse(message.body) as CanonicalRecord;
  const outcome = await resolveRecord(store(), record);
  logger.debug('record resolved', { recordId: record.recordId, profileId: outcome.profileId, result: outcome.result });
}

export const handler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, recordHandler, processor, { context });
