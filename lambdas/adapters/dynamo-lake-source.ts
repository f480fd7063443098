import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { ImportFacts } from '../domain/lake/rows.ts';
import type { RequestState } from '../domain/privacy/request.ts';
import { type OrderItem, ordersOf, type ProfileState } from '../domain/profile.ts';
import type { LakeSource, LakeVisitor, ScanPart } from '../ports/lake.ts';
import { unpack } from './dynamo-profile-store.ts';

/** Parallel scan segments per part: each part of the table is read by this many concurrent scans. */
const SEGMENTS = 4;

/**
 * The operational stores as the publisher reads them: one parallel Scan of the single table (profiles, their events
 * and orders, merge tombstones, privacy requests, duplicate candidates) and the import reports in the raw bucket.
 */
export class DynamoLakeSource implements LakeSource {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly tableName: string,
    private readonly s3: S3Client,
    private readonly rawBucket: string,
  ) {}

  /**
   * Part i of n reads segments i*4 .. i*4+3 of a 4n-segment parallel Scan. A profile's items (one partition key) are
   * one item collection, which a segment returns whole and in a fixed order; so numbering profile ids per segment as
   * it meets them (k-th id of segment s: k * segments + s) gives each profile one number, the same for the same table.
   */
  async scan(visitor: LakeVisitor, part: ScanPart = { index: 0, count: 1 }): Promise<void> {
    const total = SEGMENTS * part.count;
    await Promise.all(Array.from({ length: SEGMENTS }, (_, s) => this.scanSegment(part.index * SEGMENTS + s, total, visitor)));
  }

  private async scanSegment(segment: number, total: number, visitor: LakeVisitor): Promise<void> {
    let start: Record<string, AttributeValue> | undefined;
    const numbers = new ProfileNumbers(segment, total);
    const orders = new ProfileOrders(visitor, numbers);
    do {
      const res = await this.db.send(
        new ScanCommand({ TableName: this.tableName, Segment: segment, TotalSegments: total, ...(start ? { ExclusiveStartKey: start } : {}) }),
      );
      for (const item of res.Items ?? []) visit(item, visitor, numbers, orders);
      await visitor.drain();
      start = res.LastEvaluatedKey;
    } while (start);
    orders.flush();
    await visitor.drain();
  }

  async *importReports(): AsyncIterable<ImportFacts> {
    let token: string | undefined;
    do {
      const res = await this.s3.send(new ListObjectsV2Command({ Bucket: this.rawBucket, Prefix: 'reports/imports/', ...(token ? { ContinuationToken: token } : {}) }));
      for (const o of res.Contents ?? []) {
        if (!o.Key?.endsWith('.json')) continue;
        const got = await this.s3.send(new GetObjectCommand({ Bucket: this.rawBucket, Key: o.Key }));
        const text = await got.Body?.transformToString('utf-8');
        if (!text) continue;
        try {
          yield JSON.parse(text) as ImportFacts;
        } catch {
          // A report that is not JSON is not an import report.
        }
      }
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
  }
}

/**
 * Numbers for the profile ids one segment meets: k * total + segment for the k-th. Remembered per id, not just the
 * last one, so an id met again later in the segment (a collection the scan did not return in one run) keeps its number.
 */
class ProfileNumbers {
  private readonly known = new Map<string, number>();
  constructor(
    private readonly segment: number,
    private readonly total: number,
  ) {}
  of(profileId: string): number {
    let n = this.known.get(profileId);
    if (n === undefined) this.known.set(profileId, (n = this.known.size * this.total + this.segment));
    return n;
  }
}

/**
 * A profile's order items, held until the segment moves past its partition (a segment returns an item collection in
 * one run), then visited as the orders they make: the lines of one order as that one order (ordersOf).
 */
