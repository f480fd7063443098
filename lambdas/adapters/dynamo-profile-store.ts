import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  type BatchGetCommandOutput,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { MatchSnapshot } from '../domain/matching.ts';
import type { ProfileState } from '../domain/profile.ts';
import { emptyProfile, orderVersion } from '../domain/profile.ts';
import type { SplitPlan } from '../domain/split.ts';
import type {
  DuplicateCandidate,
  FiledSnapshot,
  IdentityItem,
  ProfileItem,
  ProfileStore,
  RecordWrite,
  StoredOrder,
  StoredProfile,
  TimelineEntry,
} from '../ports/profiles.ts';

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
  event: (profileId: string, occurredAt: string, recordId: string) => ({ pk: `PROFILE#${profileId}`, sk: `EVENT#${occurredAt}#${recordId}` }),
  order: (profileId: string, orderKey: string) => ({ pk: `PROFILE#${profileId}`, sk: `ORDER#${orderKey}` }),
  consent: (profileId: string, purpose: string) => ({ pk: `PROFILE#${profileId}`, sk: `CONSENT#${purpose}` }),
  record: (recordId: string) => ({ pk: `RECORD#${recordId}`, sk: 'RECORD' }),
  /** A record's match snapshot under one (hashed) blocking key. */
  block: (blockKey: string, recordId: string) => ({ pk: `BLOCK#${blockKey}`, sk: recordId }),
  duplicate: (pairId: string) => ({ pk: 'DUPLICATES', sk: pairId }),
};

/** Listing index of active profiles (the `gsi1` of the table definition). */
export const ACTIVE_PROFILES = 'PROFILES';

/**
 * A whole order's entry in the `gsi1` index (one line of an order has none): its source and id, under the profile
 * holding it. The id is the one a change that names no person gives: the vendor's own (`ref`) where the order is
 * known by another (Shopify's numeric id beside its name), else the order's. Written with the order item wherever it
 * is written or moved to, so such a change finds its profile; erasing the profile's items takes the entries with them.
 */
const orderIndexKey = (source: string, id: string): string => `ORDER#${source}#${id}`;
function orderIndex(
  profileId: string,
  item: { readonly sk?: unknown; readonly source?: unknown; readonly orderId?: unknown; readonly ref?: unknown; readonly line?: unknown },
): { gsi1pk?: string; gsi1sk?: string } {
  if (item.sk !== undefined && !String(item.sk).startsWith('ORDER#')) return {};
  if (typeof item.source !== 'string' || typeof item.orderId !== 'string' || item.line !== undefined) return {};
  return { gsi1pk: orderIndexKey(item.source, typeof item.ref === 'string' ? item.ref : item.orderId), gsi1sk: profileId };
}

const isConditionFailure = (e: unknown): boolean => e instanceof Error && e.name === 'ConditionalCheckFailedException';

/** Runs a conditional write: 'conflict' when its condition did not hold, any other error thrown. */
async function conditional(write: () => Promise<unknown>): Promise<'ok' | 'conflict'> {
  try {
    await write();
    return 'ok';
  } catch (e) {
    if (isConditionFailure(e)) return 'conflict';
    throw e;
  }
}
const reasonsOf = (e: unknown): { Code?: string }[] | undefined =>
  e instanceof TransactionCanceledException || (e instanceof Error && e.name === 'TransactionCanceledException')
    ? ((e as TransactionCanceledException).CancellationReasons ?? [])
    : undefined;

