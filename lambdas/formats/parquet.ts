import { parquetMetadata, parquetReadObjects, type SchemaElement } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { Column, ColumnType, Row } from '../domain/lake/tables.ts';

/**
 * Parquet for the lake (hyparquet-writer and hyparquet: small, no native code). Types follow the Glue column types;
 * dates are Parquet DATEs and timestamps TIMESTAMP_MILLIS, which Athena and DuckDB both read natively.
 */

const element = (name: string, type: ColumnType): SchemaElement => {
  const base = { name, repetition_type: 'OPTIONAL' as const };
  switch (type) {
    case 'string':
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8' };
    case 'int':
      return { ...base, type: 'INT32' };
    case 'bigint':
      return { ...base, type: 'INT64' };
    case 'double':
      return { ...base, type: 'DOUBLE' };
    case 'boolean':
      return { ...base, type: 'BOOLEAN' };
    case 'date':
      return { ...base, type: 'INT32', converted_type: 'DATE' };
    case 'timestamp':
      return { ...base, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' };
  }
};

const DAY_MS = 86_400_000;

/** A row value as the column's Parquet value (null stays null; a value of the wrong shape becomes null). */
function convert(type: ColumnType, v: unknown): unknown {
  if (v === null || v === undefined || v === '') return null;
  switch (type) {
    case 'string':
      return String(v);
    case 'int': {
      const n = Number(v);
      return Number.isFinite(n) ? Math.trunc(n) : null;
    }
    case 'bigint': {
      const n = Number(v);
      return Number.isFinite(n) ? BigInt(Math.trunc(n)) : null;
    }
    case 'double': {
      const n = Number(v);
      return Number.isFinite(n) ? n : null;
    }
    case 'boolean':
      return typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : null;
    case 'date': {
      const t = Date.parse(String(v).slice(0, 10));
      return Number.isFinite(t) ? Math.floor(t / DAY_MS) : null;
    }
    case 'timestamp': {
      const t = Date.parse(String(v));
      return Number.isFinite(t) ? BigInt(t) : null;
    }
  }
}

/** Column buffers for one file: rows go in one at a time, the file comes out columnar. */
export class ColumnBuffer {
  private readonly data: unknown[][];
  rows = 0;

  constructor(private readonly columns: readonly Column[]) {
    this.data = columns.map(() => []);
  }

  add(row: Row): void {
    for (let i = 0; i < this.columns.length; i++) {
      const col = this.columns[i]!;
      this.data[i]!.push(convert(col.type, row[col.name]));
    }
    this.rows++;
  }

  toParquet(): Uint8Array {
    const schema: SchemaElement[] = [{ name: 'root', num_children: this.columns.length }, ...this.columns.map((c) => element(c.name, c.type))];
    const buffer = parquetWriteBuffer({
      // Min/max statistics let engines skip row groups by date or number; on strings they cost more than they save.
      columnData: this.columns.map((c, i) => ({ name: c.name, data: this.data[i] as never, statistics: c.type !== 'string' })),
      schema,
      rowGroupSize: 250_000,
    });
    return new Uint8Array(buffer);
  }
}

export function toParquet(columns: readonly Column[], rows: Iterable<Row>): Uint8Array {
  const buffer = new ColumnBuffer(columns);
  for (const row of rows) buffer.add(row);
  return buffer.toParquet();
}

const asyncBuffer = (bytes: Uint8Array) => {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return ab;
};

/** The rows of a Parquet file (dates as `yyyy-MM-dd`, timestamps as ISO strings, 64-bit integers as numbers). */
export async function readParquet(bytes: Uint8Array, columns?: string[]): Promise<Row[]> {
  const file = asyncBuffer(bytes);
  // The footer is parsed once: for the reader, and to tell DATE columns from timestamps.
  const metadata = parquetMetadata(file);
  const dates = new Set(metadata.schema.filter((e) => e.converted_type === 'DATE').map((e) => e.name));
  const rows = (await parquetReadObjects({ file, metadata, ...(columns ? { columns } : {}) })) as Record<string, unknown>[];
  return rows.map((r) => {
    const out: Row = {};
    for (const [k, v] of Object.entries(r)) {
      out[k] =
        v === undefined || v === null
          ? null
          : typeof v === 'bigint'
            ? Number(v)
            : v instanceof Date
              ? dates.has(k)
                ? v.toISOString().slice(0, 10)
                : v.toISOString()
              : (v as string | number | boolean);
    }
    return out;
  });
}

/** Compressed bytes per column of a Parquet file (what Athena scans when a query reads that column). */
export function columnBytes(bytes: Uint8Array): Map<string, number> {
  const meta = parquetMetadata(asyncBuffer(bytes));
  const out = new Map<string, number>();
  for (const group of meta.row_groups) {
    for (const chunk of group.columns) {
      const name = chunk.meta_data?.path_in_schema.join('.') ?? '';
      out.set(name, (out.get(name) ?? 0) + Number(chunk.meta_data?.total_compressed_size ?? 0));
    }
  }
  return out;
}