class ProfileOrders {
  private profileId: string | undefined;
  private items: (OrderItem & { orderKey: string })[] = [];
  constructor(
    private readonly visitor: LakeVisitor,
    private readonly numbers: ProfileNumbers,
  ) {}
  /** Notes the partition an item belongs to: a new one visits the previous one's orders. */
  at(profileId: string): void {
    if (profileId !== this.profileId) this.flush();
    this.profileId = profileId;
  }
  add(item: OrderItem & { orderKey: string }): void {
    this.items.push(item);
  }
  flush(): void {
    const profileId = this.profileId;
    if (profileId !== undefined && this.items.length > 0) {
      for (const o of ordersOf(this.items)) {
        const orderKey = 'orderKey' in o ? String(o.orderKey) : `${o.source ?? ''}#${o.orderId ?? ''}`;
        this.visitor.order({
          profileId,
          profileKey: this.numbers.of(profileId),
          orderKey,
          source: o.source ?? orderKey.split('#')[0]!,
          placedAt: o.placedAt ?? o.occurredAt,
          ...(o.status ? { status: o.status } : {}),
          ...(o.total !== undefined ? { total: o.total } : {}),
          ...(o.currency ? { currency: o.currency } : {}),
          ...(o.test === true ? { test: true } : {}),
        });
      }
    }
    this.items = [];
  }
}

/** The text attributes of an order item that its orders are counted from. */
const ORDER_TEXT = ['source', 'orderId', 'line', 'status', 'currency', 'placedAt'] as const;

const s = (v: AttributeValue | undefined): string | undefined => v?.S;
const n = (v: AttributeValue | undefined): number | undefined => (v?.N !== undefined ? Number(v.N) : undefined);

function visit(item: Record<string, AttributeValue>, visitor: LakeVisitor, numbers: ProfileNumbers, orders: ProfileOrders): void {
  const pk = s(item.pk) ?? '';
  const sk = s(item.sk) ?? '';
  if (pk.startsWith('PROFILE#')) {
    const profileId = pk.slice(8);
    orders.at(profileId);
    if (sk === 'PROFILE') {
      const status = s(item.status);
      if (status === 'active' && item.state?.B) visitor.profile(unpack(item.state.B) as ProfileState, numbers.of(profileId));
      else if (status === 'merged' && s(item.into)) visitor.merged(profileId, s(item.into)!);
      return;
    }
    if (sk.startsWith('EVENT#')) {
      const e = (item.e?.B ? unpack(item.e.B) : {}) as { channel?: string; interaction?: { touchpoint?: string }; blocked?: { reason: string }[] };
      visitor.event({
        profileId,
        profileKey: numbers.of(profileId),
        occurredAt: s(item.occurredAt) ?? sk.slice(6, 30),
        source: s(item.source) ?? 'unknown',
        kind: s(item.kind) ?? 'contact',
        ...(e.channel ? { channel: e.channel } : {}),
        ...(e.interaction?.touchpoint ? { touchpoint: e.interaction.touchpoint } : {}),
        ...(e.blocked ? { blocked: e.blocked } : {}),
      });
      return;
    }
    if (sk.startsWith('ORDER#')) {
      const order: Record<string, unknown> = { orderKey: sk.slice(6), occurredAt: s(item.occurredAt) ?? '' };
      for (const k of ORDER_TEXT) if (s(item[k]) !== undefined) order[k] = s(item[k]);
      if (n(item.total) !== undefined) order.total = n(item.total);
      if (item.test?.BOOL === true) order.test = true;
      orders.add(order as unknown as OrderItem & { orderKey: string });
    }
    return;
  }
  if (pk.startsWith('DSR#') && sk === 'REQUEST' && s(item.state)) visitor.request(JSON.parse(s(item.state)!) as RequestState);
  else if (pk === 'DUPLICATES') {
    const decidedAt = s(item.decidedAt);
    visitor.duplicate({ pairId: sk, status: s(item.status) ?? 'open', score: n(item.score) ?? 0, foundAt: s(item.foundAt) ?? '', ...(decidedAt ? { decidedAt } : {}) });
  }
}