export class DynamoProfileStore implements ProfileStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async batchGet(keyList: { pk: string; sk: string }[]): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < keyList.length; i += 100) {
      let request: Record<string, { Keys: Record<string, string>[]; ConsistentRead: boolean }> | undefined = {
        [this.tableName]: { Keys: keyList.slice(i, i + 100), ConsistentRead: true },
      };
      while (request && Object.keys(request).length > 0) {
        const res: BatchGetCommandOutput = await this.db.send(new BatchGetCommand({ RequestItems: request }));
        out.push(...(res.Responses?.[this.tableName] ?? []));
        const unprocessed: { Keys?: Record<string, unknown>[] } | undefined = res.UnprocessedKeys?.[this.tableName];
        request = unprocessed?.Keys?.length ? { [this.tableName]: { Keys: unprocessed.Keys as Record<string, string>[], ConsistentRead: true } } : undefined;
      }
    }
    return out;
  }

  async getIdentities(identifierKeys: readonly string[]): Promise<Map<string, IdentityItem>> {
    const items = await this.batchGet([...new Set(identifierKeys)].map(keys.identity));
    return new Map(
      items.map((i) => [
        String(i.pk).slice(3),
        { key: String(i.pk).slice(3), owners: (i.owners as string[]) ?? [], carriers: (i.carriers as string[] | undefined) ?? [], version: Number(i.v ?? 0) },
      ]),
    );
  }

  async getProfiles(ids: readonly string[]): Promise<Map<string, StoredProfile>> {
    const items = await this.batchGet([...new Set(ids)].map(keys.profile));
    return new Map(items.map((i) => [String(i.pk).slice(8), toProfile(i)]));
  }

  async repointIdentity(key: string, from: string, to: string): Promise<void> {
    await this.replaceOwner(key, from, [to]);
  }

  async applyRecord(profileId: string, version: number, write: RecordWrite): Promise<'applied' | 'duplicate' | 'conflict'> {
    const { record, state } = write;
    const now = new Date().toISOString();
    const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.record(record.recordId), profileId, source: record.source, appliedAt: now },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      version === 0
        ? { Put: { TableName: this.tableName, Item: profileItem(profileId, state, 1, now), ConditionExpression: 'attribute_not_exists(pk)' } }
        : { Update: this.stateUpdate(profileId, version, state, now) },
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.event(profileId, record.occurredAt, record.recordId),
            recordId: record.recordId,
            source: record.source,
            kind: record.kind,
            occurredAt: record.occurredAt,
            // The timeline event carries the record's lineage (where its raw bytes are), identifiers, what it said of
            // its person and blocked links: what access, erasure and unmerge need. Compressed: DynamoDB bills writes
            // per KB.
            e: pack({
              channel: record.channel,
              // Only where it ranks the record's values (see knownAt): a row dated after it reached the product.
              ...(record.occurredAt > record.receivedAt ? { receivedAt: record.receivedAt } : {}),
              identifiers: record.identifiers,
              lineage: record.lineage,
              ...(record.interaction ? { interaction: record.interaction } : {}),
              ...(record.order ? { order: record.order } : {}),
              ...(record.consents ? { consents: record.consents } : {}),
              ...(record.lead ? { lead: record.lead } : {}),
              ...(record.person ? { person: record.person } : {}),
              ...(record.company ? { company: record.company } : {}),
              ...(record.address ? { address: record.address } : {}),
              ...(record.attributes ? { attributes: record.attributes } : {}),
              ...(write.blocked.length > 0 ? { blocked: write.blocked } : {}),
              ...(write.blocks?.length ? { blocks: write.blocks } : {}),
            }),
          },
        },
      },
    ];
    for (const [as, notes] of [['owners', write.claims], ['carriers', write.carries ?? []]] as const) {
      for (const { key, expected } of notes) {
        if (expected?.owners.includes(profileId) || (as === 'carriers' && expected?.carriers.includes(profileId))) continue;
        items.push(
          expected
            ? {
                Update: {
                  TableName: this.tableName,
                  Key: keys.identity(key),
                  UpdateExpression: `SET ${as} = :list, v = :next`,
                  ConditionExpression: 'v = :v',
                  ExpressionAttributeValues: { ':list': [...expected[as], profileId], ':next': expected.version + 1, ':v': expected.version },
                },
              }
            : {
                Put: {
                  TableName: this.tableName,
                  Item: { ...keys.identity(key), ...(as === 'owners' ? { owners: [profileId] } : { owners: [], carriers: [profileId] }), v: 1, claimedAt: now },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
        );
      }
    }
    if (write.order) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: { ...keys.order(profileId, write.order.key), ...write.order.item, ...orderIndex(profileId, write.order.item) },
          ConditionExpression: write.order.expectedRecordId ? 'recordId = :expected' : 'attribute_not_exists(pk)',
          ...(write.order.expectedRecordId ? { ExpressionAttributeValues: { ':expected': write.order.expectedRecordId } } : {}),
        },
      });
    }
    for (const c of record.consents ?? []) {
      if (state.consents[c.purpose]?.r !== record.recordId) continue;
      items.push({ Put: { TableName: this.tableName, Item: { ...keys.consent(profileId, c.purpose), ...c, source: record.source, recordId: record.recordId } } });
    }
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return 'applied';
    } catch (e) {
      const reasons = reasonsOf(e);
      if (!reasons) throw e;
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'duplicate';
      if (reasons.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict')) return 'conflict';
      throw e;
    }
  }

  async markMerging(other: string, into: string, version: number, intoVersion?: number): Promise<'ok' | 'conflict'> {
    return this.transactConditional([
      // The survivor notes the merge as incoming: an unmerge does not begin while it is (it finishes the merge first).
      // Its version stays: merges into one survivor at once do not contend.
      { Update: this.noteIncoming(into, other, intoVersion) },
      {
        Update: {
          TableName: this.tableName,
          Key: keys.profile(other),
          UpdateExpression: 'SET #s = :merging, #into = :into, #v = :next',
          ConditionExpression: '#s = :active AND #v = :v',
          ExpressionAttributeNames: { '#s': 'status', '#into': 'into', '#v': 'version' },
          ExpressionAttributeValues: { ':merging': 'merging', ':active': 'active', ':into': into, ':v': version, ':next': version + 1 },
        },
      },
    ]);
  }

  async retargetMerge(other: string, from: string, to: string): Promise<'ok' | 'conflict'> {
    return this.transactConditional([
      {
        Update: {
          TableName: this.tableName,
          Key: keys.profile(other),
          UpdateExpression: 'SET #into = :to',
          ConditionExpression: '#s = :merging AND #into = :from',
          ExpressionAttributeNames: { '#s': 'status', '#into': 'into' },
          ExpressionAttributeValues: { ':merging': 'merging', ':from': from, ':to': to },
        },
      },
      { Update: this.noteIncoming(to, other) },
    ]);
  }

  /** The update that notes `other` as merging into `into`, while `into` is active (at `version` when given). */
  private noteIncoming(into: string, other: string, version?: number) {
    return {
      TableName: this.tableName,
      Key: keys.profile(into),
      UpdateExpression: 'ADD #in :other',
      ConditionExpression: version === undefined ? '#s = :active' : '#s = :active AND #v = :v',
      ExpressionAttributeNames: { '#in': 'incoming', '#s': 'status', ...(version === undefined ? {} : { '#v': 'version' }) },
      ExpressionAttributeValues: { ':other': new Set([other]), ':active': 'active', ...(version === undefined ? {} : { ':v': version }) },
    };
  }

  async forgetIncoming(profileId: string, others: readonly string[]): Promise<void> {
    if (others.length === 0) return;
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.profile(profileId),
        UpdateExpression: 'DELETE #in :others',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#in': 'incoming' },
        ExpressionAttributeValues: { ':others': new Set(others) },
      }),
    ).catch((e: unknown) => {
      if (!isConditionFailure(e)) throw e;
    });
  }

  /** Runs a transaction of conditional writes: 'conflict' when a condition did not hold or another transaction was in the way. */
  private async transactConditional(items: NonNullable<TransactWriteCommandInput['TransactItems']>): Promise<'ok' | 'conflict'> {
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return 'ok';
    } catch (e) {
      const reasons = reasonsOf(e);
      if (reasons?.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict')) return 'conflict';
      throw e;
    }
  }

  private async query(input: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(new QueryCommand({ TableName: this.tableName, ConsistentRead: true, ...input, ExclusiveStartKey }));
      out.push(...(res.Items ?? []));
      ExclusiveStartKey = res.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return out;
  }

  async listItems(profileId: string, prefix?: string): Promise<ProfileItem[]> {
    const items = await this.query(
      prefix
        ? { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :s)', ExpressionAttributeValues: { ':pk': `PROFILE#${profileId}`, ':s': prefix } }
        : { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `PROFILE#${profileId}` } },
    );
    // Index entries are the store's own: derived again wherever an item is written (orderIndex).
    return items.filter((i) => i.sk !== 'PROFILE').map(({ pk: _pk, gsi1pk: _ipk, gsi1sk: _isk, ...rest }) => rest as unknown as ProfileItem);
  }

  async profilesWithOrder(source: string, id: string): Promise<string[]> {
    const res = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :o',
        ExpressionAttributeValues: { ':o': orderIndexKey(source, id) },
      }),
    );
    return [...new Set((res.Items ?? []).map((i) => String(i.gsi1sk)))];
  }

  async listOrders(profileId: string): Promise<(StoredOrder & { sk: string })[]> {
    return (await this.listItems(profileId, 'ORDER#')) as unknown as (StoredOrder & { sk: string })[];
  }

  async *listProfiles(): AsyncIterable<StoredProfile> {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :p',
          ExpressionAttributeValues: { ':p': ACTIVE_PROFILES },
          ExclusiveStartKey,
        }),
      );
      // The index holds keys only; the profiles themselves are read in batches.
      const ids = (res.Items ?? []).map((i) => String(i.pk).slice(8));
      const profiles = await this.getProfiles(ids);
      for (const id of ids) {
        const p = profiles.get(id);
        if (p && (p.status === 'active' || p.status === 'merging' || (p.status === 'splitting' && !p.splitOf))) yield p;
      }
      ExclusiveStartKey = res.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }

  async listLineage(profileId: string): Promise<{ source: string; objectKey: string; recordKey: string; line?: number; deliveryId?: string }[]> {
    const events = await this.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
      ExpressionAttributeValues: { ':pk': `PROFILE#${profileId}`, ':e': 'EVENT#' },
      ProjectionExpression: '#src, e',
      ExpressionAttributeNames: { '#src': 'source' },
    });
    return events.map((e) => {
      const l = (unpack(e.e) as { lineage: { objectKey: string; recordKey: string; line?: number; deliveryId?: string } }).lineage;
      return { source: String(e.source), objectKey: l.objectKey, recordKey: l.recordKey, ...(l.line !== undefined ? { line: l.line } : {}), ...(l.deliveryId ? { deliveryId: l.deliveryId } : {}) };
    });
  }

  async moveItem(from: string, to: string, item: ProfileItem): Promise<'ok' | 'inactive'> {
    // Of two versions of an order or a consent, the survivor keeps the newer, as applyRecord decides it: an order by its
    // version (an order written before versions were kept has none, and any version replaces it), a consent as
    // `supersedes` does: a grant with no date of its own below every other decision, then by time, then a withdrawal
    // over a grant, then record id.
    const held = '(#u = :true AND #g = :true)';
    const newer: { ConditionExpression?: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, string | boolean> } = item.sk.startsWith('ORDER#')
      ? {
          ConditionExpression: 'attribute_not_exists(pk) OR attribute_not_exists(#v) OR #v < :v',
          ExpressionAttributeNames: { '#v': 'v' },
          ExpressionAttributeValues: { ':v': orderVersion(item as unknown as StoredOrder) },
        }
      : item.sk.startsWith('CONSENT#')
        ? {
            ConditionExpression:
              item.granted !== false && item.undated === true
                ? `attribute_not_exists(pk) OR (${held} AND (#at < :at OR (#at = :at AND recordId < :r)))`
                : `attribute_not_exists(pk) OR ${held} OR #at < :at OR (#at = :at AND ${item.granted === false ? '(#g = :true OR recordId < :r)' : '#g = :true AND recordId < :r'})`,
            ExpressionAttributeNames: { '#at': 'at', '#g': 'granted', '#u': 'undated' },
            ExpressionAttributeValues: { ':at': String(item.at ?? ''), ':r': String(item.recordId ?? ''), ':true': true },
          }
        : {};
    const transact = (withPut: boolean) =>
      this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.tableName,
                Key: keys.profile(to),
                ConditionExpression: '#s = :active',
                ExpressionAttributeNames: { '#s': 'status' },
                ExpressionAttributeValues: { ':active': 'active' },
              },
            },
            ...(withPut
              ? [
                  {
                    Put: {
                      TableName: this.tableName,
                      Item: { ...item, pk: `PROFILE#${to}`, ...orderIndex(to, item) },
                      ...newer,
                    },
                  },
                ]
              : []),
            // Only while the item is still here: one another finisher moved on (and an unmerge may have moved since) is
            // not written again.
            { Delete: { TableName: this.tableName, Key: { pk: `PROFILE#${from}`, sk: item.sk }, ConditionExpression: 'attribute_exists(pk)' } },
          ],
        }),
      );
    const gone = (reasons: { Code?: string }[]) => reasons[reasons.length - 1]?.Code === 'ConditionalCheckFailed';
    try {
      await transact(true);
      return 'ok';
    } catch (e) {
      const reasons = reasonsOf(e);
      if (!reasons) throw e;
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'inactive';
      if (gone(reasons)) return 'ok';
      if (reasons[1]?.Code === 'ConditionalCheckFailed') {
        // The survivor already holds a newer version of this order or consent: drop the older one.
        try {
          await transact(false);
          return 'ok';
        } catch (e2) {
          const reasons2 = reasonsOf(e2);
          if (reasons2?.[0]?.Code === 'ConditionalCheckFailed') return 'inactive';
          if (reasons2 && gone(reasons2)) return 'ok';
          throw e2;
        }
      }
      throw e;
    }
  }

  async timeline(profileId: string): Promise<TimelineEntry[]> {
    return (await this.listItems(profileId, 'EVENT#')).map(timelineEntry);
  }

  async recentTimeline(profileId: string, limit: number): Promise<TimelineEntry[]> {
    // Event keys sort by when the record happened: read backwards, one page.
    const res = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        ConsistentRead: true,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
        ExpressionAttributeValues: { ':pk': `PROFILE#${profileId}`, ':e': 'EVENT#' },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (res.Items ?? []).map(timelineEntry);
  }

  async updateState(profileId: string, version: number, state: ProfileState): Promise<'ok' | 'conflict'> {
    return conditional(() => this.db.send(new UpdateCommand(this.stateUpdate(profileId, version, state, new Date().toISOString()))));
  }

  /**
   * The update that writes an active profile's state at the version read. An update, not a put: the attributes it
   * does not name (the merges noted as incoming) stay. `incomingDone`: a merge that completes with it is no longer noted.
   */
  private stateUpdate(profileId: string, version: number, state: ProfileState, now: string, incomingDone?: string) {
    return {
      TableName: this.tableName,
      Key: keys.profile(profileId),
      UpdateExpression: `SET #state = :state, #v = :next, updatedAt = :now${incomingDone ? ' DELETE #in :done' : ''}`,
      ConditionExpression: '#v = :v AND #s = :active',
      ExpressionAttributeNames: { '#state': 'state', '#v': 'version', '#s': 'status', ...(incomingDone ? { '#in': 'incoming' } : {}) },
      ExpressionAttributeValues: {
        ':state': pack(state),
        ':next': version + 1,
        ':v': version,
        ':active': 'active',
        ':now': now,
        ...(incomingDone ? { ':done': new Set([incomingDone]) } : {}),
      },
    };
  }

  async beginErasure(profileId: string): Promise<StoredProfile | undefined> {
    try {
      const res = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.profile(profileId),
          // Every write to a profile is conditioned on it being active: from here on none lands.
          UpdateExpression: 'SET #s = :erasing, #v = #v + :one REMOVE gsi1pk, gsi1sk',
          // Not while an unmerge moves its items: the erasure would miss those already moved (it waits, then follows).
          ConditionExpression: 'attribute_exists(pk) AND #s <> :merged AND #s <> :splitting',
          ExpressionAttributeNames: { '#s': 'status', '#v': 'version' },
          ExpressionAttributeValues: { ':erasing': 'erasing', ':merged': 'merged', ':splitting': 'splitting', ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return res.Attributes ? toProfile(res.Attributes) : undefined;
    } catch (e) {
      if (isConditionFailure(e)) return undefined;
      throw e;
    }
  }

  async eraseProfile(
    profileId: string,
    recordIds: readonly string[],
    identifierKeys: readonly string[],
    filed: readonly { readonly recordId: string; readonly blocks: readonly string[] }[] = [],
  ) {
    const items = await this.query({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `PROFILE#${profileId}` }, ProjectionExpression: 'pk, sk' });
    const others = items.filter((i) => i.sk !== 'PROFILE').map((i) => ({ pk: String(i.pk), sk: String(i.sk) }));
    const snapshots = filed.flatMap((f) => f.blocks.map((b) => keys.block(b, f.recordId)));
    await this.batchDelete([...others, ...recordIds.map(keys.record), ...snapshots]);
    let identities = 0;
    let sharedIdentities = 0;
    for (const key of new Set(identifierKeys)) {
      const result = await this.replaceOwner(key, profileId, []);
      if (result === 'deleted') identities++;
      else if (result === 'kept') sharedIdentities++;
    }
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.profile(profileId) }));
    return { items: others.length + 1, records: recordIds.length, identities, sharedIdentities };
  }

  async fileSnapshot(blockKeys: readonly string[], recordId: string, snapshot: MatchSnapshot, profileId: string): Promise<void> {
    const s = JSON.stringify(snapshot);
    await this.batchWrite(blockKeys.map((b) => ({ PutRequest: { Item: { ...keys.block(b, recordId), s, at: profileId } } })));
  }

  async unfileSnapshot(blockKeys: readonly string[], recordId: string): Promise<void> {
    await this.batchDelete(blockKeys.map((b) => keys.block(b, recordId)));
  }

  async findSnapshots(blockKeys: readonly string[], limit: number, consistent = true): Promise<FiledSnapshot[]> {
    const found = new Map<string, FiledSnapshot>();
    const pages = await Promise.all(
      blockKeys.map((b) =>
        // One page, one more than the limit: a key that fills it is too common to find anyone by.
        this.db.send(new QueryCommand({ TableName: this.tableName, ConsistentRead: consistent, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `BLOCK#${b}` }, Limit: limit + 1 })),
      ),
    );
    for (const page of pages) {
      const items = page.Items ?? [];
      if (items.length > limit) continue;
      for (const i of items) {
        if (found.has(String(i.sk))) continue;
        found.set(String(i.sk), { recordId: String(i.sk), snapshot: JSON.parse(String(i.s)) as MatchSnapshot, ...(i.at ? { profileId: String(i.at) } : {}) });
      }
    }
    return [...found.values()];
  }

  async appliedProfiles(recordIds: readonly string[]): Promise<Map<string, string>> {
    const items = await this.batchGet([...new Set(recordIds)].map(keys.record));
    return new Map(items.map((i) => [String(i.pk).slice(7), String(i.profileId)]));
  }

  async appliedRecord(recordId: string): Promise<{ profileId: string; matched: boolean } | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.record(recordId), ConsistentRead: true, ProjectionExpression: 'profileId, matched' }));
    return res.Item ? { profileId: String(res.Item.profileId), matched: res.Item.matched === true } : undefined;
  }

  async markMatched(recordId: string): Promise<void> {
    // Conditional, so an erasure that removed the marker meanwhile is not undone by a stray marker.
    await conditional(() =>
      this.db.send(new UpdateCommand({ TableName: this.tableName, Key: keys.record(recordId), UpdateExpression: 'SET matched = :t', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':t': true } })),
    );
  }

  async putDuplicate(c: DuplicateCandidate): Promise<void> {
    await conditional(() =>
      this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.duplicate(c.pairId), ...c }, ConditionExpression: 'attribute_not_exists(pk)' })),
    );
  }

  async getDuplicate(pairId: string): Promise<DuplicateCandidate | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.duplicate(pairId), ConsistentRead: true }));
    return res.Item ? toDuplicate(res.Item) : undefined;
  }

  async listDuplicates(): Promise<DuplicateCandidate[]> {
    return (await this.query({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'DUPLICATES' } })).map(toDuplicate);
  }

  async decideDuplicate(pairId: string, status: 'dismissed' | 'merged'): Promise<'ok' | 'conflict'> {
    return conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.duplicate(pairId),
          UpdateExpression: 'SET #s = :s, decidedAt = :now',
          ConditionExpression: '#s = :open',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': status, ':open': 'open', ':now': new Date().toISOString() },
        }),
      ),
    );
  }

  private async batchWrite(requests: readonly Record<string, unknown>[]): Promise<void> {
    for (let i = 0; i < requests.length; i += 25) {
      let request: Record<string, unknown>[] | undefined = requests.slice(i, i + 25);
      for (let attempt = 0; request && request.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
        const res = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: request as never } }));
        request = res.UnprocessedItems?.[this.tableName] as typeof request;
      }
    }
  }

  private async batchDelete(keyList: readonly { pk: string; sk: string }[]): Promise<void> {
    await this.batchWrite(keyList.map((Key) => ({ DeleteRequest: { Key } })));
  }

  async completeMerge(target: string, version: number, state: ProfileState, other: string): Promise<'ok' | 'conflict' | 'alreadyMerged'> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: this.stateUpdate(target, version, state, new Date().toISOString(), other) },
            {
              Update: {
                TableName: this.tableName,
                Key: keys.profile(other),
                // A merged-away profile keeps only where it went: its data lives on in the survivor, and nowhere else.
                UpdateExpression: 'SET #s = :merged, mergedAt = :now REMOVE gsi1pk, gsi1sk, #state',
                ConditionExpression: '#s = :merging AND #into = :into',
                ExpressionAttributeNames: { '#s': 'status', '#into': 'into', '#state': 'state' },
                ExpressionAttributeValues: { ':merged': 'merged', ':merging': 'merging', ':into': target, ':now': new Date().toISOString() },
              },
            },
          ],
        }),
      );
      return 'ok';
    } catch (e) {
      const reasons = reasonsOf(e);
      if (!reasons) throw e;
      if (reasons[1]?.Code === 'ConditionalCheckFailed') return 'alreadyMerged';
      if (reasons.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict')) return 'conflict';
      throw e;
    }
  }

  async beginSplit(profileId: string, version: number, plan: SplitPlan): Promise<'ok' | 'conflict'> {
    return conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.profile(profileId),
          UpdateExpression: 'SET #s = :splitting, #split = :plan, #v = :next',
          // Not while a merge into it is under way: its records would be missing from the plan.
          ConditionExpression: '#s = :active AND #v = :v AND attribute_not_exists(#in)',
          ExpressionAttributeNames: { '#s': 'status', '#split': 'split', '#v': 'version', '#in': 'incoming' },
          ExpressionAttributeValues: { ':splitting': 'splitting', ':active': 'active', ':plan': pack(plan), ':v': version, ':next': version + 1 },
        }),
      ),
    );
  }

  async createSplitProfile(profileId: string, splitOf: string): Promise<void> {
    await conditional(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.profile(profileId), profileId, status: 'splitting', splitOf, version: 0 },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async moveSplitItem(from: string, to: string, item: ProfileItem): Promise<'ok' | 'inactive'> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.tableName,
                Key: keys.profile(from),
                ConditionExpression: '#s = :splitting',
                ExpressionAttributeNames: { '#s': 'status' },
                ExpressionAttributeValues: { ':splitting': 'splitting' },
              },
            },
            { Put: { TableName: this.tableName, Item: { ...item, pk: `PROFILE#${to}`, ...orderIndex(to, item) } } },
            { Delete: { TableName: this.tableName, Key: { pk: `PROFILE#${from}`, sk: item.sk } } },
          ],
        }),
      );
      return 'ok';
    } catch (e) {
      if (reasonsOf(e)?.[0]?.Code === 'ConditionalCheckFailed') return 'inactive';
      throw e;
    }
  }

  async repointRecord(recordId: string, to: string): Promise<void> {
    await conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.record(recordId),
          UpdateExpression: 'SET profileId = :to',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':to': to },
        }),
      ),
    );
  }

  async splitIdentity(key: string, from: string, to: readonly string[]): Promise<void> {
    await this.replaceOwner(key, from, to);
  }

  /**
   * Replaces `from` among an identifier's owners and carriers by `to` (none, one or several), at the version read,
   * retried until it lands; the item goes when no profile is left. 'absent' when `from` was neither (done before:
   * idempotent).
   */
  private async replaceOwner(key: string, from: string, to: readonly string[]): Promise<'absent' | 'kept' | 'deleted'> {
    for (;;) {
      const item = (await this.getIdentities([key])).get(key);
      if (!item || !(item.owners.includes(from) || item.carriers.includes(from))) return 'absent';
      const owners = [...new Set(item.owners.flatMap((o) => (o === from ? to : [o])))];
      // A profile that owns the value is no longer noted as carrying it.
      const carriers = [...new Set(item.carriers.flatMap((o) => (o === from ? to : [o])))].filter((c) => !owners.includes(c));
      const result = await conditional(() =>
        this.db.send(
          owners.length === 0 && carriers.length === 0
            ? new DeleteCommand({ TableName: this.tableName, Key: keys.identity(key), ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': item.version } })
            : new UpdateCommand({
                TableName: this.tableName,
                Key: keys.identity(key),
                UpdateExpression: 'SET owners = :owners, carriers = :carriers, v = :next',
                ConditionExpression: 'v = :v',
                ExpressionAttributeValues: { ':owners': owners, ':carriers': carriers, ':next': item.version + 1, ':v': item.version },
              }),
        ),
      );
      if (result === 'ok') return owners.length === 0 && carriers.length === 0 ? 'deleted' : 'kept';
    }
  }

  async putConsent(profileId: string, item: { readonly purpose: string } & Record<string, unknown>): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...item, ...keys.consent(profileId, item.purpose) } }));
  }

  async completeSplit(profileId: string, version: number, state: ProfileState, others: readonly { readonly profileId: string; readonly state: ProfileState }[]): Promise<'ok' | 'conflict'> {
    const now = new Date().toISOString();
    return this.transactConditional([
      {
        Put: {
          TableName: this.tableName,
          Item: profileItem(profileId, state, version + 1, now),
          ConditionExpression: '#v = :v AND #s = :splitting',
          ExpressionAttributeNames: { '#v': 'version', '#s': 'status' },
          ExpressionAttributeValues: { ':v': version, ':splitting': 'splitting' },
        },
      },
      ...others.map((o) => ({
        Put: {
          TableName: this.tableName,
          Item: profileItem(o.profileId, o.state, 1, now),
          ConditionExpression: '#s = :splitting AND splitOf = :of',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':splitting': 'splitting', ':of': profileId },
        },
      })),
    ]);
  }
}

