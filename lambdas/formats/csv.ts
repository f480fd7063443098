import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
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

/**
 * Streams CSV rows with their line numbers and end offsets. csv-parse works on the raw bytes (UTF-8, UTF-16LE or
 * Latin-1 with the Windows-1252 characters restored), so `info.bytes` is a true byte offset a resumed import can
 * start from. Quoted fields with embedded newlines are one row; rows with a different cell count are yielded as
 * they are (the caller rejects them).
 */
export async function* readCsv(body: Readable, options: CsvOptions): AsyncGenerator<SourceRow> {
  const encoding = options.encoding === 'utf8' ? 'utf8' : options.encoding === 'utf16le' ? 'utf16le' : 'latin1';
  const fix = options.encoding === 'windows-1252';
  const base = options.baseOffset ?? 0;
  const lineBase = (options.firstLine ?? 1) - 1;
  const parser = body.pipe(
    parse({
      delimiter: options.delimiter,
      encoding,
      bom: true,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      // A malformed record (an unclosed quote, a stray closing quote) is reported and skipped, not fatal: the rows
      // before and after it still count.
      skip_records_with_error: true,
    }),
  );
  const skipped: { line: number; code: string }[] = [];
  parser.on('skip', (err: { code?: string; lines?: number }) => {
    skipped.push({ line: lineBase + (err.lines ?? 0), code: `csv.${(err.code ?? 'CSV_UNKNOWN').slice(4).toLowerCase()}` });
  });
  const flushSkipped = function* (beforeLine: number): Generator<SourceRow> {
    while (skipped.length > 0 && skipped[0]!.line < beforeLine) {
      const s = skipped.shift()!;
      yield { cells: [], line: s.line, error: s.code };
    }
  };
  // csv-parse's info.lines is the line a record ends on, but it counts a CRLF inside quotes as two lines; `extra`
  // carries that over-count forward so every later row keeps its true line.
  let extra = 0;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number; bytes: number } }>) {
    const cells = fix ? record.map(fix1252) : record;
    let breaks = 0;
    for (const c of record) {
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
    const endLine = info.lines - extra;
    const line = lineBase + endLine - breaks;
    yield* flushSkipped(line);
    yield { cells, line, endOffset: base + info.bytes };
  }
  yield* flushSkipped(Number.POSITIVE_INFINITY);
}
