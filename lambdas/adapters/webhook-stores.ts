import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { secretEnvVar } from '../domain/webhooks/receive.ts';
import type { ObjectStore } from '../ports/index.ts';
import { type DeliveryLog, InvalidSourceFileError, type PrivacyQueue, type PrivacyRequestMessage, type SecretStore, type SourceFiles } from '../usecases/ingest-webhook.ts';

/** Keys of the delivery log in the single table (the webhook role may write nothing else: IAM LeadingKeys). */
export const DELIVERY_KEY_PREFIX = 'WEBHOOK#';
const deliveryKey = (source: string, hash: string) => ({ pk: { S: `${DELIVERY_KEY_PREFIX}${source}#${hash}` }, sk: { S: 'DELIVERY' } });

/** The delivery log on the plain DynamoDB client (two small items; the document client would only add cold-start time). */
export class DynamoDeliveryLog implements DeliveryLog {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async seen(source: string, hash: string): Promise<boolean> {
    const res = await this.db.send(new GetItemCommand({ TableName: this.tableName, Key: deliveryKey(source, hash), ConsistentRead: true, ProjectionExpression: 'pk' }));
    return res.Item !== undefined;
  }

  async remember(source: string, hash: string, deliveryId: string, expiresAt: Date): Promise<void> {
    await this.db.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: { ...deliveryKey(source, hash), deliveryId: { S: deliveryId }, expiresAt: { N: String(Math.floor(expiresAt.getTime() / 1000)) } },
      }),
    );
  }
}

const CACHE_MS = 60_000;

/** How long a source file is cached: `SOURCE_FILE_CACHE_SECONDS` when it is a number of seconds, else a minute. */
export function sourceFileCacheMs(setting: string | undefined): number {
  const seconds = setting === undefined || setting.trim() === '' ? Number.NaN : Number(setting);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : CACHE_MS;
}

/**
 * A source's file from the landing bucket's `mappings/<source>.json` (where imports read it too), cached a minute (or
 * `cacheMs`: the local twin, which copies a changed file at once, keeps it a second).
 */
export class BucketSourceFiles implements SourceFiles {
  private readonly cache = new Map<string, { at: number; value: unknown }>();

  constructor(
    private readonly objects: ObjectStore,
    private readonly bucket: string,
    private readonly nowMs: () => number = Date.now,
    private readonly cacheMs = CACHE_MS,
  ) {}

  async get(source: string): Promise<unknown> {
    const hit = this.cache.get(source);
    if (hit && this.nowMs() - hit.at < this.cacheMs) return hit.value;
    const text = await this.objects.getText(this.bucket, `mappings/${source}.json`);
    let value: unknown;
    try {
      value = text === undefined ? undefined : JSON.parse(text);
    } catch {
      throw new InvalidSourceFileError(`mappings/${source}.json is not JSON`);
    }
    this.cache.set(source, { at: this.nowMs(), value });
    return value;
  }
}

/**
 * Webhook secrets: `CDP_WEBHOOK_SECRET_<NAME>` from the environment first (the local twin, or a user's override),
 * then one key of the stack's Secrets Manager secret (a JSON object of name -> secret), cached five minutes.
 */
export class WebhookSecrets implements SecretStore {
  private cached?: { at: number; values: Record<string, string> };

  constructor(
    private readonly sm: SecretsManagerClient | undefined,
    private readonly secretId: string | undefined,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async get(name: string): Promise<string | undefined> {
    const fromEnv = this.env[secretEnvVar(name)];
    if (fromEnv) return fromEnv;
    if (!this.sm || !this.secretId) return undefined;
    if (!this.cached || this.nowMs() - this.cached.at > 5 * CACHE_MS) {
      const res = await this.sm.send(new GetSecretValueCommand({ SecretId: this.secretId }));
      let values: Record<string, string> = {};
      try {
        const parsed = JSON.parse(res.SecretString ?? '{}') as unknown;
        if (parsed && typeof parsed === 'object') values = parsed as Record<string, string>;
      } catch {
        values = {};
      }
      this.cached = { at: this.nowMs(), values };
    }
    const v = this.cached.values[name];
    return typeof v === 'string' && v !== '' ? v : undefined;
  }
}

/** Data-subject requests from vendors, for the privacy capability's worker (the DSR queue). */
export class SqsPrivacyQueue implements PrivacyQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(requests: readonly PrivacyRequestMessage[]): Promise<void> {
    for (let i = 0; i < requests.length; i += 10) {
      const entries = requests.slice(i, i + 10).map((r, j) => ({ Id: String(j), MessageBody: JSON.stringify({ cdpPrivacyRequest: r }) }));
      const res = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }));
      if ((res.Failed ?? []).length > 0) throw new Error(`SQS refused ${res.Failed!.length} privacy request(s)`);
    }
  }
}
