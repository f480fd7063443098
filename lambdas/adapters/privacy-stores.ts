import { type AttributeValue, BatchGetItemCommand, type BatchGetItemCommandOutput, type DynamoDBClient, PutItemCommand, QueryCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { applyEvent, foldRequest, type RequestEvent, type RequestState } from '../domain/privacy/request.ts';
import { suppressionHash } from '../domain/privacy/hash.ts';
import type { RequestLog, SaltSource, SuppressionCheck, SuppressionList } from '../ports/privacy.ts';
import { ConfigurationError } from '../shared/errors.ts';

/** Keys of the privacy items in the single table (ARCHITECTURE.md, "Stores"). */
export const SUPPRESS_KEY_PREFIX = 'SUPPRESS#';
const suppressKey = (hash: string) => ({ pk: { S: `${SUPPRESS_KEY_PREFIX}${hash}` }, sk: { S: 'SUPPRESS' } });
const SUPPRESSED_INDEX_KEY = 'SUPPRESSED';
const REQUESTS_INDEX_KEY = 'DSRS';
const requestKey = (id: string) => ({ pk: { S: `DSR#${id}` }, sk: { S: 'REQUEST' } });
const eventKey = (id: string, n: number) => ({ pk: { S: `DSR#${id}` }, sk: { S: `EVENT#${String(n).padStart(6, '0')}` } });

const isConditionFailure = (e: unknown): boolean =>
  e instanceof Error && (e.name === 'ConditionalCheckFailedException' || e.name === 'TransactionCanceledException');

type Key = Record<string, AttributeValue>;

/** BatchGetItem in pages of 100 keys, retrying unprocessed keys. */
async function batchGetAll(db: DynamoDBClient, table: string, keys: readonly Key[], options: { ConsistentRead?: boolean; ProjectionExpression?: string }): Promise<Key[]> {
  const out: Key[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let pending: Key[] | undefined = keys.slice(i, i + 100);
    while (pending && pending.length > 0) {
      const res: BatchGetItemCommandOutput = await db.send(new BatchGetItemCommand({ RequestItems: { [table]: { Keys: pending, ...options } } }));
      out.push(...(res.Responses?.[table] ?? []));
      pending = res.UnprocessedKeys?.[table]?.Keys;
    }
  }
  return out;
}

/** Requests and their event logs on the plain DynamoDB client; the folded state is kept beside the log for listing. */
export class DynamoRequestLog implements RequestLog {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async create(requestId: string, event: Extract<RequestEvent, { type: 'received' }>): Promise<'created' | 'exists'> {
    const state = applyEvent(undefined, event, requestId);
    try {
      await this.db.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: this.tableName, Item: this.requestItem(state), ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName: this.tableName, Item: { ...eventKey(requestId, 1), event: { S: JSON.stringify(event) } } } },
          ],
        }),
      );
      return 'created';
    } catch (e) {
      if (isConditionFailure(e)) return 'exists';
      throw e;
    }
  }

  private requestItem(state: RequestState) {
    return {
      ...requestKey(state.requestId),
      state: { S: JSON.stringify(state) },
      events: { N: String(state.events) },
      gsi1pk: { S: REQUESTS_INDEX_KEY },
      gsi1sk: { S: `${state.receivedAt}#${state.requestId}` },
    };
  }

  async read(requestId: string): Promise<RequestState | undefined> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
      ExpressionAttributeValues: { ':pk': { S: `DSR#${requestId}` }, ':e': { S: 'EVENT#' } },
    });
    return foldRequest(requestId, items.map((i) => JSON.parse(i.event!.S!) as RequestEvent));
  }

  async append(state: RequestState, event: RequestEvent): Promise<RequestState | 'conflict'> {
    const next = applyEvent(state, event, state.requestId);
    try {
      await this.db.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...eventKey(state.requestId, next.events), event: { S: JSON.stringify(event) } },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: this.requestItem(next),
                ConditionExpression: 'events = :n',
                ExpressionAttributeValues: { ':n': { N: String(state.events) } },
              },
            },
          ],
        }),
      );
      return next;
    } catch (e) {
      if (isConditionFailure(e)) return 'conflict';
      throw e;
    }
  }

  async list(): Promise<RequestState[]> {
    const keys = await this.queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': { S: REQUESTS_INDEX_KEY } },
    });
    const items = await batchGetAll(
      this.db,
      this.tableName,
      keys.map((k) => ({ pk: { S: k.pk!.S! }, sk: { S: 'REQUEST' } })),
      {},
    );
    const out = items.map((item) => JSON.parse(item.state!.S!) as RequestState);
    return out;
  }

  private async queryAll(input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>) {
    const out: Record<string, AttributeValue>[] = [];
    let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const res = await this.db.send(new QueryCommand({ TableName: this.tableName, ...input, ExclusiveStartKey }));
      out.push(...(res.Items ?? []));
      ExclusiveStartKey = res.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return out;
  }
}

