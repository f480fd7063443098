import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMESPACE, WEBHOOKS } from '../shared/metrics.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DynamoSuppressionList, PrivacySalt, SuppressionLookup } from '../adapters/privacy-stores.ts';
import { S3ObjectStore } from '../adapters/s3-object-store.ts';
import { SqsRecordQueue } from '../adapters/sqs-record-queue.ts';
import { BucketSourceFiles, DynamoDeliveryLog, SqsPrivacyQueue, sourceFileCacheMs, WebhookSecrets } from '../adapters/webhook-stores.ts';
import { lazy, requireEnv } from '../shared/env.ts';
import { logger, withContext } from '../shared/logger.ts';
import { receiveWebhook, type WebhookDeps } from '../usecases/ingest-webhook.ts';

const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: WEBHOOKS.service });

const deps = lazy((): WebhookDeps => {
  const objects = new S3ObjectStore(new S3Client({}));
  const sqs = new SQSClient({});
  const secretId = process.env.WEBHOOK_SECRETS_ARN;
  const db = new DynamoDBClient({});
  return {
    sources: new BucketSourceFiles(objects, requireEnv('LANDING_BUCKET'), Date.now, sourceFileCacheMs(process.env.SOURCE_FILE_CACHE_SECONDS)),
    secrets: new WebhookSecrets(secretId ? new SecretsManagerClient({}) : undefined, secretId),
    deliveries: new DynamoDeliveryLog(db, requireEnv('TABLE_NAME')),
    objects,
    rawBucket: requireEnv('RAW_BUCKET'),
    records: new SqsRecordQueue(sqs, requireEnv('RECORDS_QUEUE_URL')),
    privacy: new SqsPrivacyQueue(sqs, requireEnv('DSR_QUEUE_URL')),
    now: () => new Date(),
    suppression: new SuppressionLookup(
      new DynamoSuppressionList(db, requireEnv('TABLE_NAME')),
      new PrivacySalt(() => new SecretsManagerClient({}), process.env.PRIVACY_SECRET_ARN),
    ),
  };
});

/**
 * POST /webhooks/{source} (and GET, with which Mailchimp validates a URL). Unauthenticated at the API: each vendor's
 * signature (or a token) is checked here, on the raw bytes. Logs and metrics carry the source, vendor, topic and
 * outcome, never the payload.
 */
export const makeHandler =
  (dependencies: () => WebhookDeps) =>
  async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const source = event.pathParameters?.source ?? '';
  const body = event.body === undefined ? new Uint8Array() : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) query[k] = v;
  const outcome = await receiveWebhook(dependencies(), source, { method: event.requestContext?.http?.method ?? 'POST', headers, query, body });
  logger.info('webhook', {
    source: outcome.status === 404 ? undefined : source,
    vendor: outcome.vendor,
    topic: outcome.topic,
    status: outcome.status,
    outcome: outcome.metric,
    reason: outcome.reason,
    unmapped: outcome.unmapped,
    bytes: body.length,
    // The vendor's delivery id (or its hash): what the raw body, the records' lineage and a quarantine entry carry.
    deliveryId: typeof outcome.body.deliveryId === 'string' ? outcome.body.deliveryId : undefined,
    requestId: event.requestContext?.requestId,
  });
  const single = metrics.singleMetric();
  single.addDimension('outcome', outcome.metric);
  single.addMetric(WEBHOOKS.name, MetricUnit.Count, 1);
  return { statusCode: outcome.status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: JSON.stringify(outcome.body) };
};

export const handler = withContext(makeHandler(deps));
