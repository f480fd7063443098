import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { CanonicalRecord } from '../domain/canonical.ts';
import type { ProfileAttributes } from '../domain/resolve.ts';
import type { ProfileStore, StoredProfile } from '../ports/index.ts';

/**
 * A document client with the default SDK settings (region, endpoint and credentials from the environment, as in
 * Lambda); undefined attributes are dropped rather than rejected.
 */
export const documentClient = (): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });

/** Key layout of the single table (ARCHITECTURE.md, "Stores"). */
export const keys = {
  identity: (identifierKey: string) => ({ pk: `ID#${identifierKey}`, sk: 'ID' }),
  profile: (profileId: string) => ({ pk: `PROFILE#${profileId}`, sk: 'PROFILE' }),
  event: (profileId: string, occurredAt: string, recordId: string) => ({
    pk: `PROFILE#${profileId}`,
    sk: `EVENT#${occurredAt}#${recordId}`,
  }),
  lineage: (profileId: string, objectKey: string) => ({ pk: `PROFILE#${profileId}`, sk: `LINEAGE#${objectKey}` }),
  record: (recordId: string) => ({ pk: `RECORD#${recordId}`, sk: 'RECORD' }),
};

const isConditionFailure = (e: unknown): boolean => e instanceof Error && e.name === 'ConditionalCheckFailedException';

export class DynamoProfileStore implements ProfileStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async findOwners(identifierKeys: readonly string[]): Promise<Map<string, string>> {
    const owners = new Map<string, string>();
    const unique = [...new Set(identifierKeys)];
    for (let i = 0; i < unique.length; i += 100) {
      let request: Record<string, { Keys: Record<string, string>[] }> | undefined = {
        [this.tableName]: { Keys: unique.slice(i, i + 100).map(keys.identity) },
      };
      while (request && Object.keys(request).length > 0) {
        const res = await this.db.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of res.Responses?.[this.tableName] ?? []) {
          owners.set(String(item.pk).slice(3), String(item.profileId));
        }
        request = res.UnprocessedKeys as typeof request;
      }
    }
    return owners;
  }

  async claim(identifierKey: string, profileId: string, recordId: string): Promise<string> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.identity(identifierKey), profileId, recordId, claimedAt: new Date().toISOString() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return profileId;
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      const res = await this.db.send(
        new GetCommand({ TableName: this.tableName, Key: keys.identity(identifierKey), ConsistentRead: true }),
      );
      return String(res.Item?.profileId);
    }
  }

  async getProfile(profileId: string): Promise<StoredProfile | undefined> {
    const res = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.profile(profileId), ConsistentRead: true }),
    );
    if (!res.Item) return undefined;
    return {
      profileId,
      attributes: (res.Item.attributes ?? {}) as ProfileAttributes,
      version: Number(res.Item.version ?? 0),
    };
  }

  async applyRecord(
    profile: StoredProfile | { profileId: string; version: 0 },
    record: CanonicalRecord,
    attributes: ProfileAttributes,
  ): Promise<'applied' | 'duplicate' | 'conflict'> {
    const { profileId, version } = profile;
    const now = new Date().toISOString();
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...keys.record(record.recordId), profileId, source: record.source, appliedAt: now },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: keys.profile(profileId),
                UpdateExpression:
                  'SET #attributes = :attributes, #version = :next, #status = if_not_exists(#status, :active), ' +
                  '#createdAt = if_not_exists(#createdAt, :now), #updatedAt = :now, #gsi1pk = :gsi1pk, #gsi1sk = :profileId ' +
                  'ADD #recordCount :one, #sources :source',
                ConditionExpression: version === 0 ? 'attribute_not_exists(pk)' : '#version = :version',
                ExpressionAttributeNames: {
                  '#attributes': 'attributes',
                  '#version': 'version',
                  '#status': 'status',
                  '#createdAt': 'createdAt',
                  '#updatedAt': 'updatedAt',
                  '#recordCount': 'recordCount',
                  '#sources': 'sources',
                  '#gsi1pk': 'gsi1pk',
                  '#gsi1sk': 'gsi1sk',
                },
                ExpressionAttributeValues: {
                  ':attributes': attributes,
                  ':next': version + 1,
                  ':active': 'active',
                  ':now': now,
                  ':one': 1,
                  ':source': new Set([record.source]),
                  ':gsi1pk': 'PROFILES',
                  ':profileId': profileId,
                  ...(version === 0 ? {} : { ':version': version }),
                },
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...keys.event(profileId, record.occurredAt, record.recordId),
                  recordId: record.recordId,
                  source: record.source,
                  channel: record.channel,
                  kind: record.kind,
                  occurredAt: record.occurredAt,
                  identifiers: record.identifiers,
                  lineage: record.lineage,
                },
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...keys.lineage(profileId, record.lineage.objectKey),
                  objectKey: record.lineage.objectKey,
                  source: record.source,
                  lastSeenAt: now,
                },
              },
            },
          ],
        }),
      );
      return 'applied';
    } catch (e) {
      if (!(e instanceof TransactionCanceledException)) throw e;
      const reasons = e.CancellationReasons ?? [];
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'duplicate';
      if (reasons[1]?.Code === 'ConditionalCheckFailed' || reasons.some((r) => r.Code === 'TransactionConflict')) {
        return 'conflict';
      }
      throw e;
    }
  }
}
