import type { Readable } from 'node:stream';
import { Parser } from 'csv-parse';
import type { TextEncoding } from '../domain/dialect.ts';
import type { SourceRow } from './types.ts';

/** Windows-1252's characters at 0x80-0x9F, where ISO-8859-1 (Node's `latin1`) has control characters. */
const CP1252_C1 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const C1 = /[\u0080-\u009f]/;
const C1_ALL = /[\u0080-\u009f]/g;
const fix1252 = (s: string): string => (C1.test(s) ? s.replace(C1_ALL, (c) => CP1252_C1[c.charCodeAt(0) - 0x80]!) : s);

export interface CsvOptions {
  readonly encoding: TextEncoding;
  readonly delimiter: string;
  /** Byte offset of the first byte of `body` in the file (after a resume); line numbers continue from `firstLine`. */
  readonly baseOffset?: number;
  readonly firstLine?: number;
}

/** A parsed record with where csv-parse stood after it: the line it ends on and the bytes consumed. */
interface Parsed {
  readonly record: string[];
  readonly lines: number;
  readonly bytes: number;
}

/**
 * csv-parse's stream parser, emitting one array of records per input chunk instead of one stream item per record.
 * csv-parse parses a chunk synchronously inside `_transform` and pushes each record; here those pushes are
 * collected (with the live `info` position, which costs nothing, where `info: true` copies an object per record),
 * and the chunk's records leave as one item. A consumer then awaits once per chunk, not once per row.
 */
class ChunkedParser extends Parser {
  private collected: Parsed[] | undefined;

  override _transform(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.collect(() => super._transform(chunk, encoding, callback));
  }

  override _flush(callback: (error?: Error | null) => void): void {
    this.collect(() => super._flush(callback));
  }

  override push(record: unknown, encoding?: BufferEncoding): boolean {
    if (this.collected === undefined) return super.push(record, encoding);
    if (record !== null) {
      this.collected.push({ record: record as string[], lines: this.info.lines, bytes: this.info.bytes });
      return true;
    }
    // The end of the stream, signalled while parsing: the chunk's records go out first.
    this.release();
    return super.push(null);
  }

  private collect(parse: () => void): void {
    this.collected = [];
    try {
      parse();
    } finally {
      this.release();
    }
  }

  private release(): void {
    const out = this.collected;
    this.collected = undefined;
    if (out !== undefined && out.length > 0) super.push(out);
  }
}

/**
 * Streams CSV rows with their line numbers and end offsets, one array per chunk read. csv-parse works on the raw
 * bytes (UTF-8, UTF-16LE or Latin-1 with the Windows-1252 characters restored), so the byte position is a true
 * offset a resumed import can start from. Quoted fields with embedded newlines are one row; rows with a different
 * cell count are yielded as they are (the caller rejects them).
 */
export async function* readCsvBatches(body: Readable, options: CsvOptions): AsyncGenerator<SourceRow[]> {
  const encoding = options.encoding === 'utf8' ? 'utf8' : options.encoding === 'utf16le' ? 'utf16le' : 'latin1';
  const fix = options.encoding === 'windows-1252';
  const base = options.baseOffset ?? 0;
  const lineBase = (options.firstLine ?? 1) - 1;
  const parser = body.pipe(
    new ChunkedParser({
      delimiter: options.delimiter,
      encoding,
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      // A malformed record (an unclosed quote, a stray closing quote) is reported and skipped, not fatal: the rows
      // before and after it still count.
      skip_records_with_error: true,
    }),
  );
  body.on('error', (e) => parser.destroy(e));
  const skipped: { line: number; code: string }[] = [];
  parser.on('skip', (err: { code?: string; lines?: number }) => {
    skipped.push({ line: lineBase + (err.lines ?? 0), code: `csv.${(err.code ?? 'CSV_UNKNOWN').slice(4).toLowerCase()}` });
  });
  const flushSkipped = (beforeLine: number, out: SourceRow[]): void => {
    while (skipped.length > 0 && skipped[0]!.line < beforeLine) {
      const s = skipped.shift()!;
      out.push({ cells: [], line: s.line, error: s.code });
    }
  };
  // csv-parse's info.lines is the line a record ends on, but it counts a CRLF inside quotes as two lines; `extra`
  // carries that over-count forward so every later row keeps its true line.
  let extra = 0;
  for await (const parsed of parser as AsyncIterable<Parsed[]>) {
    const out: SourceRow[] = [];
    for (const { record: cells, lines, bytes } of parsed) {
      if (fix) for (let i = 0; i < cells.length; i++) cells[i] = fix1252(cells[i]!);
      let breaks = 0;
      for (const c of cells) {
        if (!c.includes('\n') && !c.includes('\r')) continue;
        for (let i = 0; i < c.length; i++) {
          const ch = c[i];
          if (ch === '\n') breaks++;
          else if (ch === '\r') {
            breaks++;
            if (c[i + 1] === '\n') {
              extra++;
              i++;
            }
          }
        }
      }
      const line = lineBase + lines - extra - breaks;
      if (skipped.length > 0) flushSkipped(line, out);
      out.push({ cells, line, endOffset: base + bytes });
    }
    if (out.length > 0) yield out;
  }
  const rest: SourceRow[] = [];
  flushSkipped(Number.POSITIVE_INFINITY, rest);
  if (rest.length > 0) yield rest;
}

/** The same rows one at a time. */
export async function* readCsv(body: Readable, options: CsvOptions): AsyncGenerator<SourceRow> {
  for await (const rows of readCsvBatches(body, options)) yield* rows;
}
