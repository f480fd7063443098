import { createHash } from 'node:crypto';
import { renderSql, KPIS, type KpiConfig, type KpiDefinition, segmentSql, type SegmentDefinition } from '../domain/kpi/definitions.ts';
import { DEFAULT_LEAD_SCORE_RULES, type LeadScoring } from '../domain/lead-score.ts';
import { consentRows, duplicateRow, eventRow, importRows, monthOf, orderRow, profileRow, requestRow } from '../domain/lake/rows.ts';
import { type Column, CURATED_TABLES, type CuratedTable, curatedTables, kpiPrefix, partitionPath, type Row, segmentPrefix, type TableDefinition } from '../domain/lake/tables.ts';
import { ColumnBuffer } from '../formats/parquet.ts';
import type { LakeSource, LakeStore, ScanPart, SqlEngine } from '../ports/lake.ts';
import { runThread } from '../shared/threads.ts';

/** What writing the curated tables (or a part of them) needs. */
export interface CuratedDeps {
  readonly source: LakeSource;
  readonly lake: LakeStore;
  /** Memory bounds (defaults ROWS_PER_FILE and ROWS_BUFFERED); tests make them small. */
  readonly limits?: WriteLimits;
  /** The lead score's rules (`leadScore` in config/identity.json); DEFAULT_LEAD_SCORE_RULES without them. */
  readonly scoring?: LeadScoring;
}

/** What one part of the snapshot wrote. */
export interface CuratedPart {
  /** Rows written per curated table. */
  readonly tables: Record<CuratedTable, number>;
  /** Keys of the files written or found unchanged. */
  readonly keys: string[];
  readonly written: number;
  readonly unchanged: number;
}

export interface PublishDeps extends CuratedDeps {
  readonly engine: SqlEngine;
  /** A KPI's SQL text, by name. */
  readonly sql: (name: string) => string;
  readonly config: KpiConfig;
  readonly segments: readonly SegmentDefinition[];
  readonly now: () => Date;
  /** Writes the snapshot's parts (on threads, see partsOnThreads); by default one part, here. */
  readonly parts?: (asOf: string) => Promise<CuratedPart[]>;
}

export interface WriteLimits {
  readonly rowsPerFile: number;
  readonly rowsBuffered: number;
}

export interface PublishReport {
  readonly snapshotDate: string;
  /** Rows written per curated table. */
  readonly tables: Record<CuratedTable, number>;
  /** Files written, and files left as they were because their content had not changed (incremental). */
  readonly files: { readonly written: number; readonly unchanged: number; readonly removed: number };
  readonly kpis: Record<string, number>;
  readonly segments: Record<string, number>;
  readonly seconds: { readonly snapshot: number; readonly kpis: number };
  /** Data-subject requests still open past their deadline (the privacy_requests KPI's `overdue`): alarmed on in AWS. */
  readonly overdueRequests: number;
}

/** Rows per Parquet file at most. */
export const ROWS_PER_FILE = 250_000;
/**
 * Rows a table may hold in memory across its open partitions; past it the largest is written out as a part. Buffered
 * rows cost about 100 bytes each (numbers unboxed, strings shared), so 2M rows of events fit a 2 GB function with room
 * to spare, and 5M events spread over five years of months come out as a few parts per month, not hundreds of files.
 */
export const ROWS_BUFFERED = 2_000_000;

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Files a table may have encoded and waiting for their upload; past it the source is held (LakeVisitor.drain). */
export const FILES_IN_FLIGHT = 4;

