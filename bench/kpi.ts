import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { loadKpiFiles, repositoryKpiFiles } from '../lambdas/adapters/kpi-files.ts';
import { S3LakeStore } from '../lambdas/adapters/s3-lake-store.ts';
import { KPIS, renderSql } from '../lambdas/domain/kpi/definitions.ts';
import { consentRows, eventRow, type EventFacts, orderRow, type OrderFacts, profileRow } from '../lambdas/domain/lake/rows.ts';
import { type CuratedTable, CURATED_TABLES, curatedTables } from '../lambdas/domain/lake/tables.ts';
import { emptyProfile, type FieldValue, type ProfileState } from '../lambdas/domain/profile.ts';
import { columnBytes } from '../lambdas/formats/parquet.ts';
import type { LakeSource, LakeVisitor } from '../lambdas/ports/lake.ts';
import { publishKpis } from '../lambdas/usecases/publish-kpis.ts';
import { DuckLakeEngine } from '../local/engines/duckdb.ts';
import { startS3 } from '../local/engines/s3.ts';
import { createBuckets } from '../local/resources.ts';
import { twinSdkEnvironment } from '../local/twin.ts';
import type { Benchmark, Figure } from './types.ts';

const PROFILES = Number(process.env.BENCH_KPI_PROFILES ?? 1_000_000);
const EVENTS_PER_PROFILE = Number(process.env.BENCH_KPI_EVENTS_PER_PROFILE ?? 5);
const AS_OF = '2026-11-23';
const PROVINCES: [string, string][] = [['MI', 'Lombardia'], ['RM', 'Lazio'], ['NA', 'Campania'], ['TO', 'Piemonte'], ['BO', 'Emilia-Romagna'], ['FI', 'Toscana'], ['BA', 'Puglia'], ['PA', 'Sicilia']];
const SOURCES = ['erp', 'shopify', 'newsletter', 'forms'];

const DAY_MS = 86_400_000;
const two = (n: number) => String(n).padStart(2, '0');

/**
 * A deterministic synthetic customer base: PROFILES people, EVENTS_PER_PROFILE records each, a third of them buyers.
 * Timestamps are made from a table of days (toISOString would cost the generator more than the publisher's parsing).
 */
export class SyntheticSource implements LakeSource {
  async scan(v: LakeVisitor): Promise<void> {
    let x = 42;
    const rand = () => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x / 2 ** 31;
    };
    const base = Date.parse('2022-01-01T00:00:00Z');
    const days = Array.from({ length: (Date.parse(`${AS_OF}T00:00:00Z`) - base) / DAY_MS }, (_, d) => new Date(base + d * DAY_MS).toISOString().slice(0, 11));
    const clock = Array.from({ length: 24 * 60 }, (_, m) => `${two(Math.floor(m / 60))}:${two(m % 60)}:`);
    const at = () => `${days[Math.floor(rand() * days.length)]}${clock[Math.floor(rand() * clock.length)]}${two(Math.floor(rand() * 60))}.000Z`;
    // Which source each surviving value came from (the publisher reads no more of a profile's values): shared.
    const valuesFrom = SOURCES.map((s) => {
      const fv = (v: string): FieldValue[] => [{ v, s, t: days[0]!, r: 'r' }];
      return { firstName: fv('X'), city: fv('Città'), province: fv('MI'), region: fv('Lombardia'), country: fv('IT'), gender: fv('F'), birthDate: fv('1980-01-01') };
    });
    for (let i = 0; i < PROFILES; i++) {
      // A page of the table scan: the publisher may hold the source while its uploads catch up.
      if (i % 1000 === 0) await v.drain();
      const id = `p_${i.toString(16).padStart(20, '0')}`;
      const [province, region] = PROVINCES[i % PROVINCES.length]!;
      const times = Array.from({ length: EVENTS_PER_PROFILE }, at).sort();
      const src = SOURCES[i % SOURCES.length]!;
      const buyer = i % 3 === 0;
      const orders: OrderFacts[] = buyer ? times.slice(0, 1 + (i % 4)).map((t, k) => ({ profileId: id, orderKey: `shopify#${i}-${k}`, source: 'shopify', placedAt: t, total: 20 + (i % 200), currency: 'EUR' })) : [];
      const state: ProfileState = {
        ...emptyProfile(id, times[0]!),
        values: valuesFrom[i % SOURCES.length]!,
        attributes: { firstName: 'X', city: 'Città', province, region, country: 'IT', gender: i % 2 ? 'F' : 'M', birthDate: `${1950 + (i % 55)}-0${1 + (i % 9)}-1${i % 9}` },
        identifiers: [`email:${id}@example.it`],
        sources: [src],
        recordCount: EVENTS_PER_PROFILE,
        firstSeenAt: times[0]!,
        lastSeenAt: times.at(-1)!,
        consents: i % 2 ? { marketing: { granted: i % 4 === 1, at: times[0]!, source: src, r: 'r' } } : {},
        orders: { count: orders.length, revenue: orders.reduce((s, o) => s + (o.total ?? 0), 0), ...(orders[0] ? { firstAt: orders[0].placedAt, lastAt: orders.at(-1)!.placedAt } : {}) },
      };
      v.profile(state);
      for (let k = 0; k < times.length; k++) {
        const e: EventFacts = { profileId: id, occurredAt: times[k]!, source: k < orders.length ? 'shopify' : SOURCES[(i + k) % SOURCES.length]!, kind: k < orders.length ? 'order' : k % 2 ? 'interaction' : 'contact', channel: k % 2 ? 'webhook' : 'file' };
        v.event(e);
      }
      for (const o of orders) v.order(o);
    }
  }
  async *importReports() {}
}

