import { Readable } from 'node:stream';
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
  /** The record delimiter, when known (found by auto-discovery otherwise). */
  readonly recordDelimiter?: '\n' | '\r\n';
}

/** Internal: how csv-parse decodes the bytes when that is not what `encoding` says (after a UTF-8 BOM). */
interface ParseOptions extends CsvOptions {
  readonly bytesAs?: 'utf8';
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
 * csv-parse alone (what `readCsvBatches` hands a file to from its first quote on) on the raw bytes (UTF-8, UTF-16LE or Latin-1 with the Windows-1252 characters restored), so the byte
 * position is a true offset a resumed import can start from. Quoted fields with embedded newlines are one row.
 */
export async function* parseCsvBatches(body: Readable, options: ParseOptions): AsyncGenerator<SourceRow[]> {
  const encoding = options.bytesAs ?? (options.encoding === 'utf8' ? 'utf8' : options.encoding === 'utf16le' ? 'utf16le' : 'latin1');
  const fix = options.encoding === 'windows-1252';
  const base = options.baseOffset ?? 0;
  const lineBase = (options.firstLine ?? 1) - 1;
  const parser = body.pipe(
    new ChunkedParser({
      delimiter: options.delimiter,
      encoding,
      ...(options.recordDelimiter ? { record_delimiter: options.recordDelimiter } : {}),
      bom: (options.baseOffset ?? 0) === 0, // a BOM is a file's first bytes, not a resumed read's
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

const LONGEST_SPLIT_LINE = 1 << 20;

/**
 * Streams CSV rows with their line numbers and end offsets, one array per chunk read; rows with a different cell
 * count are yielded as they are (the caller rejects them).
 *
 * Lines without a quote character are split where they stand: a newline found with the native byte search, the
 * line decoded once and split at the delimiter (about a seventh of csv-parse's time a row; most ERP exports quote
 * nothing). From the first line that has a quote (or a carriage return csv-parse would read as data, or an old-Mac
 * `\r` line end, or a UTF-16 BOM) to the end of the file, csv-parse reads the rest, starting at that line's first
 * byte with the line number and record delimiter found so far. Both yield the same rows, lines and offsets (tested
 * as a property of generated files).
 */
export async function* readCsvBatches(body: Readable, options: CsvOptions): AsyncGenerator<SourceRow[]> {
  const delimiter = options.delimiter;
  if (options.encoding === 'utf16le' || delimiter.length !== 1 || delimiter.charCodeAt(0) > 0x7f || delimiter === '"' || delimiter === '\r' || delimiter === '\n') {
    yield* parseCsvBatches(body, options);
    return;
  }
  const fix = options.encoding === 'windows-1252';
  let decodeAs: BufferEncoding = options.encoding === 'utf8' ? 'utf8' : 'latin1';
  let offset = options.baseOffset ?? 0; // file offset of pending[0], always a record start
  let line = options.firstLine ?? 1;
  let pending: Buffer = Buffer.alloc(0);
  let crlf: boolean | undefined = options.recordDelimiter === undefined ? undefined : options.recordDelimiter === '\r\n';
  let bomChecked = offset > 0;
  let rest = false; // csv-parse reads from `pending` on
  const iterator = (body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();

  /** Rows of the complete lines in `buf` (all of it when `end`); sets `rest` where csv-parse must take over. */
  const lines = (buf: Buffer, end: boolean): SourceRow[] => {
    const out: SourceRow[] = [];
    let pos = 0;
    if (!bomChecked) {
      if (buf.length < 3 && !end) {
        pending = buf;
        return out;
      }
      bomChecked = true;
      if (buf[0] === 0xff && buf[1] === 0xfe) return stop(buf, 0, out); // csv-parse switches to UTF-16LE on this BOM
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
        pos = 3;
        decodeAs = 'utf8'; // as csv-parse does on a UTF-8 BOM, whatever the encoding it was given
      }
    }
    const quote = buf.indexOf(0x22, pos);
    const limit = quote < 0 ? buf.length : quote;
    let cr = buf.indexOf(0x0d, pos); // the next carriage return (-1: none), searched again only once passed
    for (;;) {
      const nl = buf.indexOf(0x0a, pos);
      if (nl < 0 || nl >= limit) break;
      if (cr >= 0 && cr < pos) cr = buf.indexOf(0x0d, pos);
      const crlfEnd = nl > pos && buf[nl - 1] === 0x0d;
      if (crlf === undefined) {
        if (cr >= 0 && cr < nl - 1) return stop(buf, pos, out); // "\r" alone ends csv-parse's first record
        crlf = crlfEnd;
      }
      if (crlf !== crlfEnd) return stop(buf, pos, out); // a bare "\n" in a CRLF file, or a "\r" before "\n" in a LF one: data to csv-parse
      const stopAt = crlf ? nl - 1 : nl;
      if (cr >= 0 && cr < stopAt) return stop(buf, pos, out); // a carriage return inside a line
      if (stopAt > pos) {
        const text = buf.toString(decodeAs, pos, stopAt);
        out.push({ cells: (fix ? fix1252(text) : text).split(delimiter), line, endOffset: offset + nl + 1 });
      }
      line++;
      pos = nl + 1;
    }
    if (quote >= 0 || (end && pos < buf.length)) {
      const tail = buf.subarray(pos);
      if (quote >= 0 || tail.includes(0x0d) || !end) return stop(buf, pos, out);
      const text = tail.toString(decodeAs);
      out.push({ cells: (fix ? fix1252(text) : text).split(delimiter), line, endOffset: offset + buf.length });
      pos = buf.length;
    }
    pending = buf.subarray(pos);
    offset += pos;
    return out;
  };
  const stop = (buf: Buffer, pos: number, out: SourceRow[]): SourceRow[] => {
    rest = true;
    pending = buf.subarray(pos);
    offset += pos;
    return out;
  };

  for (;;) {
    const next = await iterator.next();
    const chunk = next.done ? undefined : Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    const buf = chunk === undefined ? pending : pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    const rows = lines(buf, next.done === true);
    if (rows.length > 0) yield rows;
    // A line longer than this is no export's row: csv-parse takes it (its buffer grows; re-joining would not).
    if (pending.length > LONGEST_SPLIT_LINE) rest = true;
    if (rest) break;
    if (next.done) return;
  }
  async function* remaining(): AsyncGenerator<Buffer> {
    if (pending.length > 0) yield pending;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  yield* parseCsvBatches(Readable.from(remaining(), { objectMode: false }), {
    ...options,
    // After a UTF-8 BOM csv-parse reads UTF-8 whatever it was told (and restores Windows-1252's characters if told so).
    ...(decodeAs === 'utf8' ? { bytesAs: 'utf8' as const } : {}),
    baseOffset: offset,
    firstLine: line,
    ...(crlf !== undefined ? { recordDelimiter: crlf ? '\r\n' : '\n' } : {}),
  });
}

/** The same rows one at a time. */
export async function* readCsv(body: Readable, options: CsvOptions): AsyncGenerator<SourceRow> {
  for await (const rows of readCsvBatches(body, options)) yield* rows;
}