/** Writes one curated table's partitions as files of at most ROWS_PER_FILE rows; skips files whose bytes are unchanged. */
class PartitionWriter {
  private readonly open = new Map<string, { buffer: ColumnBuffer; part: number }>();
  private readonly written = new Set<string>();
  readonly counts = { rows: 0, written: 0, unchanged: 0 };
  private buffered = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly lake: LakeStore,
    private readonly table: TableDefinition,
    private readonly limits: WriteLimits,
    private readonly part: ScanPart,
  ) {}

  add(partition: string, row: Row): void {
    let slot = this.open.get(partition);
    if (!slot) {
      slot = { buffer: this.buffer(), part: 0 };
      this.open.set(partition, slot);
    }
    slot.buffer.add(row);
    this.counts.rows++;
    this.buffered++;
    if (slot.buffer.rows >= this.limits.rowsPerFile) this.rotate(partition, slot);
    else if (this.buffered >= this.limits.rowsBuffered) {
      // Many partitions filling at once (events spread over years of months): write the largest, keep memory bounded.
      const [largest, s] = [...this.open].reduce((a, b) => (b[1].buffer.rows > a[1].buffer.rows ? b : a));
      this.rotate(largest, s);
    }
  }

  /** Resolves when at most FILES_IN_FLIGHT files wait for their upload; rejects when an upload failed. */
  async drain(): Promise<void> {
    while (this.inFlight.size > FILES_IN_FLIGHT) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure.error;
  }

  private rotate(partition: string, slot: { buffer: ColumnBuffer; part: number }): void {
    this.buffered -= slot.buffer.rows;
    this.start(partition, slot.buffer, slot.part);
    slot.buffer = this.buffer();
    slot.part++;
  }

  private buffer(): ColumnBuffer {
    return new ColumnBuffer(this.table.columns, this.table.orderBy);
  }

  private start(partition: string, buffer: ColumnBuffer, part: number): void {
    const upload: Promise<void> = this.flush(partition, buffer, part).then(
      () => void this.inFlight.delete(upload),
      (error: unknown) => {
        this.failure ??= { error };
        this.inFlight.delete(upload);
      },
    );
    this.inFlight.add(upload);
  }

  private async flush(partition: string, buffer: ColumnBuffer, part: number): Promise<void> {
    // Parts of a split scan number their files apart: file n of part i of k is n*k + i.
    const key = `${partitionPath(this.table, partition)}part-${String(part * this.part.count + this.part.index).padStart(5, '0')}.parquet`;
    this.written.add(key);
    const bytes = buffer.toParquet();
    const hash = sha256(bytes);
    if ((await this.lake.contentHash(key)) === hash) {
      this.counts.unchanged++;
      return;
    }
    await this.lake.put(key, bytes, hash);
    this.counts.written++;
  }

  /** Starts writing what is left (every table's last files encode at once). */
  finish(): void {
    for (const [partition, slot] of this.open) if (slot.buffer.rows > 0 || slot.part === 0) this.start(partition, slot.buffer, slot.part);
    this.open.clear();
  }

  /** Waits for every file; returns the keys this run wrote (or found unchanged). */
  async close(): Promise<Set<string>> {
    this.finish();
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure.error;
    return this.written;
  }
}

/** The snapshot date of a run: the UTC date of `now`. */
export const snapshotDateOf = (now: Date): string => now.toISOString().slice(0, 10);

const WHOLE: ScanPart = { index: 0, count: 1 };

/**
 * One pass over (a part of) the operational stores writes the curated tables: snapshot tables under today's partition,
 * events and orders by month. A file that comes out byte-identical is not rewritten. Part 0 also writes the import
 * reports. Parts write disjoint files, so they can run at once (on threads: partsOnThreads).
 */
export async function writeCuratedPart(deps: CuratedDeps, asOf: string, part: ScanPart = WHOLE): Promise<CuratedPart> {
  const limits = deps.limits ?? { rowsPerFile: ROWS_PER_FILE, rowsBuffered: ROWS_BUFFERED };
  const scoring = deps.scoring ?? { rules: DEFAULT_LEAD_SCORE_RULES };
  const writer = (table: CuratedTable) => new PartitionWriter(deps.lake, curatedTables[table], limits, part);
  const w = {
    profiles: writer('profiles'),
    events: writer('events'),
    orders: writer('orders'),
    consents: writer('consents'),
    imports: writer('imports'),
    requests: writer('requests'),
    merges: writer('merges'),
    duplicates: writer('duplicates'),
  } satisfies Record<CuratedTable, PartitionWriter>;

  await deps.source.scan(
    {
      profile(state, key) {
        w.profiles.add(asOf, profileRow(state, key, asOf, scoring));
        for (const row of consentRows(state, key)) w.consents.add(asOf, row);
      },
      merged(profileId, into) {
        w.merges.add(asOf, { profile_id: profileId, into_profile_id: into });
      },
      event(facts) {
        w.events.add(monthOf(facts.occurredAt), eventRow(facts));
      },
      order(facts) {
        w.orders.add(monthOf(facts.placedAt), orderRow(facts));
      },
      request(state) {
        w.requests.add(asOf, requestRow(state));
      },
      duplicate(facts) {
        w.duplicates.add(asOf, duplicateRow(facts));
      },
      async drain() {
        for (const pw of Object.values(w)) await pw.drain();
      },
    },
    part,
  );
  if (part.index === 0) {
    const latest = new Map<string, Row[]>();
    for await (const report of deps.source.importReports()) latest.set(report.importId, importRows(report));
    for (const rows of latest.values()) for (const row of rows) w.imports.add(asOf, row);
  }

  for (const pw of Object.values(w)) pw.finish();
  const result = { tables: {} as Record<CuratedTable, number>, keys: [] as string[], written: 0, unchanged: 0 };
  for (const [name, pw] of Object.entries(w) as [CuratedTable, PartitionWriter][]) {
    result.keys.push(...(await pw.close()));
    result.tables[name] = pw.counts.rows;
    result.written += pw.counts.written;
    result.unchanged += pw.counts.unchanged;
  }
  return result;
}

