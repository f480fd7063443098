import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { loadKpiFiles, repositoryKpiFiles } from '../lambdas/adapters/kpi-files.ts';
import { S3LakeStore } from '../lambdas/adapters/s3-lake-store.ts';
import { KPIS, renderSql } from '../lambdas/domain/kpi/definitions.ts';
import { availableParallelism } from 'node:os';
import { consentRows, eventRow, orderRow, profileRow } from '../lambdas/domain/lake/rows.ts';
import { DEFAULT_LEAD_SCORE_RULES } from '../lambdas/domain/lead-score.ts';
import { type CuratedTable, CURATED_TABLES, curatedTables } from '../lambdas/domain/lake/tables.ts';
import { columnBytes } from '../lambdas/formats/parquet.ts';
import { partsOnThreads, publishKpis } from '../lambdas/usecases/publish-kpis.ts';
import { threadScript } from '../lambdas/shared/threads.ts';
import { DuckLakeEngine } from '../local/engines/duckdb.ts';
import { startS3 } from '../local/engines/s3.ts';
import { createBuckets } from '../local/resources.ts';
import { twinSdkEnvironment } from '../local/twin.ts';
import { AS_OF, EVENTS_PER_PROFILE, PROFILES, SyntheticSource } from './synthetic-source.ts';
import type { Benchmark, Figure } from './types.ts';

/** NDJSON bytes of each curated table for the same data (what a JSON lake would scan whole). */
async function ndjsonSizes(): Promise<Record<CuratedTable, number>> {
  const sizes = Object.fromEntries(CURATED_TABLES.map((t) => [t, 0])) as Record<CuratedTable, number>;
  const line = (t: CuratedTable, row: object) => (sizes[t] += Buffer.byteLength(JSON.stringify(row)) + 1);
  await new SyntheticSource().scan({
    profile: (s, key) => {
      line('profiles', profileRow(s, key, AS_OF, { rules: DEFAULT_LEAD_SCORE_RULES }));
      for (const c of consentRows(s, key)) line('consents', c);
    },
    merged: () => undefined,
    event: (e) => line('events', eventRow(e)),
    order: (o) => line('orders', orderRow(o)),
    request: () => undefined,
    duplicate: () => undefined,
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
      process.env.LAKE_BUCKET = buckets.lake;
      const lake = new S3LakeStore(s3, buckets.lake);
      const engine = new DuckLakeEngine(lake, path.join(dir, 'mirror'));
      const files = loadKpiFiles(repositoryKpiFiles());
      let peakRss = 0;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 100);
      const started = Date.now();
      // As the Lambda does: the snapshot split over one thread per core, each scanning its part and encoding its files.
      const parts = partsOnThreads(threadScript('kpi-part', import.meta.url), availableParallelism());
      const report = await publishKpis({ source: new SyntheticSource(), lake, engine, sql: files.sql, config: files.config, segments: files.segments, now: () => new Date(`${AS_OF}T03:15:00Z`), parts });
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
