import { DuckDBInstance } from '@duckdb/node-api';

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
