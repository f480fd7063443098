import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { DynamoFailureLog } from '../adapters/failure-log.ts';
import { lazy, requireEnv } from '../shared/env.ts';
import { logger } from '../shared/logger.ts';
import { sqsBatchHandler } from '../shared/sqs-batch.ts';
import { importBeside } from '../shared/threads.ts';
import type { LakeEraser, PrivacyWork } from '../ports/privacy.ts';
import type { PrivacyRequestMessage } from '../usecases/ingest-webhook.ts';
import { InvalidRequestError, processWork, submitRequest } from '../usecases/privacy.ts';
import { privacyDeps } from './privacy-deps.ts';

/** The lake erasure, loaded beside the handler on the first erasure that needs it (see privacy-lake.ts). */
const eraseFromLake: LakeEraser = async (...args) => (await importBeside<typeof import('./privacy-lake.ts')>('privacy-lake', import.meta.url)).eraseFromLake(...args);

const deps = lazy(() => {
  const lake = process.env.LAKE_BUCKET;
  return { ...privacyDeps(), ...(lake ? { lake: { bucket: lake, erase: eraseFromLake } } : {}) };
});
const failures = lazy(() => new DynamoFailureLog(new DynamoDBClient({}), requireEnv('TABLE_NAME')));

/**
 * One message of the DSR queue: a request a vendor sent through a webhook (recorded, then worked like any other), or
 * a request's work order. A failure leaves the request `failed` and the message to be retried, then dead-lettered.
 */
async function recordHandler(message: SQSRecord): Promise<void> {
  const body = JSON.parse(message.body) as { cdpPrivacyRequest?: PrivacyRequestMessage; cdpPrivacyWork?: PrivacyWork };
  const d = deps();
  if (body.cdpPrivacyRequest) {
    const r = body.cdpPrivacyRequest;
    try {
      const submitted = await submitRequest(d, {
        type: r.type,
        identifiers: r.identifiers,
        ...(r.reference ? { reference: r.reference } : {}),
        requester: `webhook:${r.source}`,
        origin: `webhook:${r.source}:${r.origin.topic}`,
        scope: r.scope,
        ...(r.scope === 'source' ? { scopeSource: r.source } : {}),
        at: r.receivedAt,
      });
      logger.info('vendor privacy request recorded', { requestId: submitted.requestId, type: r.type, source: r.source, created: submitted.created });
    } catch (e) {
      // A vendor's request that names nobody cannot be worked; it is logged (without identifiers), not retried.
      if (e instanceof InvalidRequestError) logger.warn('vendor privacy request refused', { source: r.source, reason: e.message });
      else throw e;
    }
    return;
  }
  if (body.cdpPrivacyWork) {
    const state = await processWork(d, body.cdpPrivacyWork);
    logger.info('privacy request worked', { requestId: body.cdpPrivacyWork.requestId, type: state?.requestType, status: state?.status });
    return;
  }
  logger.warn('unknown message on the DSR queue', { messageId: message.messageId });
}

export const handler = sqsBatchHandler('dsr', recordHandler, failures);
