import * as z from 'zod/mini';
import type { Column, ColumnType } from '../lake/tables.ts';
import { VOID_ORDER_STATUSES } from '../profile.ts';
import { isTimeZone } from '../time-zone.ts';

/**
 * The KPIs: one SQL file each (`sql/<name>.sql`), written in the subset of SQL that Athena (Trino) and DuckDB both
 * run unchanged; a test parses every file as Trino SQL and runs it on DuckDB. Placeholders are the only templating:
 *
 * - `{{as_of}}`: the snapshot date as a DATE literal; `{{snapshot}}`: the curated tables' partition value.
 * - `{{active_months}}`, `{{activity_kinds}}`, `{{stale_months}}`: from `config/kpi.json`.
 * - `{{void_statuses}}`: the order statuses that are no sale, as a list of SQL strings (the profile's totals skip
 *   them too). A test order is no sale either, whatever its status: the orders table's `test` says so.
 * - `{{month_of:column}}`: the month a timestamp column falls in, as a number (`year * 12 + month - 1`), in the
 *   business's time zone (`timeZone` in `config/kpi.json`; UTC without one): see monthOfSql.
 *
 * The common subset: no integer division (`(m - m % 12) / 12` is exact in both), `approx_percentile`,
 * `with_timezone` and `at_timezone` (DuckDB gets macros), `date_diff('unit', a, b)`, `INTERVAL 'n' UNIT`, `VALUES` lists with parenthesised rows, no `FILTER`.
 */

export interface KpiDefinition {
  readonly name: string;
  readonly group: 'Customer base' | 'Geography' | 'Customers' | 'Sources' | 'Revenue' | 'Consents' | 'Data quality' | 'Identity' | 'Privacy';
  readonly title: string;
  /** How the dashboard draws it: the label column and the numeric columns, as a line or bar chart. */
  readonly chart: { readonly type: 'line' | 'bar'; readonly label: string; readonly series: readonly string[]; readonly where?: Readonly<Record<string, string>> };
  /** The KPI table's columns, in the SQL's order (a test checks the SQL answers exactly these). */
  readonly columns: readonly Column[];
}

const cols = (spec: string): Column[] =>
  spec.split(',').map((s) => {
    const [name, type] = s.trim().split(':') as [string, ColumnType | undefined];
    return { name, type: type ?? 'bigint' };
  });

export const KPIS: readonly KpiDefinition[] = [
  { name: 'customer_base', group: 'Customer base', title: 'Customer base by month', chart: { type: 'line', label: 'month', series: ['total_profiles', 'active', 'new_customers', 'lost', 'reactivated'] }, columns: cols('month:string, total_profiles, new_profiles, active, new_customers, lost, reactivated') },
  { name: 'geography', group: 'Geography', title: 'Profiles per province', chart: { type: 'bar', label: 'province', series: ['profiles', 'customers'] }, columns: cols('country:string, region:string, province:string, profiles, customers, revenue:double') },
  { name: 'demographics', group: 'Customers', title: 'Profiles by age band', chart: { type: 'bar', label: 'value', series: ['profiles', 'customers'], where: { dimension: 'age_band' } }, columns: cols('dimension:string, value:string, profiles, customers') },
  { name: 'sources', group: 'Sources', title: 'What each source contributes', chart: { type: 'bar', label: 'source', series: ['records', 'new_profiles', 'enriched_fields'], where: { touchpoint: '(all)' } }, columns: cols('source:string, touchpoint:string, records, profiles, new_profiles, enriched_fields') },
  { name: 'revenue', group: 'Revenue', title: 'Revenue by month', chart: { type: 'bar', label: 'period', series: ['revenue', 'orders'] }, columns: cols('period:string, orders, revenue:double, buyers, aov:double, repeat_rate:double, clv:double') },
  { name: 'rfm', group: 'Customers', title: 'RFM segments', chart: { type: 'bar', label: 'segment', series: ['customers'] }, columns: cols('segment:string, customers, avg_recency_days:double, avg_frequency:double, avg_monetary:double, revenue:double') },
  { name: 'consents', group: 'Consents', title: 'Marketable base per purpose', chart: { type: 'bar', label: 'purpose', series: ['granted', 'marketable_email', 'marketable_phone'] }, columns: cols('purpose:string, granted, denied, marketable_email, marketable_phone, restricted, granted_undated') },
  { name: 'data_quality', group: 'Data quality', title: 'Field completeness', chart: { type: 'bar', label: 'detail', series: ['value'], where: { metric: 'completeness' } }, columns: cols('metric:string, source:string, detail:string, value:double, row_count') },
  { name: 'identity_health', group: 'Identity', title: 'Profiles by records merged in', chart: { type: 'bar', label: 'bucket', series: ['value'], where: { metric: 'cluster_size' } }, columns: cols('metric:string, bucket:string, value:double') },
  { name: 'privacy_requests', group: 'Privacy', title: 'Data-subject requests', chart: { type: 'bar', label: 'request_type', series: ['received', 'completed', 'open', 'overdue'] }, columns: cols('request_type:string, received, completed, rejected_or_failed, open, overdue, median_days_to_complete:double') },
];

export const kpiNamed = (name: string): KpiDefinition | undefined => KPIS.find((k) => k.name === name);

