import type { DuplicateFacts, EventFacts, ImportFacts, OrderFacts } from '../../lambdas/domain/lake/rows.ts';
import type { RequestState } from '../../lambdas/domain/privacy/request.ts';
import { emptyProfile, type FieldValue, type ProfileState } from '../../lambdas/domain/profile.ts';
import type { LakeSource, LakeVisitor, ScanPart } from '../../lambdas/ports/lake.ts';

/**
 * A small customer base whose KPIs are worked out by hand in test/unit/kpi.test.ts: four people (Milan, Rome, a
 * restricted Milan company, a stale unknown), their events and orders, two imports, six privacy requests.
 */
export const AS_OF = '2026-11-23';

function person(
  id: string,
  opts: {
    firstSeen: string;
    lastSeen: string;
    records: number;
    fields: Record<string, [string, string]>;
    identifiers: string[];
    orders: ProfileState['orders'];
    consents?: ProfileState['consents'];
    restricted?: boolean;
  },
): ProfileState {
  const values: Record<string, FieldValue[]> = {};
  const attributes: Record<string, string> = {};
  for (const [field, [v, s]] of Object.entries(opts.fields)) {
    values[field] = [{ v, s, t: opts.firstSeen, r: `r-${id}-${field}` }];
    attributes[field] = v;
  }
  return {
    ...emptyProfile(id, opts.firstSeen),
    values,
    attributes,
    identifiers: opts.identifiers,
    sources: [...new Set(Object.values(opts.fields).map(([, s]) => s))].sort(),
    recordCount: opts.records,
    firstSeenAt: opts.firstSeen,
    lastSeenAt: opts.lastSeen,
    consents: opts.consents ?? {},
    orders: opts.orders,
    ...(opts.restricted ? { restricted: { at: opts.lastSeen, r: 'dsr-1' } } : {}),
  };
}

const grant = (granted: boolean, at: string, undated?: true) => ({ marketing: { granted, at, ...(undated ? { undated } : {}), source: 'erp', r: 'c' } });

export const PROFILES: ProfileState[] = [
  person('p1', {
    firstSeen: '2024-01-10T00:00:00.000Z',
    lastSeen: '2026-10-15T00:00:00.000Z',
    records: 3,
    fields: {
      firstName: ['Giulia', 'erp'], lastName: ['Rossi', 'erp'], birthDate: ['1990-05-01', 'erp'], gender: ['F', 'erp'],
      city: ['Milano', 'shop'], province: ['MI', 'shop'], region: ['Lombardia', 'shop'], country: ['IT', 'shop'],
    },
    identifiers: ['email:giulia@example.it'],
    orders: { count: 2, revenue: 150, firstAt: '2024-01-10T00:00:00.000Z', lastAt: '2026-10-15T00:00:00.000Z' },
    consents: grant(true, '2024-01-10T00:00:00.000Z'),
  }),
  person('p2', {
    firstSeen: '2025-06-05T00:00:00.000Z',
    lastSeen: '2026-02-01T00:00:00.000Z',
    records: 2,
    fields: {
      firstName: ['Marco', 'shop'], gender: ['M', 'shop'], birthDate: ['2005-12-01', 'shop'],
      city: ['Roma', 'shop'], province: ['RM', 'shop'], region: ['Lazio', 'shop'], country: ['IT', 'shop'],
    },
    identifiers: ['phone:+393331234567'],
    orders: { count: 1, revenue: 80, firstAt: '2025-06-05T00:00:00.000Z', lastAt: '2025-06-05T00:00:00.000Z' },
    consents: grant(false, '2025-06-05T00:00:00.000Z'),
  }),
  person('p3', {
    firstSeen: '2026-11-02T00:00:00.000Z',
    lastSeen: '2026-11-02T00:00:00.000Z',
    records: 1,
    fields: {
      companyName: ['Ferri S.r.l.', 'erp'], companySize: ['10-49', 'erp'], companySector: ['retail', 'erp'],
      city: ['Milano', 'erp'], province: ['MI', 'erp'], region: ['Lombardia', 'erp'], country: ['IT', 'erp'],
    },
    identifiers: ['email:ordini@ferri.it'],
    orders: { count: 0, revenue: 0 },
    // A file's yes without a date of its own (an ERP's customer list): dated by the import.
    consents: grant(true, '2026-11-02T00:00:00.000Z', true),
    restricted: true,
  }),
  person('p4', {
    firstSeen: '2022-03-01T00:00:00.000Z',
    lastSeen: '2022-03-01T00:00:00.000Z',
    records: 1,
    fields: {},
    identifiers: [],
    orders: { count: 1, revenue: 40, firstAt: '2022-03-01T00:00:00.000Z', lastAt: '2022-03-01T00:00:00.000Z' },
  }),
];