/** JSON, deflated: the large attributes (profile state, event payload) cost a fraction of their size to write. */
export const pack = (value: unknown): Uint8Array => deflateRawSync(Buffer.from(JSON.stringify(value)));
export const unpack = (bytes: unknown): unknown => JSON.parse(inflateRawSync(bytes as Uint8Array).toString('utf8'));

function profileItem(profileId: string, state: ProfileState, version: number, now: string): Record<string, unknown> {
  return {
    ...keys.profile(profileId),
    profileId,
    status: 'active',
    version,
    state: pack(state),
    updatedAt: now,
    gsi1pk: ACTIVE_PROFILES,
    gsi1sk: profileId,
  };
}

function toDuplicate(item: Record<string, unknown>): DuplicateCandidate {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as unknown as DuplicateCandidate;
}

function toProfile(item: Record<string, unknown>): StoredProfile {
  return {
    state: item.state === undefined ? emptyProfile(String(item.profileId ?? String(item.pk).slice(8)), '') : (unpack(item.state) as ProfileState),
    status: (item.status as StoredProfile['status']) ?? 'active',
    ...(item.into ? { into: String(item.into) } : {}),
    ...(item.split ? { split: unpack(item.split) as SplitPlan } : {}),
    ...(item.splitOf ? { splitOf: String(item.splitOf) } : {}),
    ...(item.incoming instanceof Set && item.incoming.size > 0 ? { incoming: [...(item.incoming as Set<string>)].sort() } : {}),
    version: Number(item.version ?? 0),
  };
}

/** A timeline event item, decoded. */
const timelineEntry = (e: Record<string, unknown>): TimelineEntry => ({
  recordId: String(e.recordId),
  source: String(e.source),
  kind: String(e.kind),
  occurredAt: String(e.occurredAt),
  ...(unpack(e.e) as Omit<TimelineEntry, 'recordId' | 'source' | 'kind' | 'occurredAt'>),
});
