import { KPIS, kpiNamed, type KpiDefinition } from '../domain/kpi/definitions.ts';
import { kpiPrefix, type Row, segmentPrefix } from '../domain/lake/tables.ts';
import { readParquet } from '../formats/parquet.ts';
import type { LakeStore } from '../ports/lake.ts';

/** Snapshot dates published under a prefix (`.../snapshot_date=2026-11-23/...`), newest first. */
export async function snapshots(lake: LakeStore, prefix: string): Promise<string[]> {
  const dates = new Set<string>();
  for await (const key of lake.list(prefix)) {
    const m = /snapshot_date=(\d{4}-\d{2}-\d{2})\//.exec(key);
    if (m) dates.add(m[1]!);
  }
  return [...dates].sort().reverse();
}

async function readSnapshot(lake: LakeStore, prefix: string, date: string): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const key of lake.list(`${prefix}snapshot_date=${date}/`)) {
    if (!key.endsWith('.parquet')) continue;
    const bytes = await lake.get(key);
    if (bytes) rows.push(...(await readParquet(bytes)));
  }
  return rows;
}

export interface KpiTable {
  readonly kpi: KpiDefinition;
  readonly snapshotDate: string;
  readonly rows: Row[];
}

export class UnknownKpiError extends Error {}

/** A KPI table as published (the newest snapshot, or the given date); undefined when never published. */
export async function readKpi(lake: LakeStore, name: string, date?: string): Promise<KpiTable | undefined> {
  const kpi = kpiNamed(name);
  if (!kpi) throw new UnknownKpiError(`No KPI named ${name}; the KPIs are ${KPIS.map((k) => k.name).join(', ')}`);
  const snapshotDate = date ?? (await snapshots(lake, kpiPrefix(name)))[0];
  if (!snapshotDate) return undefined;
  return { kpi, snapshotDate, rows: await readSnapshot(lake, kpiPrefix(name), snapshotDate) };
}

/** Every KPI's newest table (what the dashboard draws). */
export async function readAllKpis(lake: LakeStore): Promise<KpiTable[]> {
  const out: KpiTable[] = [];
  for (const kpi of KPIS) {
    const t = await readKpi(lake, kpi.name);
    if (t) out.push(t);
  }
  return out;
}

/** A segment's members in its newest (or the given) snapshot. */
export async function readSegment(lake: LakeStore, name: string, date?: string): Promise<{ snapshotDate: string; members: string[] } | undefined> {
  const snapshotDate = date ?? (await snapshots(lake, segmentPrefix(name)))[0];
  if (!snapshotDate) return undefined;
  const rows = await readSnapshot(lake, segmentPrefix(name), snapshotDate);
  return { snapshotDate, members: rows.map((r) => String(r.profile_id)) };
}
