import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import identityJson from '../../config/identity.json' with { type: 'json' };
import { DynamoProfileStore, documentClient } from '../adapters/dynamo-profile-store.ts';
import { DynamoFailureLog } from '../adapters/failure-log.ts';
import { DynamoRequestLog, DynamoSuppressionList, PrivacySalt } from '../adapters/privacy-stores.ts';
import { SqsDeadLetterRecords } from '../adapters/sqs-dead-letters.ts';
import { SqsWorkQueue } from '../adapters/sqs-work-queue.ts';
import { directoryLinks, presignedLinks, S3Vault } from '../adapters/s3-vault.ts';
import { parseIdentityConfig } from '../domain/identity-config.ts';
import { requireEnv } from '../shared/env.ts';
import type { PrivacyDeps } from '../usecases/privacy-requests.ts';

/**
 * What the privacy functions work with, from their environment. CDP_BUNDLE_DIR (set by the local twin) hands access
 * bundles over as files in that directory instead of presigned links.
 */
export function privacyDeps(env: NodeJS.ProcessEnv = process.env): PrivacyDeps {
  const db = new DynamoDBClient({});
  const tableName = requireEnv('TABLE_NAME', env);
  const bundleDir = env.CDP_BUNDLE_DIR;
  const sqs = new SQSClient({});
  return {
    log: new DynamoRequestLog(db, tableName),
    suppression: new DynamoSuppressionList(db, tableName),
    salt: new PrivacySalt(() => new SecretsManagerClient({}), env.PRIVACY_SECRET_ARN, env),
    work: new SqsWorkQueue(sqs, requireEnv('DSR_QUEUE_URL', env)),
    ...(env.RECORDS_DLQ_URL ? { deadLetters: new SqsDeadLetterRecords(sqs, env.RECORDS_DLQ_URL, undefined, new DynamoFailureLog(db, tableName)) } : {}),
    profiles: new DynamoProfileStore(documentClient(), tableName),
    config: parseIdentityConfig(identityJson),
    vault: new S3Vault(new S3Client({}), bundleDir ? directoryLinks(bundleDir) : presignedLinks),
    buckets: { landing: env.LANDING_BUCKET ?? '', raw: env.RAW_BUCKET ?? '', exports: env.EXPORTS_BUCKET ?? '' },
    now: () => new Date(),
  };
}
