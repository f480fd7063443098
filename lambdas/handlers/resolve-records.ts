import type { SQSRecord } from 'aws-lambda';
import identityJson from '../../config/identity.json' with { type: 'json' };
import { DynamoProfileStore, documentClient } from '../adapters/dynamo-profile-store.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoFailureLog } from '../adapters/failure-log.ts';
import { DynamoSuppressionList, PrivacySalt, SuppressionLookup } from '../adapters/privacy-stores.ts';
import { decodeRecords } from '../adapters/records-codec.ts';
import type { CanonicalRecord } from '../domain/canonical.ts';
import { objectKeyHash } from '../domain/hash.ts';
import { parseIdentityConfig } from '../domain/identity-config.ts';
import { lazy, requireEnv } from '../shared/env.ts';
import { logger } from '../shared/logger.ts';
import { sqsBatchHandler } from '../shared/sqs-batch.ts';
import { resolveRecord } from '../usecases/resolve-record.ts';

const deps = lazy(() => ({
  store: new DynamoProfileStore(documentClient(), requireEnv('TABLE_NAME')),
  suppression: new SuppressionLookup(
    new DynamoSuppressionList(new DynamoDBClient({}), requireEnv('TABLE_NAME')),
    new PrivacySalt(() => new SecretsManagerClient({}), process.env.PRIVACY_SECRET_ARN),
  ),
  // Identity rules ship with the code (config/identity.json), validated at the first invocation.
  config: parseIdentityConfig(identityJson),
}));
// Made at the first failure only: nothing of it on a cold start that fails nothing.
const failures = lazy(() => new DynamoFailureLog(new DynamoDBClient({}), requireEnv('TABLE_NAME')));

/**
 * One message: a small batch of records, resolved in order. A failure fails the message; the records already applied
 * are recognised as duplicates when it is redelivered.
 */
async function recordHandler(message: SQSRecord): Promise<void> {
  const { store, config, suppression } = deps();
  const records = decodeRecords(message.body);
  let applied = 0;
  let merges = 0;
  let suppressed = 0;
  let unknownOrders = 0;
  for (const record of records) {
    const outcome = await resolveRecord(store, record, config, suppression);
    if (outcome.result === 'applied') applied++;
    if (outcome.result === 'suppressed') suppressed++;
    if (outcome.result === 'unknownOrder') unknownOrders++;
    merges += outcome.merged.length;
  }
  if (suppressed > 0) logger.info('records of erased people dropped', { messageId: message.messageId, suppressed, ...correlationIds(records) });
  // A binned order no profile holds: it never arrived here (placed before the webhook was set up), or its person was erased.
  if (unknownOrders > 0) logger.info('changes to orders no profile holds left nothing to change', { messageId: message.messageId, unknownOrders, ...correlationIds(records) });
  logger.debug('records resolved', { messageId: message.messageId, records: records.length, applied, merges, suppressed, unknownOrders, ...correlationIds(records) });
}

/**
 * What ties a message's records to the stage before: a webhook's delivery id, an import's object key hash (the
 * `objectKeyHash` of the importer's "import finished" line). Searching the log groups for one follows it end to end.
 */
export function correlationIds(records: readonly CanonicalRecord[]): { deliveryIds?: string[]; objectKeyHashes?: string[] } {
  const deliveries = new Set<string>();
  const objects = new Set<string>();
  for (const r of records) {
    if (r.lineage.deliveryId) deliveries.add(r.lineage.deliveryId);
    else objects.add(objectKeyHash(r.lineage.objectKey));
  }
  return { ...(deliveries.size > 0 ? { deliveryIds: [...deliveries].slice(0, 10) } : {}), ...(objects.size > 0 ? { objectKeyHashes: [...objects].slice(0, 10) } : {}) };
}

export const handler = sqsBatchHandler('records', recordHandler, failures, (m) => correlationIds(decodeRecords(m.body)));
