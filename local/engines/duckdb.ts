import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { type ColumnType, CURATED_TABLES, curatedTables } from '../../lambdas/domain/lake/tables.ts';
import type { LakeStore, SqlEngine } from '../../lambdas/ports/lake.ts';

/** Athena's stand-in: DuckDB reading the lake's Parquet files from disk (no httpfs offline). */
export interface QueryEngine {
  query(sql: string): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

export async function startDuckDb(): Promise<QueryEngine> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  return {
    async query(sql) {
      const reader = await connection.runAndReadAll(sql);
      return reader.getRowObjectsJson() as Record<string, unknown>[];
    },
    async stop() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

const DUCK_TYPES: Record<ColumnType, string> = {
  string: 'VARCHAR',
  int: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
};

/**
 * Trino functions of the KPI SQL's common subset that DuckDB names differently. DuckDB's `timezone(zone, x)` is both
 * of Trino's: a wall time read in the zone (Trino's `with_timezone`), and an instant's wall time there (`at_timezone`,
 * whose `year()` and `month()` are the zone's in both).
 */
const TRINO_MACROS = [
  'CREATE OR REPLACE MACRO approx_percentile(x, p) AS quantile_cont(x, p)',
  'CREATE OR REPLACE MACRO with_timezone(ts, zone) AS timezone(zone, ts)',
  'CREATE OR REPLACE MACRO at_timezone(instant, zone) AS timezone(zone, instant)',
];

/**
 * The twin's Athena: mirrors the lake's curated Parquet files to a local folder (by key; only new or changed files
 * are fetched) and exposes each curated table as a DuckDB view with the Hive partition column, as Glue does.
 */
export class DuckLakeEngine implements SqlEngine {
  private connection?: Awaited<ReturnType<DuckDBInstance['connect']>>;
  private instance?: DuckDBInstance;
  private readonly mirrored = new Map<string, string>();

  constructor(
    private readonly lake: LakeStore,
    private readonly dir: string,
  ) {}

  private async connect() {
    if (!this.connection) {
      this.instance = await DuckDBInstance.create(':memory:');
      this.connection = await this.instance.connect();
      for (const macro of TRINO_MACROS) await this.connection.run(macro);
    }
    return this.connection;
  }

  async refresh(): Promise<void> {
    const db = await this.connect();
    const wanted = new Set<string>();
    for (const table of CURATED_TABLES) {
      for await (const key of this.lake.list(curatedTables[table].prefix)) {
        if (!key.endsWith('.parquet')) continue;
        wanted.add(key);
        const hash = await this.lake.contentHash(key);
        const file = path.join(this.dir, key);
        if (hash && this.mirrored.get(key) === hash) continue;
        const bytes = await this.lake.get(key);
        if (!bytes) continue;
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, bytes);
        this.mirrored.set(key, hash ?? '');
      }
    }
    for (const file of walk(path.join(this.dir, 'curated'))) {
      const key = path.relative(this.dir, file).split(path.sep).join('/');
      if (!wanted.has(key)) {
        rmSync(file);
        this.mirrored.delete(key);
      }
    }
    for (const table of CURATED_TABLES) {
      const def = curatedTables[table];
      const files = [...wanted].some((k) => k.startsWith(def.prefix));
      const glob = path.join(this.dir, def.prefix, '*', '*.parquet').replaceAll("'", "''");
      // Typed as the Glue table is: the partition column a string, every declared column present even when empty.
      await db.run(
        files
          ? `CREATE OR REPLACE VIEW ${table} AS SELECT ${def.columns.map((c) => `CAST(${c.name} AS ${DUCK_TYPES[c.type]}) AS ${c.name}`).join(', ')}, ${def.partition.name} FROM read_parquet('${glob}', hive_partitioning = true, hive_types = {'${def.partition.name}': VARCHAR}, union_by_name = true)`
          : `CREATE OR REPLACE VIEW ${table} AS SELECT * FROM (SELECT ${def.columns.map((c) => `CAST(NULL AS ${DUCK_TYPES[c.type]}) AS ${c.name}`).join(', ')}, CAST(NULL AS VARCHAR) AS ${def.partition.name}) WHERE false`,
      );
    }
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    const db = await this.connect();
    const reader = await db.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  }

  async stop(): Promise<void> {
    this.connection?.closeSync();
    this.instance?.closeSync();
    this.connection = undefined;
    this.instance = undefined;
  }
}

function* walk(dir: string): Generator<string> {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}