/** `config/kpi.json`: the definitions a business chooses. */
export const kpiConfigSchema = z.strictObject({
  /** A profile is active while it had activity in this many months up to the month; lost when it has none that long. */
  activeMonths: z._default(z.int().check(z.positive(), z.maximum(60)), 12),
  /** Which records count as activity: orders only, or interactions (a visit, a ticket, a form) too. */
  activityKinds: z._default(z.array(z.enum(['order', 'interaction', 'contact', 'consent'])).check(z.minLength(1)), ['order', 'interaction']),
  /** A profile with no record for this many months is stale (data quality). */
  staleMonths: z._default(z.int().check(z.positive(), z.maximum(240)), 24),
  /** The zone months are counted in (an IANA name, `Europe/Rome`): an order at 00:30 on the 1st in Rome is that month's. */
  timeZone: z.optional(z.string().check(z.refine(isTimeZone, 'unknown time zone: an IANA name such as "Europe/Rome"'))),
});
export type KpiConfig = z.infer<typeof kpiConfigSchema>;
export const DEFAULT_KPI_CONFIG: KpiConfig = kpiConfigSchema.parse({});

export interface RenderParams {
  /** The snapshot date, `yyyy-MM-dd`. */
  readonly asOf: string;
  readonly config: KpiConfig;
}

/** The order statuses that are no sale, as SQL strings: `lower(coalesce(status, '')) NOT IN ({{void_statuses}})`. */
export const VOID_STATUSES_SQL = VOID_ORDER_STATUSES.map((s) => `'${s}'`).join(', ');

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The SQL with its placeholders filled; an unknown placeholder is an error, not an empty string. */
export function renderSql(sql: string, params: RenderParams): string {
  if (!ISO_DATE.test(params.asOf)) throw new Error(`Snapshot date must be yyyy-MM-dd, got ${JSON.stringify(params.asOf)}`);
  const values: Record<string, Placeholder> = {
    as_of: `DATE '${params.asOf}'`,
    snapshot: `'${params.asOf}'`,
    active_months: String(params.config.activeMonths),
    stale_months: String(params.config.staleMonths),
    activity_kinds: params.config.activityKinds.map((k) => `'${k}'`).join(', '),
    void_statuses: VOID_STATUSES_SQL,
    month_of: (column) => monthOfSql(column, params.config.timeZone),
  };
  return renderSqlWith(sql, values);
}

/** A placeholder's SQL, or for one that takes a column (`{{month_of:placed_at}}`), how to make it. */
export type Placeholder = string | ((column: string) => string);

/**
 * The month a timestamp (stored in UTC) falls in, in a time zone, as `year * 12 + month - 1`: the stored time is made
 * the instant it is in UTC (`with_timezone`), then that instant's time in the zone (`at_timezone`), whose `year()` and
 * `month()` are the zone's; Trino's functions, which the twin's DuckDB gets as macros. In UTC the column is read as it is.
 */
export function monthOfSql(column: string, timeZone: string | undefined): string {
  const at = !timeZone || timeZone === 'UTC' ? column : `at_timezone(with_timezone(${column}, 'UTC'), '${timeZone.replace(/'/g, "''")}')`;
  return `year(${at}) * 12 + month(${at}) - 1`;
}

/** The SQL with its placeholders replaced by these SQL fragments (the named queries use `current_date`). */
export function renderSqlWith(sql: string, values: Readonly<Record<string, Placeholder>>): string {
  return sql.replace(/\{\{(\w+)(?::(\w+))?\}\}/g, (_, name: string, column: string | undefined) => {
    const v = values[name];
    if (v === undefined) throw new Error(`Unknown placeholder {{${name}}} in KPI SQL`);
    if ((typeof v === 'function') !== (column !== undefined)) throw new Error(`Placeholder {{${name}}} ${column === undefined ? 'needs a column' : 'takes no column'} in KPI SQL`);
    return typeof v === 'function' ? v(column!) : v;
  });
}

/** A saved segment (`config/segments/<name>.json`): a filter over the curated profiles (alias `p`). */
export const segmentSchema = z.strictObject({
  name: z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,62}$/)),
  description: z.string(),
  /** A SQL boolean expression over `p` (profiles); may test membership with
   *  `p.profile_key IN (SELECT o.profile_key FROM orders o WHERE ...)` (also `events`, `consents`): uncorrelated, so
   *  Athena plans it as a semi-join, and the profile numbers it reads cost a byte a row where ids cost twenty. */
  where: z.string().check(z.minLength(1), z.maxLength(4000)),
});
export type SegmentDefinition = z.infer<typeof segmentSchema>;

export class SegmentError extends Error {}

/**
 * The membership query of a segment: restricted profiles are never members (a segment is for activation). The filter
 * is one expression: no statement separators or comments that could end it early.
 */
export function segmentSql(segment: SegmentDefinition): string {
  if (/;|--|\/\*/.test(segment.where)) throw new SegmentError(`Segment ${segment.name}: the filter must be one SQL expression (no ';' or comments)`);
  return `SELECT p.profile_id FROM profiles p WHERE p.snapshot_date = {{snapshot}} AND NOT p.restricted AND (${segment.where}) ORDER BY p.profile_id`;
}
