import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import identityJson from '../../config/identity.json' with { type: 'json' };
import { DynamoProfileStore, documentClient } from '../adapters/dynamo-profile-store.ts';
import { decodeRecords } from '../adapters/records-codec.ts';
import { parseIdentityConfig } from '../domain/identity-config.ts';
import { lazy, requireEnv } from '../shared/env.ts';
import { logger } from '../shared/logger.ts';
import { resolveRecord } from '../usecases/resolve-record.ts';

const processor = new BatchProcessor(EventType.SQS);
const deps = lazy(() => ({
  store: new DynamoProfileStore(documentClient(), requireEnv('TABLE_NAME')),
  // Identity rules ship with the code (config/identity.json), validated at the first invocation.
  config: parseIdentityConfig(identityJson),
}));

/**
 * One message: a small batch of records, resolved in order. A failure fails the message; the records already applied
 * are recognised as duplicates when it is redelivered.
 */
async function recordHandler(message: SQSRecord): Promise<void> {
  const { store, config } = deps();
  const records = decodeRecords(message.body);
  let applied = 0;
  let merges = 0;
  for (const record of records) {
    const outcome = await resolveRecord(store, record, config);
    if (outcome.result === 'applied') applied++;
    merges += outcome.merged.length;
  }
  logger.debug('records resolved', { messageId: message.messageId, records: records.length, applied, merges });
}

export const handler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, recordHandler, processor, { context });
