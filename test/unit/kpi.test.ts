import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import parser from 'node-sql-parser/build/trino.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositoryKpiFiles, loadKpiFiles } from '../../lambdas/adapters/kpi-files.ts';
import { DEFAULT_KPI_CONFIG, KPIS, kpiConfigSchema, renderSql, segmentSql, SegmentError } from '../../lambdas/domain/kpi/definitions.ts';
import { ageBand, profileRow } from '../../lambdas/domain/lake/rows.ts';
import { DEFAULT_LEAD_SCORE_RULES, leadScore } from '../../lambdas/domain/lead-score.ts';
import { curatedTables, type Row } from '../../lambdas/domain/lake/tables.ts';
import fc from 'fast-check';
import { ColumnBuffer, columnBytes, isoDays, isoMillis, readParquet } from '../../lambdas/formats/parquet.ts';
import { parquetMetadata } from 'hyparquet';
import { FILES_IN_FLIGHT, publishKpis, type PublishReport, ROWS_PER_FILE, writeCuratedPart } from '../../lambdas/usecases/publish-kpis.ts';
import { DuckLakeEngine, startDuckDb } from '../../local/engines/duckdb.ts';
import { AS_OF, FixtureSource, PROFILES } from '../support/kpi-fixture.ts';
import { MemoryLake } from '../support/memory-ports.ts';
import type { LakeVisitor } from '../../lambdas/ports/lake.ts';

const files = loadKpiFiles(repositoryKpiFiles());

