/** One row as a reader yields it: its cells in header order, where it starts, and where the next row starts. */
export interface SourceRow {
  readonly cells: readonly string[];
  /** Headers of this row; set by readers whose rows carry their own keys (NDJSON, JSON). */
  readonly headers?: readonly string[];
  /** 1-based line (CSV: the line the record starts on; XLSX: the sheet row number). */
  readonly line: number;
  /** Byte offset just after this row in the (uncompressed, encoded) file, where a resumed read can start. */
  readonly endOffset?: number;
  /** Set when the row itself could not be read (e.g. a JSON line with a syntax error). */
  readonly error?: string;
}

export type FileFormat = 'csv' | 'ndjson' | 'json' | 'xlsx';

/** A file format problem that makes the whole file unreadable; `reason` is a stable code for the report. */
export class UnreadableFileError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'UnreadableFileError';
  }
}
