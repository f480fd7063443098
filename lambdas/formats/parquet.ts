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

/** The digit at `i` (NaN when it is not one). */
const digit = (s: string, i: number): number => {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : Number.NaN;
};
const number = (s: string, from: number, length: number): number => {
  let n = 0;
  for (let i = from; i < from + length; i++) n = n * 10 + digit(s, i);
  return n;
};

/** Days from 1970-01-01 to a proleptic Gregorian date (Hinnant's days_from_civil); days past a month's end roll over. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

/** Whether `s` starts with `yyyy-MM-dd` in range (a day past the month's end rolls over, as in Date.parse). */
const civilDate = (s: string): number => {
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return Number.NaN;
  const year = number(s, 0, 4);
  const month = number(s, 5, 2);
  const day = number(s, 8, 2);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 ? daysFromCivil(year, month, day) : Number.NaN;
};

/**
 * Milliseconds since the epoch of an ISO timestamp, as Date.parse reads it. Stored timestamps all come from
 * toISOString (`2026-11-23T03:15:00.000Z`): that form is read with integer arithmetic, several times faster than
 * Date.parse; anything else goes to Date.parse.
 */
export function isoMillis(s: string): number {
  if (s.length === 24 && s.charCodeAt(10) === 84 && s.charCodeAt(13) === 58 && s.charCodeAt(16) === 58 && s.charCodeAt(19) === 46 && s.charCodeAt(23) === 90) {
    const days = civilDate(s);
    const hour = number(s, 11, 2);
    const minute = number(s, 14, 2);
    const second = number(s, 17, 2);
    const ms = number(s, 20, 3);
    // NaN fails every comparison: a non-digit falls through to Date.parse.
    if (days === days && hour <= 23 && minute <= 59 && second <= 59 && ms >= 0) return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + ms;
  }
  return Date.parse(s);
}

/** Days since the epoch of the date an ISO date or timestamp starts with (`2026-11-23`). */
export function isoDays(s: string): number {
  const days = s.length >= 10 ? civilDate(s) : Number.NaN;
  return days === days ? days : Math.floor(Date.parse(s.slice(0, 10)) / DAY_MS);
}

/** A number for a numeric column (NaN stands for null; a value of the wrong shape becomes null). */
function toNumber(type: Exclude<ColumnType, 'string'>, v: unknown): number {
  if (v === null || v === undefined || v === '') return Number.NaN;
  switch (type) {
    case 'int':
    case 'bigint':
      return Math.trunc(Number(v));
    case 'double':
      return Number(v);
    case 'boolean':
      return v === true || v === 'true' ? 1 : v === false || v === 'false' ? 0 : Number.NaN;
    case 'date':
      return isoDays(String(v));
    case 'timestamp':
      return isoMillis(String(v));
  }
}

/** The column's Parquet values from its stored numbers, in the order `rows` lists (all of them in turn when absent). */
function fromNumbers(type: Exclude<ColumnType, 'string'>, data: Float64Array, count: number, rows?: Uint32Array): unknown[] {
  const out = new Array<unknown>(count);
  for (let i = 0; i < count; i++) {
    const n = data[rows ? rows[i]! : i]!;
    if (!Number.isFinite(n)) out[i] = null;
    else if (type === 'bigint' || type === 'timestamp') out[i] = BigInt(n);
    else if (type === 'boolean') out[i] = n === 1;
    else out[i] = n;
  }
  return out;
}

const ROW_BITS = 2 ** 21;
const KEY_LIMIT = 2 ** 31;

/**
 * Row numbers sorted by a numeric column (nulls last; equal values keep the order they were added in), or undefined
 * when the rows are in that order already. Keys that are ints (profile numbers) sort as key * 2^21 + row in one
 * native sort of a Float64Array, three times faster than a comparator.
 */