/** Facts as a fixture writes them: the source numbers the profiles (LakeVisitor). */
export type Unkeyed<T> = Omit<T, 'profileKey'>;

export const EVENTS: Unkeyed<EventFacts>[] = [
  { profileId: 'p1', occurredAt: '2024-01-10T00:00:00.000Z', source: 'shop', kind: 'order', channel: 'webhook' },
  { profileId: 'p1', occurredAt: '2025-05-01T00:00:00.000Z', source: 'erp', kind: 'contact', channel: 'file' },
  { profileId: 'p1', occurredAt: '2026-10-15T00:00:00.000Z', source: 'shop', kind: 'order', channel: 'webhook' },
  { profileId: 'p2', occurredAt: '2025-06-05T00:00:00.000Z', source: 'shop', kind: 'order', channel: 'webhook' },
  { profileId: 'p2', occurredAt: '2026-02-01T00:00:00.000Z', source: 'forms', kind: 'interaction', channel: 'webhook', touchpoint: 'web-form' },
  { profileId: 'p3', occurredAt: '2026-11-02T00:00:00.000Z', source: 'erp', kind: 'contact', channel: 'file', blocked: [{ reason: 'email.role' }] },
  { profileId: 'p4', occurredAt: '2022-03-01T00:00:00.000Z', source: 'erp', kind: 'order', channel: 'file' },
];

export const ORDERS: Unkeyed<OrderFacts>[] = [
  { profileId: 'p1', orderKey: 'shop#1', source: 'shop', placedAt: '2024-01-10T00:00:00.000Z', total: 100, currency: 'EUR' },
  { profileId: 'p1', orderKey: 'shop#2', source: 'shop', placedAt: '2026-10-15T00:00:00.000Z', total: 50, currency: 'EUR' },
  { profileId: 'p2', orderKey: 'shop#3', source: 'shop', placedAt: '2025-06-05T00:00:00.000Z', total: 80, currency: 'EUR' },
  { profileId: 'p2', orderKey: 'shop#4', source: 'shop', placedAt: '2026-11-01T00:00:00.000Z', total: 999, currency: 'EUR', status: 'cancelled' },
  { profileId: 'p4', orderKey: 'erp#9', source: 'erp', placedAt: '2022-03-01T00:00:00.000Z', total: 40, currency: 'EUR' },
  // A test order (Shopify's Bogus Gateway): paid, and no sale.
  { profileId: 'p4', orderKey: 'shop#5', source: 'shop', placedAt: '2026-10-20T00:00:00.000Z', total: 500, currency: 'EUR', status: 'paid', test: true },
];

const request = (requestId: string, requestType: RequestState['requestType'], status: RequestState['status'], receivedAt: string, deadline: string, completedAt?: string): RequestState =>
  ({ requestId, requestType, status, receivedAt, deadline, ...(completedAt ? { completedAt } : {}), scope: 'subject', subject: [], requester: 'x', origin: 'cli', attempts: 1, events: 2 }) as RequestState;

