/**
 * The lake's curated tables: pseudonymous (a profile id, never a name, e-mail, phone or street address; an age band,
 * not a birth date; nothing finer than a city) and partitioned by date. One definition serves the Parquet writer, the
 * Glue catalogue and the local DuckDB views, so the three cannot drift.
 */

/** Column types, as Glue (Hive DDL) names them; the Parquet writer and DuckDB map them. */
export type ColumnType = 'string' | 'int' | 'bigint' | 'double' | 'boolean' | 'date' | 'timestamp';

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  readonly comment?: string;
}

export interface TableDefinition {
  /** Key prefix in the lake bucket (`curated/profiles/`). */
  readonly prefix: string;
  /** The Hive-style partition column (`snapshot_date=2026-11-23`, `month=2026-11`). */
  readonly partition: { readonly name: string; readonly format: 'yyyy-MM-dd' | 'yyyy-MM' };
  readonly columns: readonly Column[];
  readonly description: string;
  /** A column the rows of each file are sorted by (numbers): runs of near values delta-encode to a few bits. */
  readonly orderBy?: string;
}

const c = (name: string, type: ColumnType, comment?: string): Column => ({ name, type, ...(comment ? { comment } : {}) });
const SNAPSHOT = { name: 'snapshot_date', format: 'yyyy-MM-dd' } as const;
const MONTH = { name: 'month', format: 'yyyy-MM' } as const;
/**
 * The profile's number in one snapshot, in the tables a refresh writes together (profiles, consents, events, orders).
 * KPIs count and join people on it: sorted in each file it costs about a byte a row, where a profile id costs twenty.
 * It is renumbered by every refresh; anything kept across refreshes (segment members, an erasure) uses profile_id.
 */
const PROFILE_KEY = c('profile_key', 'int', "the profile's number in this refresh (joins its tables; profile_id outlives it)");

/** Fields whose surviving value's source is kept (`src_<field>`): completeness and what each source contributes. */
export const SOURCED_FIELDS = [
  ['first_name', 'firstName'],
  ['last_name', 'lastName'],
  ['birth_date', 'birthDate'],
  ['gender', 'gender'],
  ['address', 'line1'],
  ['postal_code', 'postalCode'],
  ['city', 'city'],
  ['province', 'province'],
  ['country', 'country'],
  ['company_name', 'companyName'],
  ['vat_number', 'companyVatNumber'],
] as const;