/** NDJSON bytes of each curated table for the same data (what a JSON lake would scan whole). */
async function ndjsonSizes(): Promise<Record<CuratedTable, number>> {
  const sizes = Object.fromEntries(CURATED_TABLES.map((t) => [t, 0])) as Record<CuratedTable, number>;
  const line = (t: CuratedTable, row: object) => (sizes[t] += Buffer.byteLength(JSON.stringify(row)) + 1);
  await new SyntheticSource().scan({
    profile: (s) => {
      line('profiles', profileRow(s, AS_OF));
      for (const c of consentRows(s)) line('consents', c);
    },
    merged: () => undefined,
    event: (e) => line('events', eventRow(e)),
    order: (o) => line('orders', orderRow(o)),
    request: () => undefined,
    drain: async () => undefined,
  });
  return sizes;
}

/** What Athena would scan for a KPI: the column chunks of the columns its SQL names, in the partitions it reads. */
function scannedBy(sql: string, files: Map<CuratedTable, Map<string, number>[]>): { bytes: number; tables: CuratedTable[] } {
  const words = new Set(sql.toLowerCase().match(/[a-z_][a-z0-9_]*/g) ?? []);
  let bytes = 0;
  const tables: CuratedTable[] = [];
  for (const table of CURATED_TABLES) {
    if (!new RegExp(`\\b(from|join)\\s+${table}\\b`, 'i').test(sql)) continue;
    tables.push(table);
    const columns = curatedTables[table].columns.map((c) => c.name).filter((c) => words.has(c));
    for (const file of files.get(table) ?? []) for (const c of columns) bytes += file.get(c) ?? 0;
  }
  return { bytes, tables };
}

export const kpiBench: Benchmark = {
  name: 'kpi',
  description: `KPI refresh on the twin (s3rver lake, DuckDB) over ${PROFILES.toLocaleString('en')} profiles and ${(PROFILES * EVENTS_PER_PROFILE).toLocaleString('en')} events; Parquet scanned per KPI beside NDJSON`,
  async run(): Promise<Figure[]> {
    const dir = mkdtempSync(path.join(tmpdir(), 'cdp-bench-kpi-'));
    const s3e = await startS3(path.join(dir, 's3'));
    try {
      Object.assign(process.env, twinSdkEnvironment({ dynamodb: 'http://127.0.0.1:1', s3: s3e.endpoint, sqs: 'http://127.0.0.1:1' }));
      const s3 = new S3Client({});
      const buckets = await createBuckets(s3);
      const lake = new S3LakeStore(s3, buckets.lake);
      const engine = new DuckLakeEngine(lake, path.join(dir, 'mirror'));
      const files = loadKpiFiles(repositoryKpiFiles());
      let peakRss = 0;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 100);
      const started = Date.now();
      const report = await publishKpis({ source: new SyntheticSource(), lake, engine, sql: files.sql, config: files.config, segments: files.segments, now: () => new Date(`${AS_OF}T03:15:00Z`) });
      const total = (Date.now() - started) / 1000;
      clearInterval(sampler);
      await engine.stop();

      const perFile = new Map<CuratedTable, Map<string, number>[]>();
      for (const table of CURATED_TABLES) {
        const list: Map<string, number>[] = [];
        for await (const key of lake.list(curatedTables[table].prefix)) list.push(columnBytes((await lake.get(key))!));
        perFile.set(table, list);
      }
      const ndjson = await ndjsonSizes();
      const mb = (b: number) => Math.round((b / 1e6) * 100) / 100;
      const figures: Figure[] = [
        { name: 'refresh, whole (snapshot + every KPI + segments)', value: Math.round(total * 10) / 10, unit: 's', target: '≤ 60 s', ok: total <= 60 },
        { name: '  of which curated snapshot (rows -> Parquet -> S3)', value: report.seconds.snapshot, unit: 's' },
        { name: '  of which KPIs on DuckDB (incl. mirroring the lake)', value: Math.round((total - report.seconds.snapshot) * 10) / 10, unit: 's' },
        { name: '  Parquet files written', value: report.files.written, unit: 'files' },
        { name: 'peak RSS', value: Math.round(peakRss / 2 ** 20), unit: 'MB' },
      ];
      for (const kpi of KPIS) {
        const sql = renderSql(files.sql(kpi.name), { asOf: AS_OF, config: files.config });
        const { bytes, tables } = scannedBy(sql, perFile);
        const json = tables.reduce((s, t) => s + ndjson[t], 0);
        if (json === 0) continue;
        const ratio = Math.round((bytes / json) * 10000) / 10000;
        figures.push({ name: `scanned by ${kpi.name} (${tables.join('+')})`, value: mb(bytes), unit: 'MB', baseline: mb(json), ratio, target: '≤ 0.05× NDJSON', ok: ratio <= 0.05 });
      }
      return figures;
    } finally {
      await s3e.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