export const REQUESTS: RequestState[] = [
  request('r1', 'erasure', 'completed', '2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z', '2026-11-03T12:00:00.000Z'),
  request('r2', 'erasure', 'completed', '2026-10-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', '2026-10-02T00:00:00.000Z'),
  request('r6', 'erasure', 'completed', '2026-09-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z', '2026-09-05T00:00:00.000Z'),
  request('r3', 'access', 'received', '2026-09-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z'),
  request('r4', 'access', 'in_progress', '2026-11-20T00:00:00.000Z', '2026-12-20T00:00:00.000Z'),
  request('r5', 'rectification', 'rejected', '2026-11-05T00:00:00.000Z', '2026-12-05T00:00:00.000Z', '2026-11-06T00:00:00.000Z'),
];

export const IMPORTS: ImportFacts[] = [
  { importId: 'imp1', source: 'erp', status: 'completed', finishedAt: '2026-11-02T00:00:00.000Z', rowsRead: 10, accepted: 8, rejected: 2, suppressed: 0, reasons: { 'email.invalid': 1, 'date.impossible': 1 } },
  { importId: 'imp2', source: 'shop', status: 'completed', finishedAt: '2026-11-02T00:00:00.000Z', rowsRead: 5, accepted: 5, rejected: 0, suppressed: 0, reasons: {} },
  { importId: 'imp3', source: 'erp', status: 'failed', finishedAt: '2026-11-02T00:00:00.000Z', rowsRead: 0, accepted: 0, rejected: 0, suppressed: 0, reasons: {} },
];

/** Duplicate candidates: two open, one dismissed, one merged. */
export const DUPLICATES: DuplicateFacts[] = [
  { pairId: 'dup_a', status: 'open', score: 9.5, foundAt: '2026-11-02T00:00:00.000Z' },
  { pairId: 'dup_b', status: 'open', score: 14, foundAt: '2026-11-03T00:00:00.000Z' },
  { pairId: 'dup_c', status: 'dismissed', score: 8, foundAt: '2026-10-01T00:00:00.000Z', decidedAt: '2026-10-02T00:00:00.000Z' },
  { pairId: 'dup_d', status: 'merged', score: 11, foundAt: '2026-10-01T00:00:00.000Z', decidedAt: '2026-10-05T00:00:00.000Z' },
];

export class FixtureSource implements LakeSource {
  constructor(
    private readonly data = { profiles: PROFILES, events: EVENTS, orders: ORDERS, requests: REQUESTS, imports: IMPORTS, merges: [['p9', 'p1']] as [string, string][], duplicates: DUPLICATES },
  ) {}
  /**
   * A part holds every count-th item of each kind, so a profile's events and orders scatter over parts (harder than a
   * table, where they share a scan segment). Profiles are numbered 10, 20, ... in order of first mention.
   */
  async scan(v: LakeVisitor, part: ScanPart = { index: 0, count: 1 }): Promise<void> {
    const mine = (_: unknown, i: number) => i % part.count === part.index;
    const ids = [...new Set([...this.data.profiles.map((p) => p.profileId), ...this.data.events.map((e) => e.profileId), ...this.data.orders.map((o) => o.profileId)])];
    const keys = new Map(ids.map((id, i) => [id, (i + 1) * 10]));
    for (const p of this.data.profiles.filter(mine)) v.profile(p, keys.get(p.profileId)!);
    for (const [id, into] of this.data.merges.filter(mine)) v.merged(id, into);
    for (const e of this.data.events.filter(mine)) v.event({ ...e, profileKey: keys.get(e.profileId)! });
    for (const o of this.data.orders.filter(mine)) v.order({ ...o, profileKey: keys.get(o.profileId)! });
    for (const r of this.data.requests.filter(mine)) v.request(r);
    for (const d of this.data.duplicates.filter(mine)) v.duplicate(d);
  }
  async *importReports() {
    yield* this.data.imports;
  }
}