/** The suppression list: one item per salted hash, listed through the keys-only index. */
export class DynamoSuppressionList implements SuppressionList {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async add(hashes: readonly string[], requestId: string, at: string): Promise<void> {
    for (const hash of new Set(hashes)) {
      await this.db.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { ...suppressKey(hash), requestId: { S: requestId }, at: { S: at }, gsi1pk: { S: SUPPRESSED_INDEX_KEY }, gsi1sk: { S: hash } },
        }),
      );
    }
  }

  async containsAny(hashes: readonly string[]): Promise<boolean> {
    const found = await batchGetAll(this.db, this.tableName, [...new Set(hashes)].map(suppressKey), { ConsistentRead: true, ProjectionExpression: 'pk' });
    return found.length > 0;
  }

  async all(): Promise<ReadonlySet<string>> {
    const out = new Set<string>();
    let ExclusiveStartKey: Record<string, never> | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :p',
          ExpressionAttributeValues: { ':p': { S: SUPPRESSED_INDEX_KEY } },
          ExclusiveStartKey,
        }),
      );
      for (const item of res.Items ?? []) out.add(item.gsi1sk!.S!);
      ExclusiveStartKey = res.LastEvaluatedKey as Record<string, never> | undefined;
    } while (ExclusiveStartKey);
    return out;
  }
}

/** Environment variable that sets the salt directly (the local twin; in AWS it comes from Secrets Manager). */
export const SALT_ENV = 'CDP_SUPPRESSION_SALT';

/** The salt: CDP_SUPPRESSION_SALT, else the `suppressionSalt` key of the stack's privacy secret (read once). */
export class PrivacySalt implements SaltSource {
  private value?: Promise<string>;
  constructor(
    private readonly sm: () => SecretsManagerClient,
    private readonly secretId: string | undefined,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  get(): Promise<string> {
    this.value ??= this.load().catch((e: unknown) => {
      this.value = undefined;
      throw e;
    });
    return this.value;
  }

  private async load(): Promise<string> {
    const fromEnv = this.env[SALT_ENV];
    if (fromEnv) return fromEnv;
    if (!this.secretId) throw new ConfigurationError(`Missing ${SALT_ENV} or PRIVACY_SECRET_ARN`);
    const res = await this.sm().send(new GetSecretValueCommand({ SecretId: this.secretId }));
    const salt = (JSON.parse(res.SecretString ?? '{}') as { suppressionSalt?: string }).suppressionSalt;
    if (!salt) throw new ConfigurationError('The privacy secret has no suppressionSalt');
    return salt;
  }
}

/** Point reads of the list (webhooks, the resolver): consistent, so an erasure's hashes are seen at once. */
export class SuppressionLookup implements SuppressionCheck {
  constructor(
    private readonly list: Pick<SuppressionList, 'containsAny'>,
    private readonly salt: SaltSource,
  ) {}

  async isSuppressed(identifierKeys: readonly string[]): Promise<boolean> {
    if (identifierKeys.length === 0) return false;
    const salt = await this.salt.get();
    return this.list.containsAny(identifierKeys.map((k) => suppressionHash(salt, k)));
  }
}

/** The whole list in memory (imports: one query, then every row checked without a request); undefined when empty. */
export async function loadSuppression(list: Pick<SuppressionList, 'all'>, salt: SaltSource): Promise<((identifierKeys: readonly string[]) => boolean) | undefined> {
  const hashes = await list.all();
  if (hashes.size === 0) return undefined;
  const s = await salt.get();
  return (keys) => keys.some((k) => hashes.has(suppressionHash(s, k)));
}
