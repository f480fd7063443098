import type { LeadScoring } from '../lead-score.ts';
import { lifecycleOf, type ProfileState } from '../profile.ts';
import type { RequestState } from '../privacy/request.ts';
import { SOURCED_FIELDS, type Row } from './tables.ts';

/**
 * The curated tables' rows, from what the operational stores hold (pure). Only pseudonymous facts leave: the profile
 * id, places no finer than a city, an age band, sources and counts.
 */

/** Age bands of marketing (18-24, ..., 65+); under 18 and impossible ages are `unknown`. */
export function ageBand(birthDate: string | undefined, asOf: string): string | null {
  if (!birthDate || !/^\d{4}-\d{2}-\d{2}$/.test(birthDate)) return null;
  const num = (s: string, from: number, to: number) => Number(s.slice(from, to));
  const [by, bm, bd] = [num(birthDate, 0, 4), num(birthDate, 5, 7), num(birthDate, 8, 10)];
  const [y, m, d] = [num(asOf, 0, 4), num(asOf, 5, 7), num(asOf, 8, 10)];
  const age = y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
  if (age < 0 || age > 120) return 'unknown';
  if (age < 18) return 'under 18';
  if (age >= 65) return '65+';
  return AGE_BANDS[Math.floor((age - 15) / 10)]!;
}

/** 18-24, then decades from 25 (indexed by (age - 15) / 10). */
const AGE_BANDS = ['18-24', '25-34', '35-44', '45-54', '55-64'];

/** `src_<field>` columns and the profile field whose surviving value's source each holds. */
const SOURCED_COLUMNS = SOURCED_FIELDS.map(([column, field]) => [`src_${column}`, field] as const);

const day = (iso: string | undefined): string | null => (iso && iso.length >= 10 ? iso.slice(0, 10) : null);

/** A profile's row; `key` is its number in this refresh (the source's, see LakeVisitor); its lead score under `scoring`. */
export function profileRow(state: ProfileState, key: number, asOf: string, scoring: LeadScoring): Row {
  const a = state.attributes;
  const { lifecycle, score } = lifecycleOf(state, scoring, asOf);
  const has = (type: string) => state.identifiers.some((k) => k.startsWith(`${type}:`));
  const row: Row = {
    profile_id: state.profileId,
    profile_key: key,
    first_seen: day(state.firstSeenAt),
    last_seen: day(state.lastSeenAt),
    record_count: state.recordCount,
    source_count: state.sources.length,
    // A province is an Italian province code (the normaliser accepts no other), so its country is Italy.
    country: a.country ?? (a.province ? 'IT' : null),
    region: a.region ?? null,
    province: a.province ?? null,
    city: a.city ?? null,
    age_band: ageBand(a.birthDate, asOf),
    gender: a.gender ?? null,
    is_company: Boolean(a.companyName || a.companyVatNumber),
    company_size: a.companySize ?? null,
    company_sector: a.companySector ?? null,
    lifecycle,
    lead_score: score,
    lead_source: state.lead?.source ?? null,
    lead_medium: state.lead?.medium ?? null,
    orders_count: state.orders.count,
    revenue: Math.round(state.orders.revenue * 100) / 100,
    first_order_date: day(state.orders.firstAt),
    last_order_date: day(state.orders.lastAt),
    restricted: state.restricted !== undefined,
    has_email: has('email'),
    has_phone: has('phone'),
    has_tax_code: has('taxCode'),
  };
  for (const [column, field] of SOURCED_COLUMNS) row[column] = state.values[field]?.[0]?.s ?? null;
  return row;
}

export function consentRows(state: ProfileState, key: number): Row[] {
  return Object.entries(state.consents).map(([purpose, c]) => ({
    profile_id: state.profileId,
    profile_key: key,
    purpose,
    granted: c.granted,
    decided_at: c.at,
    source: c.source,
    undated: c.undated === true,
  }));
}

/** A timeline event as the store keeps it (its payload unpacked). */
export interface EventFacts {
  readonly profileId: string;
  /** The profile's number in this refresh (LakeVisitor). */
  readonly profileKey: number;
  readonly occurredAt: string;
  readonly source: string;
  readonly kind: string;
  readonly channel?: string;
  readonly touchpoint?: string;
  readonly blocked?: readonly { readonly reason: string }[];
}

export function eventRow(e: EventFacts): Row {
  return {
    profile_id: e.profileId,
    profile_key: e.profileKey,
    occurred_at: e.occurredAt,
    source: e.source,
    kind: e.kind,
    channel: e.channel ?? null,
    touchpoint: e.touchpoint ?? null,
    blocked_links: e.blocked?.length ?? 0,
    blocked_reason: e.blocked?.[0]?.reason ?? null,
  };
}

export interface OrderFacts {
  readonly profileId: string;
  /** The profile's number in this refresh (LakeVisitor). */
  readonly profileKey: number;
  readonly orderKey: string;
  readonly source: string;
  readonly placedAt: string;
  readonly status?: string;
  readonly total?: number;
  readonly currency?: string;
  /** A test order (Order.test). */
  readonly test?: boolean;
}

export const orderRow = (o: OrderFacts): Row => ({
  profile_id: o.profileId,
  profile_key: o.profileKey,
  order_key: o.orderKey,
  source: o.source,
  placed_at: o.placedAt,
  status: o.status ?? null,
  total: o.total ?? null,
  currency: o.currency ?? null,
  test: o.test === true,
});

/** A duplicate candidate as the curated `duplicates` table keeps it: its pair id, verdict and score (never its records). */
export interface DuplicateFacts {
  readonly pairId: string;
  readonly status: string;
  readonly score: number;
  readonly foundAt: string;
  readonly decidedAt?: string;
}

export const duplicateRow = (d: DuplicateFacts): Row => ({
  pair_id: d.pairId,
  status: d.status,
  score: d.score,
  found_at: d.foundAt,
  decided_at: d.decidedAt ?? null,
});

export const requestRow = (r: RequestState): Row => ({
  request_id: r.requestId,
  request_type: r.requestType,
  status: r.status,
  received_at: r.receivedAt,
  completed_at: r.completedAt ?? null,
  deadline: r.deadline,
});

/** What the curated `imports` table needs of an import report. */
export interface ImportFacts {
  readonly importId: string;
  readonly source: string;
  readonly status: string;
  readonly finishedAt: string;
  readonly rowsRead: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly suppressed: number;
  readonly reasons: Readonly<Record<string, number>>;
}

/** One total row per completed import (reason null), then one per reject reason. */
export function importRows(r: ImportFacts): Row[] {
  if (r.status !== 'completed') return [];
  const base = { import_id: r.importId, source: r.source, finished_at: r.finishedAt, rows_read: r.rowsRead, accepted: r.accepted, rejected: r.rejected, suppressed: r.suppressed };
  return [
    { ...base, reason: null, row_count: r.rowsRead },
    ...Object.entries(r.reasons).map(([reason, rows]) => ({ ...base, reason, row_count: rows })),
  ];
}

/** The partition a timestamp falls in (`yyyy-MM`). */
export const monthOf = (iso: string): string => iso.slice(0, 7);