describe('KPI SQL: one file per KPI, in the subset Athena (Trino) and DuckDB share', () => {
  const trino = new parser.Parser();
  it.each(KPIS.map((k) => k.name))('%s parses as Trino SQL', (name) => {
    const sql = renderSql(files.sql(name), { asOf: AS_OF, config: DEFAULT_KPI_CONFIG });
    expect(() => trino.astify(sql, { database: 'trino' })).not.toThrow();
  });

  it.each(KPIS.map((k) => k.name))('%s parses as Trino SQL with months counted in a time zone', (name) => {
    const sql = renderSql(files.sql(name), { asOf: AS_OF, config: { ...DEFAULT_KPI_CONFIG, timeZone: 'Europe/Rome' } });
    expect(() => trino.astify(sql, { database: 'trino' })).not.toThrow();
  });

  it('saved segments parse as Trino SQL, and a filter that tries to end the statement is refused', () => {
    expect(files.segments.length).toBeGreaterThan(0);
    for (const s of files.segments) expect(() => trino.astify(renderSql(segmentSql(s), { asOf: AS_OF, config: DEFAULT_KPI_CONFIG }), { database: 'trino' })).not.toThrow();
    expect(() => segmentSql({ name: 'x', description: '', where: "1=1; DROP TABLE profiles" })).toThrow(SegmentError);
    expect(() => segmentSql({ name: 'x', description: '', where: '1=1 -- comment' })).toThrow(SegmentError);
  });

  it('keeps to the common subset: no integer division, FILTER, date_add or DuckDB/Trino-only names', () => {
    for (const k of KPIS) {
      const sql = files.sql(k.name).replace(/--.*$/gm, '');
      expect(sql, k.name).not.toMatch(/\bFILTER\s*\(|\bdate_add\b|\bdate_format\b|\bquantile|\bmedian\(|\bstrftime\b|::|\/\/|\bilike\b/i);
    }
  });

  it('refuses an unknown placeholder and a malformed date', () => {
    expect(() => renderSql('SELECT {{nope}}', { asOf: AS_OF, config: DEFAULT_KPI_CONFIG })).toThrow(/nope/);
    expect(() => renderSql('SELECT {{month_of}}', { asOf: AS_OF, config: DEFAULT_KPI_CONFIG })).toThrow(/needs a column/);
    expect(() => renderSql('SELECT {{as_of:placed_at}}', { asOf: AS_OF, config: DEFAULT_KPI_CONFIG })).toThrow(/takes no column/);
    expect(kpiConfigSchema.safeParse({ timeZone: 'Europe/Roma' }).success).toBe(false);
    expect(kpiConfigSchema.parse({ timeZone: 'Europe/Rome' }).timeZone).toBe('Europe/Rome');
    expect(() => renderSql('SELECT 1', { asOf: "2026-01-01' OR 1=1", config: DEFAULT_KPI_CONFIG })).toThrow(/yyyy-MM-dd/);
  });
});

describe('curated rows are pseudonymous', () => {
  it('an age band, never the birth date; no names, e-mails or phones', () => {
    expect(ageBand('2008-11-24', '2026-11-23')).toBe('under 18');
    expect(ageBand('2008-11-23', '2026-11-23')).toBe('18-24');
    expect(ageBand('1961-11-23', '2026-11-23')).toBe('65+');
    expect(ageBand('1961-11-24', '2026-11-23')).toBe('55-64');
    expect(ageBand(undefined, '2026-11-23')).toBeNull();
    const text = JSON.stringify(PROFILES.map((p, i) => profileRow(p, i, AS_OF, { rules: DEFAULT_LEAD_SCORE_RULES })));
    for (const secret of ['Giulia', 'Rossi', 'giulia@example.it', '3331234567', '1990-05-01', 'Ferri']) expect(text).not.toContain(secret);
    const columns = Object.values(curatedTables).flatMap((t) => t.columns.map((c) => c.name));
    for (const banned of ['email', 'phone', 'first_name', 'last_name', 'birth_date', 'line1', 'street', 'tax_code']) expect(columns).not.toContain(banned);
  });
});

describe('every KPI on DuckDB over a customer base worked out by hand', () => {
  let dir: string;
  let lake: MemoryLake;
  let engine: DuckLakeEngine;
  let report: PublishReport;
  const kpi = async (name: string): Promise<Row[]> => {
    const bytes = await lake.get(`kpi/${name}/snapshot_date=${AS_OF}/part-00000.parquet`);
    expect(bytes, name).toBeDefined();
    return readParquet(bytes!);
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cdp-kpi-'));
    lake = new MemoryLake();
    engine = new DuckLakeEngine(lake, dir);
    const segments = [
      { name: 'milan', description: 'Milan', where: "p.province = 'MI'" },
      { name: 'recent-buyers', description: 'bought over 40 in 90 days', where: "p.profile_id IN (SELECT o.profile_id FROM orders o WHERE o.placed_at >= {{as_of}} - INTERVAL '90' DAY AND o.total > 40 AND coalesce(o.status, '') <> 'cancelled' AND NOT o.test)" },
    ];
    report = await publishKpis({ source: new FixtureSource(), lake, engine, sql: files.sql, config: DEFAULT_KPI_CONFIG, segments, now: () => new Date(`${AS_OF}T10:00:00Z`) });
  }, 60_000);
  afterAll(async () => {
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the curated tables, partitioned by snapshot date and by month', () => {
    expect(report.tables).toEqual({ profiles: 4, events: 7, orders: 6, consents: 3, imports: 4, requests: 6, merges: 1, duplicates: 4 });
    const keys = [...lake.objects.keys()];
    expect(keys).toContain(`curated/profiles/snapshot_date=${AS_OF}/part-00000.parquet`);
    expect(keys).toContain('curated/events/month=2026-10/part-00000.parquet');
    expect(keys).toContain('curated/orders/month=2022-03/part-00000.parquet');
  });

  it('answers exactly the declared columns for every KPI', async () => {
    for (const k of KPIS) {
      const rows = await engine.query(renderSql(files.sql(k.name), { asOf: AS_OF, config: DEFAULT_KPI_CONFIG }));
      expect(rows.length, k.name).toBeGreaterThan(0);
      expect(Object.keys(rows[0]!), k.name).toEqual(k.columns.map((c) => c.name));
    }
  });

  it('customer_base: totals, active, new, lost and reactivated per month', async () => {
    const rows = await kpi('customer_base');
    expect(rows).toHaveLength(24);
    expect(rows[0]!.month).toBe('2024-12');
    expect(rows.at(-1)!.month).toBe('2026-11');
    const at = (m: string) => rows.find((r) => r.month === m)!;
    expect(at('2024-12')).toMatchObject({ total_profiles: 2, new_profiles: 0, active: 1, lost: 0 });
    expect(at('2025-01')).toMatchObject({ total_profiles: 2, active: 0, lost: 1 });
    expect(at('2025-06')).toMatchObject({ total_profiles: 3, new_profiles: 1, active: 1, new_customers: 1 });
    expect(at('2026-02')).toMatchObject({ active: 1, reactivated: 0, lost: 0 });
    expect(at('2026-10')).toMatchObject({ active: 2, reactivated: 1, new_customers: 0 });
    expect(at('2026-11')).toMatchObject({ total_profiles: 4, new_profiles: 1, active: 2 });
    expect(rows.reduce((s, r) => s + Number(r.lost), 0)).toBe(1);
    expect(rows.reduce((s, r) => s + Number(r.new_customers), 0)).toBe(1);
  });

  it('geography: people per province with customers and revenue', async () => {
    expect(await kpi('geography')).toEqual([
      { country: 'IT', region: 'Lombardia', province: 'MI', profiles: 2, customers: 1, revenue: 150 },
      { country: 'IT', region: 'Lazio', province: 'RM', profiles: 1, customers: 1, revenue: 80 },
      { country: 'unknown', region: 'unknown', province: 'unknown', profiles: 1, customers: 1, revenue: 40 },
    ]);
  });

  it('demographics: age bands and gender of people, size and sector of companies', async () => {
    expect(await kpi('demographics')).toEqual([
      { dimension: 'age_band', value: '18-24', profiles: 1, customers: 1 },
      { dimension: 'age_band', value: '35-44', profiles: 1, customers: 1 },
      { dimension: 'age_band', value: 'unknown', profiles: 1, customers: 1 },
      { dimension: 'company_sector', value: 'retail', profiles: 1, customers: 0 },
      { dimension: 'company_size', value: '10-49', profiles: 1, customers: 0 },
      { dimension: 'gender', value: 'F', profiles: 1, customers: 1 },
      { dimension: 'gender', value: 'M', profiles: 1, customers: 1 },
      { dimension: 'gender', value: 'unknown', profiles: 1, customers: 1 },
    ]);
  });

  it('sources: records, profiles, profiles created and fields enriched per source and touchpoint', async () => {
    expect(await kpi('sources')).toEqual([
      { source: 'erp', touchpoint: '(all)', records: 3, profiles: 3, new_profiles: 2, enriched_fields: 8 },
      { source: 'erp', touchpoint: 'file', records: 3, profiles: 3, new_profiles: 2, enriched_fields: null },
      { source: 'forms', touchpoint: '(all)', records: 1, profiles: 1, new_profiles: 0, enriched_fields: 0 },
      { source: 'forms', touchpoint: 'web-form', records: 1, profiles: 1, new_profiles: 0, enriched_fields: null },
      { source: 'shop', touchpoint: '(all)', records: 3, profiles: 2, new_profiles: 2, enriched_fields: 9 },
      { source: 'shop', touchpoint: 'webhook', records: 3, profiles: 2, new_profiles: 2, enriched_fields: null },
    ]);
  });

  it('revenue: per month of the last 24, and the repeat rate and lifetime value overall (cancelled and test orders left out)', async () => {
    expect(await kpi('revenue')).toEqual([
      { period: '2025-06', orders: 1, revenue: 80, buyers: 1, aov: 80, repeat_rate: null, clv: null },
      { period: '2026-10', orders: 1, revenue: 50, buyers: 1, aov: 50, repeat_rate: null, clv: null },
      { period: 'all', orders: 4, revenue: 270, buyers: 3, aov: 67.5, repeat_rate: 0.3333, clv: 90 },
    ]);
  });

  it('rfm: buyers in named segments by recency and frequency quintiles', async () => {
    expect(await kpi('rfm')).toEqual([
      { segment: 'at_risk', customers: 1, avg_recency_days: 1729, avg_frequency: 1, avg_monetary: 40, revenue: 40 },
      { segment: 'hibernating', customers: 1, avg_recency_days: 537, avg_frequency: 1, avg_monetary: 80, revenue: 80 },
      { segment: 'loyal', customers: 1, avg_recency_days: 40, avg_frequency: 2, avg_monetary: 150, revenue: 150 },
    ]);
  });

  it('consents: the marketable base leaves out restricted profiles and those without the channel; grants without a date of their own are counted', async () => {
    expect(await kpi('consents')).toEqual([{ purpose: 'marketing', granted: 2, denied: 1, marketable_email: 1, marketable_phone: 0, restricted: 1, granted_undated: 1 }]);
  });

  it('data_quality: completeness per field, rejects per source and reason, stale profiles, duplicate candidates', async () => {
    const rows = await kpi('data_quality');
    const get = (metric: string, detail: string | null, source: string | null = null) => rows.find((r) => r.metric === metric && r.detail === detail && r.source === source);
    expect(get('completeness', 'email')).toMatchObject({ value: 0.5, row_count: 2 });
    expect(get('completeness', 'phone')).toMatchObject({ value: 0.25, row_count: 1 });
    expect(get('completeness', 'city')).toMatchObject({ value: 0.75, row_count: 3 });
    expect(get('completeness', 'address')).toMatchObject({ value: 0, row_count: 0 });
    expect(get('rejected_rows', 'email.invalid', 'erp')).toMatchObject({ row_count: 1 });
    expect(get('rejected_rows', 'date.impossible', 'erp')).toMatchObject({ row_count: 1 });
    expect(get('rejection_rate', null, 'erp')).toMatchObject({ value: 0.2, row_count: 2 });
    expect(get('rejection_rate', null, 'shop')).toMatchObject({ value: 0, row_count: 0 });
    expect(get('stale_profiles', null)).toMatchObject({ value: 1, row_count: 1 });
    expect(rows.filter((r) => r.metric === 'completeness')).toHaveLength(12);
    expect(rows.filter((r) => r.metric === 'duplicate_candidates').map((r) => [r.detail, r.row_count])).toEqual([
      ['dismissed', 1],
      ['merged', 1],
      ['open', 2],
    ]);
  });

  it('identity_health: merge rate, merged profiles, cluster sizes, blocked links', async () => {
    expect(await kpi('identity_health')).toEqual([
      { metric: 'blocked_links', bucket: 'email.role', value: 1 },
      { metric: 'cluster_size', bucket: '1', value: 2 },
      { metric: 'cluster_size', bucket: '2', value: 1 },
      { metric: 'cluster_size', bucket: '3', value: 1 },
      { metric: 'merge_rate', bucket: null, value: 0.4286 },
      { metric: 'merged_profiles', bucket: null, value: 1 },
      { metric: 'profiles', bucket: null, value: 4 },
      { metric: 'records', bucket: null, value: 7 },
    ]);
  });

  it('privacy_requests: by type, open past the deadline, median days to complete', async () => {
    expect(await kpi('privacy_requests')).toEqual([
      { request_type: 'access', received: 2, completed: 0, rejected_or_failed: 0, open: 2, overdue: 1, median_days_to_complete: null },
      { request_type: 'erasure', received: 3, completed: 3, rejected_or_failed: 0, open: 0, overdue: 0, median_days_to_complete: 2.5 },
      { request_type: 'rectification', received: 1, completed: 0, rejected_or_failed: 1, open: 0, overdue: 0, median_days_to_complete: 1 },
    ]);
    // What the AWS alarm on requests past the GDPR deadline watches.
    expect(report.overdueRequests).toBe(1);
  });

  it('segments: membership per snapshot, restricted profiles never members', async () => {
    expect(report.segments).toEqual({ milan: 1, 'recent-buyers': 1 });
    const rows = await readParquet((await lake.get(`segments/milan/snapshot_date=${AS_OF}/part-00000.parquet`))!);
    expect(rows).toEqual([{ profile_id: 'p1' }]);
  });

  it('a second run over unchanged data rewrites no month file, and a month that lost its rows is removed', async () => {
    const again = await publishKpis({ source: new FixtureSource(), lake, engine, sql: files.sql, config: DEFAULT_KPI_CONFIG, segments: [], now: () => new Date(`${AS_OF}T11:00:00Z`) });
    expect(again.files.written).toBe(0);
    expect(again.files.unchanged).toBe(report.files.written);
    const fewer = new FixtureSource({ profiles: PROFILES.slice(0, 3), events: [], orders: [], requests: [], imports: [], merges: [], duplicates: [] });
    const third = await publishKpis({ source: fewer, lake, engine, sql: files.sql, config: DEFAULT_KPI_CONFIG, segments: [], now: () => new Date(`${AS_OF}T12:00:00Z`) });
    expect([...lake.objects.keys()].filter((k) => k.startsWith('curated/events/') || k.startsWith('curated/orders/'))).toEqual([]);
    expect(third.files.removed).toBeGreaterThan(0);
    expect((await kpi('geography')).reduce((s, r) => s + Number(r.profiles), 0)).toBe(3);
  });

  it('writes files of bounded size', () => {
    expect(ROWS_PER_FILE).toBeLessThanOrEqual(250_000);
  });
});

it('the KPI SQL files on disk are the ones the registry names', () => {
  for (const k of KPIS) expect(readFileSync(path.join(repositoryKpiFiles().sqlDir, `${k.name}.sql`), 'utf8')).toMatch(new RegExp(`^-- ${k.name}:`));
});

it('keeps at most rowsBuffered rows in memory however many month partitions fill at once', async () => {
  const limits = { rowsPerFile: 20_000, rowsBuffered: 30_000 };
  const lake = new MemoryLake();
  const events = Array.from({ length: limits.rowsBuffered + 1000 }, (_, i) => ({ profileId: `p${i}`, occurredAt: `20${10 + (i % 12)}-0${1 + (i % 9)}-01T00:00:00.000Z`, source: 'erp', kind: 'contact' }));
  const engine = { refresh: async () => undefined, query: async () => [] };
  const report = await publishKpis({ source: new FixtureSource({ profiles: [], events, orders: [], requests: [], imports: [], merges: [], duplicates: [] }), lake, engine, sql: files.sql, config: DEFAULT_KPI_CONFIG, segments: [], now: () => new Date(`${AS_OF}T10:00:00Z`), limits });
  expect(report.tables.events).toBe(events.length);
  // The largest month was written out early as its own part: more files than months.
  const months = new Set(events.map((e) => e.occurredAt.slice(0, 7)));
  expect([...lake.objects.keys()].filter((k) => k.startsWith('curated/events/')).length).toBeGreaterThan(months.size);
  let rows = 0;
  for (const [k, o] of lake.objects) if (k.startsWith('curated/events/')) rows += (await readParquet(o.bytes, ['profile_id'])).length;
  expect(rows).toBe(events.length);
}, 60_000);

describe('curated files: rows sorted by profile number, integers delta-encoded', () => {
  // Keys out of order, repeated, and a null; timestamps, ints and strings with nulls.
  const rows: Row[] = Array.from({ length: 700 }, (_, i) => ({
    profile_id: `p_${(i * 7919) % 701}`,
    profile_key: i === 5 ? null : ((i * 7919) % 701) * 3,
    occurred_at: i % 11 === 0 ? null : new Date(Date.UTC(2026, 0, 1) + ((i * 104_729) % 2_600_000) * 1000).toISOString(),
    source: i % 3 ? 'erp' : null,
    kind: 'contact',
    channel: null,
    touchpoint: null,
    blocked_links: i % 13 === 0 ? null : i % 4,
    blocked_reason: null,
  }));
  const buffer = new ColumnBuffer(curatedTables.events.columns, curatedTables.events.orderBy);
  for (const r of rows) buffer.add(r);
  const bytes = buffer.toParquet();
  // Sorted by key (nulls last), rows of one key in the order they came.
  const expected = rows.map((r, i) => [r, i] as const).sort(([a, i], [b, j]) => ((a.profile_key as number | null) ?? Infinity) - ((b.profile_key as number | null) ?? Infinity) || i - j).map(([r]) => r);

  it('reads back every value, in key order', async () => {
    expect(await readParquet(bytes)).toEqual(expected);
  });

  it('writes the integer columns DELTA_BINARY_PACKED, which DuckDB reads to the same values', async () => {
    const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    const encodings = new Map(meta.row_groups[0]!.columns.map((c) => [c.meta_data!.path_in_schema[0]!, c.meta_data!.encodings]));
    for (const c of ['profile_key', 'occurred_at', 'blocked_links']) expect(encodings.get(c), c).toContain('DELTA_BINARY_PACKED');
    expect(encodings.get('profile_id')).not.toContain('DELTA_BINARY_PACKED');
    const dir = mkdtempSync(path.join(tmpdir(), 'cdp-parquet-'));
    const duck = await startDuckDb();
    try {
      writeFileSync(path.join(dir, 'events.parquet'), bytes);
      const read = await duck.query(
        `SELECT profile_key, strftime(occurred_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS occurred_at, blocked_links FROM read_parquet('${path.join(dir, 'events.parquet')}')`,
      );
      expect(read).toEqual(expected.map((r) => ({ profile_key: r.profile_key, occurred_at: r.occurred_at, blocked_links: r.blocked_links })));
    } finally {
      await duck.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sorts any keys stably, nulls last: ints, doubles, keys past 2^31, rows already in order (property)', async () => {
    const columns = [
      { name: 'k', type: 'double' as const },
      { name: 'i', type: 'int' as const },
    ];
    const key = fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }), fc.constant(2 ** 31 + 5));
    await fc.assert(
      fc.asyncProperty(fc.array(key, { maxLength: 300 }), fc.boolean(), async (keys, presorted) => {
        const rank = (k: number | null) => (k === null ? Infinity : k);
        const input = presorted ? [...keys].sort((a, b) => rank(a) - rank(b) || 0) : keys;
        const b = new ColumnBuffer(columns, 'k');
        input.forEach((k, i) => b.add({ k, i }));
        const want = input.map((k, i) => ({ k: Object.is(k, -0) ? 0 : k, i })).sort((x, y) => rank(x.k) - rank(y.k) || x.i - y.i);
        const got = (await readParquet(b.toParquet())).map((r) => ({ k: Object.is(r.k, -0) ? 0 : r.k, i: r.i }));
        expect(got).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });

  it('makes the sorted profile numbers the cheapest column to scan', () => {
    const size = columnBytes(bytes);
    expect(size.get('profile_key')! * 4).toBeLessThan(size.get('profile_id')!);
  });
});

describe('Parquet timestamps and dates are read as Date.parse reads them', () => {
  const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
  const digits = (n: number) => fc.stringMatching(new RegExp(`^\\d{${n}}$`));
  const shaped = fc
    .tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), digits(3))
    .map(([y, mo, d, h, mi, sec, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${sec}.${ms}Z`);

  it('any instant, as toISOString writes it', () => {
    fc.assert(fc.property(fc.date({ min: new Date(-5e12), max: new Date(2e13), noInvalidDate: true }), (d) => isoMillis(d.toISOString()) === d.getTime()), { numRuns: 5000 });
  });

  it('any string of that shape, impossible dates and times included, and any other string', () => {
    fc.assert(fc.property(shaped, (s) => same(isoMillis(s), Date.parse(s)) && same(isoDays(s), Math.floor(Date.parse(s.slice(0, 10)) / 86_400_000))), { numRuns: 5000 });
    fc.assert(fc.property(fc.string(), (s) => same(isoMillis(s), Date.parse(s))));
    expect(isoMillis('2026-13-01T00:00:00.000Z')).toBeNaN();
    expect(isoMillis('2026-11-23T03:15:00Z')).toBe(Date.parse('2026-11-23T03:15:00Z'));
    expect(isoDays('2026-11-23')).toBe(20_780);
  });
});

describe('back-pressure: the source waits while uploads catch up', () => {
  /** A lake whose uploads take a while; counts how many run at once while the source is still scanning. */
  class SlowLake extends MemoryLake {
    active = 0;
    peak = 0;
    scanning = true;
    failOn?: string;
    override async put(key: string, bytes: Uint8Array, hash: string): Promise<void> {
      if (this.scanning) this.peak = Math.max(this.peak, ++this.active);
      else this.active++;
      await new Promise((r) => setTimeout(r, 2));
      this.active--;
      if (this.failOn && key.includes(this.failOn)) throw new Error('upload refused');
      await super.put(key, bytes, hash);
    }
  }
  const limits = { rowsPerFile: 50, rowsBuffered: 100 };
  const engine = { refresh: async () => undefined, query: async () => [] };
  const source = (lake: SlowLake) => ({
    async scan(v: LakeVisitor) {
      for (let i = 0; i < 3000; i++) {
        v.event({ profileId: `p${i}`, profileKey: i, occurredAt: `20${10 + (i % 10)}-0${1 + (i % 9)}-01T00:00:00.000Z`, source: 'erp', kind: 'contact' });
        await v.drain();
      }
      lake.scanning = false;
    },
    async *importReports() {},
  });

  it(`keeps at most ${FILES_IN_FLIGHT} files of a table waiting for their upload`, async () => {
    const lake = new SlowLake();
    const report = await publishKpis({ source: source(lake), lake, engine, sql: files.sql, config: DEFAULT_KPI_CONFIG, segments: [], now: () => new Date(`${AS_OF}T10:00:00Z`), limits });
    expect(report.tables.events).toBe(3000);
    expect(report.files.written).toBeGreaterThan(30);
    expect(lake.peak).toBeGreaterThan(1);
    expect(lake.peak).toBeLessThanOrEqual(FILES_IN_FLIGHT + 1);
  });

  it('a failed upload fails the run with its error, nothing left unhandled', async () => {
    const lake = new SlowLake();
    lake.failOn = 'month=2012-03';
    await expect(publishKpis({ source: source(lake), lake, engine, sql: files.sql, config: DEFAULT_KPI_CONFIG, segments: [], now: () => new Date(`${AS_OF}T10:00:00Z`), limits })).rejects.toThrow('upload refused');
  });
});

it("scores the lake's profiles by the configured lead-score rules, as of the snapshot date", async () => {
  const scores = async (scoring?: Parameters<typeof writeCuratedPart>[0]['scoring']) => {
    const lake = new MemoryLake();
    await writeCuratedPart({ source: new FixtureSource(), lake, ...(scoring ? { scoring } : {}) }, AS_OF);
    const rows = await readParquet((await lake.get(`curated/profiles/snapshot_date=${AS_OF}/part-00000.parquet`))!);
    return new Map(rows.map((r) => [r.profile_id, r.lead_score]));
  };
  const byDefault = await scores();
  expect([...byDefault.values()]).toEqual(PROFILES.map((p) => leadScore(p, DEFAULT_LEAD_SCORE_RULES, AS_OF)));
  // A business that scores only orders, 25 each: every profile's score is its orders'.
  const own = await scores({ rules: [{ when: 'orders', points: 25 }] });
  expect([...own.values()]).toEqual(PROFILES.map((p) => Math.min(100, p.orders.count * 25)));
  expect([...own.values()]).not.toEqual([...byDefault.values()]);
});

it('a snapshot split in parts (threads in AWS) publishes the same KPIs as one pass, in files of its own per part', async () => {
  const run = async (count: number) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cdp-kpi-parts-'));
    const lake = new MemoryLake();
    const engine = new DuckLakeEngine(lake, dir);
    try {
      const parts = (asOf: string) => Promise.all(Array.from({ length: count }, (_, index) => writeCuratedPart({ source: new FixtureSource(), lake }, asOf, { index, count })));
      const report = await publishKpis({ source: new FixtureSource(), lake, engine, sql: files.sql, config: DEFAULT_KPI_CONFIG, segments: [], now: () => new Date(`${AS_OF}T10:00:00Z`), parts });
      const kpis: Record<string, Row[]> = {};
      for (const k of KPIS) kpis[k.name] = await readParquet((await lake.get(`kpi/${k.name}/snapshot_date=${AS_OF}/part-00000.parquet`))!);
      return { report, kpis, keys: [...lake.objects.keys()] };
    } finally {
      await engine.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const [whole, split] = [await run(1), await run(3)];
  expect(split.report.tables).toEqual(whole.report.tables);
  expect(split.kpis).toEqual(whole.kpis);
  expect(split.keys).toContain(`curated/profiles/snapshot_date=${AS_OF}/part-00002.parquet`);
  // Only part 0 reads the import reports.
  expect(split.keys.filter((k) => k.startsWith('curated/imports/'))).toEqual([`curated/imports/snapshot_date=${AS_OF}/part-00000.parquet`]);
}, 60_000);

it('runs as many KPI queries at once as the engine takes (Athena: several), and publishes every KPI', async () => {
  let running = 0;
  let peak = 0;
  const engine = {
    concurrency: 3,
    refresh: async () => undefined,
    async query() {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return [];
    },
  };
  const lake = new MemoryLake();
  const report = await publishKpis({ source: new FixtureSource(), lake, engine, sql: files.sql, config: DEFAULT_KPI_CONFIG, segments: [], now: () => new Date(`${AS_OF}T10:00:00Z`) });
  expect(peak).toBe(3);
  expect(Object.keys(report.kpis)).toEqual(KPIS.map((k) => k.name));
  for (const k of KPIS) expect(lake.objects.has(`kpi/${k.name}/snapshot_date=${AS_OF}/part-00000.parquet`), k.name).toBe(true);
});

it('revenue: an order whose amount could not be read counts as an order, and the average is over the amounts known', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cdp-kpi-unknown-'));
  const lake = new MemoryLake();
  const engine = new DuckLakeEngine(lake, dir);
  try {
    const orders = [
      { profileId: 'p1', orderKey: 'shop#1', source: 'shop', placedAt: '2026-10-15T00:00:00.000Z', total: 100, currency: 'EUR' },
      // Its price was left blank in the export (flagged at import): no total.
      { profileId: 'p1', orderKey: 'erp#2', source: 'erp', placedAt: '2026-10-20T00:00:00.000Z', currency: 'EUR' },
    ];
    const source = new FixtureSource({ profiles: PROFILES.slice(0, 1), events: [], orders, requests: [], imports: [], merges: [], duplicates: [] });
    await publishKpis({ source, lake, engine, sql: files.sql, config: DEFAULT_KPI_CONFIG, segments: [], now: () => new Date(`${AS_OF}T10:00:00Z`) });
    const rows = await readParquet((await lake.get(`kpi/revenue/snapshot_date=${AS_OF}/part-00000.parquet`))!);
    expect(rows).toEqual([
      { period: '2026-10', orders: 2, revenue: 100, buyers: 1, aov: 100, repeat_rate: null, clv: null },
      { period: 'all', orders: 2, revenue: 100, buyers: 1, aov: 100, repeat_rate: 1, clv: 100 },
    ]);
  } finally {
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

it("revenue and customer_base count months in the business's time zone: an order at 00:30 on the 1st in Rome is that month's", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cdp-kpi-zone-'));
  const lake = new MemoryLake();
  const engine = new DuckLakeEngine(lake, dir);
  try {
    // 23:30 UTC on 31 October is 00:30 on 1 November in Rome (winter time); 22:30 UTC on 30 June is 00:30 on 1 July (summer time).
    const orders = [
      { profileId: 'p1', orderKey: 'shop#1', source: 'shop', placedAt: '2026-10-31T23:30:00.000Z', total: 100, currency: 'EUR' },
      { profileId: 'p1', orderKey: 'shop#2', source: 'shop', placedAt: '2026-06-30T22:30:00.000Z', total: 10, currency: 'EUR' },
    ];
    const events = orders.map((o) => ({ profileId: o.profileId, occurredAt: o.placedAt, source: 'shop', kind: 'order', channel: 'webhook' }));
    const source = new FixtureSource({ profiles: PROFILES.slice(0, 1), events, orders, requests: [], imports: [], merges: [], duplicates: [] });
    const periods = async (config: typeof DEFAULT_KPI_CONFIG) => {
      await publishKpis({ source, lake, engine, sql: files.sql, config, segments: [], now: () => new Date(`${AS_OF}T10:00:00Z`) });
      const revenue = await readParquet((await lake.get(`kpi/revenue/snapshot_date=${AS_OF}/part-00000.parquet`))!);
      const base = await readParquet((await lake.get(`kpi/customer_base/snapshot_date=${AS_OF}/part-00000.parquet`))!);
      return { revenue: revenue.filter((r) => r.period !== 'all').map((r) => r.period), newCustomers: base.filter((r) => Number(r.new_customers) > 0).map((r) => r.month) };
    };
    expect(await periods(DEFAULT_KPI_CONFIG)).toEqual({ revenue: ['2026-06', '2026-10'], newCustomers: ['2026-06'] });
    expect(await periods({ ...DEFAULT_KPI_CONFIG, timeZone: 'Europe/Rome' })).toEqual({ revenue: ['2026-07', '2026-11'], newCustomers: ['2026-07'] });
  } finally {
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

it('revenue and rfm: a credit note takes its amount off the revenue and is no order, nor makes a buyer', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cdp-kpi-credit-'));
  const lake = new MemoryLake();
  const engine = new DuckLakeEngine(lake, dir);
  try {
    const orders = [
      { profileId: 'p1', orderKey: 'fatture#1/2026', source: 'fatture', placedAt: '2026-10-15T00:00:00.000Z', total: 100, currency: 'EUR' },
      // Its credit note, five days on: the last order is still the invoice.
      { profileId: 'p1', orderKey: 'fatture#Nota di credito 1/2026', source: 'fatture', placedAt: '2026-10-20T00:00:00.000Z', total: -30, currency: 'EUR' },
      // A credit note alone (its invoice from before the export's period): no order, no buyer.
      { profileId: 'p2', orderKey: 'fatture#Nota di credito 2/2026', source: 'fatture', placedAt: '2026-10-21T00:00:00.000Z', total: -20, currency: 'EUR' },
    ];
    const source = new FixtureSource({ profiles: PROFILES.slice(0, 2), events: [], orders, requests: [], imports: [], merges: [], duplicates: [] });
    await publishKpis({ source, lake, engine, sql: files.sql, config: DEFAULT_KPI_CONFIG, segments: [], now: () => new Date(`${AS_OF}T10:00:00Z`) });
    const read = async (name: string) => readParquet((await lake.get(`kpi/${name}/snapshot_date=${AS_OF}/part-00000.parquet`))!);
    expect(await read('revenue')).toEqual([
      { period: '2026-10', orders: 1, revenue: 50, buyers: 1, aov: 50, repeat_rate: null, clv: null },
      { period: 'all', orders: 1, revenue: 50, buyers: 1, aov: 50, repeat_rate: 0, clv: 50 },
    ]);
    // One buyer (the quintiles of one are its lowest), 40 days from the invoice to the day after the snapshot, not 35
    // from the credit note, worth the invoice less its credit.
    expect(await read('rfm')).toEqual([{ segment: 'hibernating', customers: 1, avg_recency_days: 40, avg_frequency: 1, avg_monetary: 70, revenue: 70 }]);
  } finally {
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