/**
 * The snapshot split over `count` threads, each scanning its part of the table and encoding its own files (both cores
 * of a 3.5 GB function). `script` is a thread script that serves writeCuratedPart with its own adapters.
 */
export const partsOnThreads =
  (script: URL, count: number) =>
  (asOf: string): Promise<CuratedPart[]> =>
    Promise.all(Array.from({ length: count }, (_, index) => runThread<CuratedPart>(script, { asOf, part: { index, count } })));

/**
 * The KPI publisher (`publish-kpis`, daily and on `cdp kpi refresh`):
 * 1. one pass over the operational stores writes the curated tables: snapshot tables under today's partition, events
 *    and orders by month (a month whose file came out byte-identical is not rewritten; a month that no longer has
 *    rows is removed);
 * 2. every KPI's SQL runs on the engine (Athena, or DuckDB on the twin) and its rows become `kpi/<name>/`;
 * 3. every saved segment's membership becomes `segments/<name>/`.
 */
export async function publishKpis(deps: PublishDeps, asOf = snapshotDateOf(deps.now())): Promise<PublishReport> {
  const started = Date.now();
  const parts = deps.parts ? await deps.parts(asOf) : [await writeCuratedPart(deps, asOf)];
  const written = new Set(parts.flatMap((p) => p.keys));
  const tables = Object.fromEntries(CURATED_TABLES.map((t) => [t, parts.reduce((n, p) => n + p.tables[t], 0)])) as Record<CuratedTable, number>;
  const files = { written: parts.reduce((n, p) => n + p.written, 0), unchanged: parts.reduce((n, p) => n + p.unchanged, 0), removed: 0 };
  for (const name of CURATED_TABLES) {
    // Month-partitioned tables are rewritten whole: what this run did not write is gone from the source (an erasure,
    // a merge that moved an order). Snapshot tables only ever gain today's partition; their old ones age out.
    const def = curatedTables[name];
    const stale: string[] = [];
    for await (const key of deps.lake.list(def.prefix)) {
      if (written.has(key)) continue;
      if (def.partition.name === 'month' || key.startsWith(partitionPath(def, asOf))) stale.push(key);
    }
    for (const key of stale) await deps.lake.delete(key);
    files.removed += stale.length;
  }
  const snapshotSeconds = (Date.now() - started) / 1000;

  await deps.engine.refresh();
  const kpiStarted = Date.now();
  const kpis: Record<string, number> = Object.fromEntries(KPIS.map((k) => [k.name, 0]));
  let overdueRequests = 0;
  const queue = [...KPIS];
  const worker = async () => {
    for (let kpi = queue.shift(); kpi; kpi = queue.shift()) {
      const rows = await runKpi(deps, kpi, asOf);
      if (kpi.name === 'privacy_requests') overdueRequests = rows.reduce((n, r) => n + (Number(r.overdue) || 0), 0);
      await writeTable(deps.lake, `${kpiPrefix(kpi.name)}snapshot_date=${asOf}/`, kpi.columns, rows);
      kpis[kpi.name] = rows.length;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, deps.engine.concurrency ?? 1) }, worker));
  const segments: Record<string, number> = {};
  for (const segment of deps.segments) {
    const rows = await deps.engine.query(renderSql(segmentSql(segment), { asOf, config: deps.config }));
    await writeTable(deps.lake, `${segmentPrefix(segment.name)}snapshot_date=${asOf}/`, [{ name: 'profile_id', type: 'string' }], rows as Row[]);
    segments[segment.name] = rows.length;
  }
  return {
    snapshotDate: asOf,
    tables,
    files,
    kpis,
    segments,
    seconds: { snapshot: round(snapshotSeconds), kpis: round((Date.now() - kpiStarted) / 1000) },
    overdueRequests,
  };
}

const round = (n: number) => Math.round(n * 100) / 100;

/** A KPI's rows, with each column as the definition types it (engines answer numbers as strings or bigints). */
export async function runKpi(deps: Pick<PublishDeps, 'engine' | 'sql' | 'config'>, kpi: KpiDefinition, asOf: string): Promise<Row[]> {
  const raw = await deps.engine.query(renderSql(deps.sql(kpi.name), { asOf, config: deps.config }));
  return raw.map((r) => {
    const row: Row = {};
    for (const c of kpi.columns) {
      const v = r[c.name];
      row[c.name] = v === null || v === undefined ? null : c.type === 'string' ? String(v) : Number(v);
    }
    return row;
  });
}

async function writeTable(lake: LakeStore, prefix: string, columns: readonly Column[], rows: readonly Row[]): Promise<void> {
  const buffer = new ColumnBuffer(columns);
  for (const row of rows) buffer.add(row);
  const bytes = buffer.toParquet();
  await lake.put(`${prefix}part-00000.parquet`, bytes, sha256(bytes));
}