export const curatedTables = {
  profiles: {
    prefix: 'curated/profiles/',
    partition: SNAPSHOT,
    description: 'One row per active profile, as it stood on the snapshot date',
    orderBy: 'profile_key',
    columns: [
      c('profile_id', 'string'),
      PROFILE_KEY,
      c('first_seen', 'date'),
      c('last_seen', 'date'),
      c('record_count', 'int'),
      c('source_count', 'int'),
      c('country', 'string', 'ISO 3166-1 alpha-2'),
      c('region', 'string'),
      c('province', 'string', 'Italian province code'),
      c('city', 'string'),
      c('age_band', 'string', '18-24, 25-34, ... 65+; never the birth date'),
      c('gender', 'string'),
      c('is_company', 'boolean'),
      c('company_size', 'string'),
      c('company_sector', 'string'),
      c('lifecycle', 'string', 'lead | customer | repeat'),
      c('lead_score', 'int'),
      c('lead_source', 'string'),
      c('lead_medium', 'string'),
      c('orders_count', 'int'),
      c('revenue', 'double'),
      c('first_order_date', 'date'),
      c('last_order_date', 'date'),
      c('restricted', 'boolean', 'Art. 18/21: out of marketable counts'),
      c('has_email', 'boolean'),
      c('has_phone', 'boolean'),
      c('has_tax_code', 'boolean'),
      ...SOURCED_FIELDS.map(([name]) => c(`src_${name}`, 'string', `source of the surviving ${name}, null when unknown`)),
    ],
  },
  events: {
    prefix: 'curated/events/',
    partition: MONTH,
    description: 'Every record applied to a profile (its timeline), by month of occurrence',
    orderBy: 'profile_key',
    columns: [
      c('profile_id', 'string'),
      PROFILE_KEY,
      c('occurred_at', 'timestamp'),
      c('source', 'string'),
      c('kind', 'string', 'contact | order | interaction | consent'),
      c('channel', 'string', 'file | webhook | api'),
      c('touchpoint', 'string'),
      c('blocked_links', 'int', 'identity links the resolver refused for this record'),
      c('blocked_reason', 'string'),
    ],
  },
  orders: {
    prefix: 'curated/orders/',
    partition: MONTH,
    description: 'One row per order (its latest version), by month placed',
    orderBy: 'profile_key',
    columns: [
      c('profile_id', 'string'),
      PROFILE_KEY,
      c('order_key', 'string', 'source#orderId'),
      c('source', 'string'),
      c('placed_at', 'timestamp'),
      c('status', 'string'),
      c('total', 'double'),
      c('currency', 'string'),
      c('test', 'boolean', 'a test order (Shopify test, Stripe test mode): no sale'),
    ],
  },
  consents: {
    prefix: 'curated/consents/',
    partition: SNAPSHOT,
    description: "Each profile's latest decision per purpose",
    orderBy: 'profile_key',
    columns: [
      c('profile_id', 'string'), PROFILE_KEY, c('purpose', 'string'), c('granted', 'boolean'), c('decided_at', 'timestamp'), c('source', 'string'),
      c('undated', 'boolean', "a grant a file gave without a date of its own: decided_at is the row's or the import's, and no proof of when"),
    ],
  },
  imports: {
    prefix: 'curated/imports/',
    partition: SNAPSHOT,
    description: 'Import reports: rows read, accepted, rejected and suppressed, and rejects per reason',
    columns: [
      c('import_id', 'string'),
      c('source', 'string'),
      c('finished_at', 'timestamp'),
      c('reason', 'string', "null on the report's total row"),
      c('row_count', 'bigint', 'rows read on the total row, rejected rows on a reason row'),
      c('rows_read', 'bigint'),
      c('accepted', 'bigint'),
      c('rejected', 'bigint'),
      c('suppressed', 'bigint'),
    ],
  },
  requests: {
    prefix: 'curated/requests/',
    partition: SNAPSHOT,
    description: 'Data-subject requests: type, status and dates (never the subject)',
    columns: [
      c('request_id', 'string'),
      c('request_type', 'string'),
      c('status', 'string'),
      c('received_at', 'timestamp'),
      c('completed_at', 'timestamp'),
      c('deadline', 'timestamp'),
    ],
  },
  merges: {
    prefix: 'curated/merges/',
    partition: SNAPSHOT,
    description: 'Profiles merged away into another (identity health)',
    columns: [c('profile_id', 'string'), c('into_profile_id', 'string')],
  },
  duplicates: {
    prefix: 'curated/duplicates/',
    partition: SNAPSHOT,
    description: 'Duplicate candidates of probabilistic matching: pair id, status and score (never the records or values)',
    columns: [
      c('pair_id', 'string'),
      c('status', 'string', 'open | dismissed | merged'),
      c('score', 'double'),
      c('found_at', 'timestamp'),
      c('decided_at', 'timestamp'),
    ],
  },
} as const satisfies Record<string, TableDefinition>;

export type CuratedTable = keyof typeof curatedTables;
export const CURATED_TABLES = Object.keys(curatedTables) as CuratedTable[];

/** A row of a curated table: column name to value (null when unknown). Dates and timestamps as ISO strings. */
export type Row = Record<string, string | number | boolean | null>;

/** The KPI tables' location: `kpi/<name>/snapshot_date=<date>/`. */
export const kpiPrefix = (name: string): string => `kpi/${name}/`;
/** Segment membership: `segments/<name>/snapshot_date=<date>/`. */
export const segmentPrefix = (name: string): string => `segments/${name}/`;

export const partitionPath = (table: TableDefinition, value: string): string => `${table.prefix}${table.partition.name}=${value}/`;