function sortedRows(data: Float64Array, count: number): Uint32Array | undefined {
  // A null (any non-finite number, as fromNumbers reads it) sorts last.
  const rank = (i: number) => (Number.isFinite(data[i]!) ? data[i]! : Number.POSITIVE_INFINITY);
  let inOrder = true;
  let ints = count < ROW_BITS;
  for (let i = 0; i < count; i++) {
    const k = rank(i);
    if (k !== Number.POSITIVE_INFINITY) ints &&= Number.isInteger(k) && k >= 0 && k < KEY_LIMIT;
    if (i > 0 && k < rank(i - 1)) inOrder = false;
  }
  if (inOrder) return undefined;
  const rows = new Uint32Array(count);
  if (ints) {
    const packed = new Float64Array(count);
    for (let i = 0; i < count; i++) packed[i] = Math.min(rank(i), KEY_LIMIT) * ROW_BITS + i;
    packed.sort();
    for (let i = 0; i < count; i++) rows[i] = packed[i]! % ROW_BITS;
    return rows;
  }
  for (let i = 0; i < count; i++) rows[i] = i;
  return rows.sort((a, b) => rank(a) - rank(b) || a - b);
}

/**
 * Integer columns (ints, dates, timestamps) are delta-encoded: sorted keys take a few bits a row, and timestamps of
 * one month about four bytes instead of eight. Athena (Trino) and DuckDB read DELTA_BINARY_PACKED natively.
 */
const DELTA_TYPES: ReadonlySet<ColumnType> = new Set(['int', 'bigint', 'date', 'timestamp']);

/**
 * Column buffers for one file: rows go in one at a time, the file comes out columnar. Numbers, dates, timestamps and
 * booleans are kept unboxed in a Float64Array (8 bytes a value, nothing for the garbage collector to trace), strings
 * as references; the values Parquet wants (BigInts for 64-bit integers) are made only when the file is written.
 */
export class ColumnBuffer {
  private readonly numbers: (Float64Array | undefined)[];
  private readonly strings: ((string | null)[] | undefined)[];
  rows = 0;

  /** `orderBy` names a numeric column the file's rows are sorted by when it is written. */
  constructor(
    private readonly columns: readonly Column[],
    private readonly orderBy?: string,
  ) {
    this.numbers = columns.map((c) => (c.type === 'string' ? undefined : new Float64Array(256)));
    this.strings = columns.map((c) => (c.type === 'string' ? [] : undefined));
  }

  add(row: Row): void {
    const at = this.rows;
    for (let i = 0; i < this.columns.length; i++) {
      const col = this.columns[i]!;
      const v = row[col.name];
      const strings = this.strings[i];
      if (strings) {
        strings.push(v === null || v === undefined || v === '' ? null : String(v));
        continue;
      }
      let data = this.numbers[i]!;
      if (at === data.length) {
        const grown = new Float64Array(data.length * 2);
        grown.set(data);
        this.numbers[i] = data = grown;
      }
      data[at] = toNumber(col.type as Exclude<ColumnType, 'string'>, v);
    }
    this.rows++;
  }

  toParquet(): Uint8Array {
    const schema: SchemaElement[] = [{ name: 'root', num_children: this.columns.length }, ...this.columns.map((c) => element(c.name, c.type))];
    const sortBy = this.orderBy === undefined ? -1 : this.columns.findIndex((c) => c.name === this.orderBy && c.type !== 'string');
    const order = sortBy >= 0 ? sortedRows(this.numbers[sortBy]!, this.rows) : undefined;
    const columnData = this.columns.map((c, i) => {
      const strings = this.strings[i];
      return {
        name: c.name,
        data: (strings
          ? order
            ? Array.from(order, (r) => strings[r])
            : strings
          : fromNumbers(c.type as Exclude<ColumnType, 'string'>, this.numbers[i]!, this.rows, order)) as never,
        ...(DELTA_TYPES.has(c.type) ? { encoding: 'DELTA_BINARY_PACKED' as const } : {}),
        // Min/max statistics let engines skip row groups by date or number; on strings they cost more than they save.
        statistics: c.type !== 'string',
      };
    });
    return new Uint8Array(parquetWriteBuffer({ columnData, schema, rowGroupSize: 250_000 }));
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
