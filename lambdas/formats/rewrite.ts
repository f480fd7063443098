import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { detectDelimiter, detectEncoding, isSubHeader, subHeaderNames, type TextEncoding, titleLines, WHATWG_LABEL } from '../domain/dialect.ts';
import { readCsv } from './csv.ts';
import { readJsonArray, readNdjson } from './json.ts';
import { sniff } from './sniff.ts';
import { type MaybeTitle, markTitles } from './title.ts';
import type { FileFormat, SourceRow } from './types.ts';
import { otherSheets, readXlsx, sheetPath } from './xlsx.ts';

/**
 * Rewrites an export without some of its rows (erasure, Art. 17), keeping everything else as it was: the format, the
 * encoding, the delimiter, the quoting and line endings of every other row, byte for byte. CSV and NDJSON rows are cut
 * out of the bytes; JSON array elements are cut out of the text; XLSX rows are removed from the sheet and the shared
 * strings only they used are blanked. A gzip file stays gzip.
 */
export interface Rewritten {
  readonly bytes: Uint8Array;
  readonly format: FileFormat;
  /** Lines (rows, array elements) removed. */
  readonly removed: readonly number[];
  /** Rows removed from a workbook's sheets the import did not read. */
  readonly removedElsewhere: number;
  readonly rows: number;
}

/**
 * How the import read the file, as its mapping's `format` says (see readingOf): with no header row, in an encoding,
 * with a delimiter, from a named sheet. Unsaid, each is found as the import finds it, so both read the same rows.
 */
export interface ReadAs {
  readonly header?: boolean;
  /** The header's line, where the mapping placed it below a title (`format.headerLine`). */
  readonly headerLine?: number;
  readonly encoding?: TextEncoding;
  readonly delimiter?: string;
  readonly sheet?: string;
}

/**
 * `remove` decides the rows the import read; `elsewhere`, given, the rows of a workbook's other sheets (which the
 * import never read, so no lineage names them) by their cells.
 */
export async function rewriteWithout(original: Uint8Array, key: string, remove: (row: SourceRow) => boolean, readAs: ReadAs = {}, elsewhere?: (cells: readonly string[]) => boolean): Promise<Rewritten> {
  const { bytes, format, gzip } = unpack(original, key);
  let out: { bytes: Uint8Array; removed: number[]; rows: number; removedElsewhere?: number };
  if (format === 'csv') out = await rewriteCsv(bytes, remove, readAs);
  else if (format === 'ndjson') out = await rewriteLines(bytes, readNdjson(Readable.from([Buffer.from(bytes)])), remove, 1);
  else if (format === 'json') out = await rewriteJson(bytes, remove);
  else out = await rewriteXlsx(bytes, remove, readAs, elsewhere);
  const removedElsewhere = out.removedElsewhere ?? 0;
  const changed = out.removed.length > 0 || removedElsewhere > 0;
  return {
    bytes: !changed ? original : gzip ? new Uint8Array(gzipSync(out.bytes)) : out.bytes,
    format,
    removed: out.removed,
    removedElsewhere,
    rows: out.rows,
  };
}

/** A file's rows with their headers, for the lines asked for (the access bundle's raw rows). */
export async function pickRows(original: Uint8Array, key: string, want: (line: number) => boolean, readAs: ReadAs = {}): Promise<{ line: number; values: Record<string, string> }[]> {
  const out: { line: number; values: Record<string, string> }[] = [];
  const { bytes, format } = unpack(original, key);
  const keep = (row: SourceRow, headers: readonly string[] | undefined) => {
    if (row.error || !want(row.line)) return;
    const names = row.headers ?? headers ?? row.cells.map((_c, i) => String(i + 1));
    out.push({ line: row.line, values: Object.fromEntries(row.cells.map((c, i) => [names[i] ?? String(i + 1), c])) });
  };
  if (format === 'csv' || format === 'xlsx') {
    const { rows, header } = format === 'csv' ? csvRows(bytes, readAs) : sheetRows(bytes, readAs);
    for await (const row of rows) keep(row, header());
  } else if (format === 'ndjson') {
    for await (const row of readNdjson(Readable.from([Buffer.from(bytes)]))) keep(row, undefined);
  } else {
    for await (const row of readJsonArray(Readable.from([Buffer.from(bytes)]))) keep(row, undefined);
  }
  return out;
}

/**
 * A workbook's rows, in the sheets its import did not read, that `match` picks by their cells: each with its sheet and
 * line, its cells numbered as a headerless file's are (such a sheet's first row may be a header or anything). None for
 * a file of any other format.
 */
export function otherSheetRows(original: Uint8Array, key: string, match: (cells: readonly string[]) => boolean, readAs: ReadAs = {}): { sheet: string; line: number; values: Record<string, string> }[] {
  const { bytes, format } = unpack(original, key);
  if (format !== 'xlsx') return [];
  const out: { sheet: string; line: number; values: Record<string, string> }[] = [];
  for (const sheet of otherSheets(bytes, readAs.sheet)) {
    for (const row of sheet.rows) if (row.line > 0 && match(row.cells)) out.push({ sheet: sheet.name, line: row.line, values: Object.fromEntries(row.cells.map((c, i) => [String(i + 1), c])) });
  }
  return out;
}

/** A file's bytes (ungzipped) and its format, from its content and then its name. */
function unpack(original: Uint8Array, key: string): { bytes: Uint8Array; format: FileFormat; gzip: boolean } {
  const sniffed = sniff(original, key);
  const bytes = sniffed.gzip ? new Uint8Array(gunzipSync(original)) : original;
  return { bytes, gzip: sniffed.gzip, format: sniffed.gzip ? (sniff(bytes, key.replace(/\.gz$/i, '')).format ?? 'csv') : (sniffed.format ?? 'csv') };
}

/**
 * A table's data rows as the import reads them: Excel's `sep=` line, a title above the header (markTitles), the
 * header and a survey's second header row (isSubHeader) are not data, and never removed; a file mapped as having no
 * header row has data from its first row.
 */
function dataRows(read: AsyncIterable<SourceRow> | Iterable<SourceRow>, readAs: ReadAs, isSepLine: (row: SourceRow) => boolean) {
  let header: readonly string[] | undefined;
  const rows = (async function* () {
    let leading = true;
    let subHeaderDue = false;
    for await (const row of readAs.header === false ? read : markTitles(read, readAs.headerLine)) {
      if (leading && !row.error) {
        if (isSepLine(row) || (row as MaybeTitle<SourceRow>).title) continue;
        leading = false;
        if (readAs.header !== false) {
          header = row.cells.map((c) => c.trim());
          subHeaderDue = true;
          continue;
        }
      }
      if (subHeaderDue) {
        subHeaderDue = false;
        if (header && !row.error && isSubHeader(header, row.cells)) {
          header = subHeaderNames(header, row.cells);
          continue;
        }
      }
      yield row;
    }
  })();
  return { rows, header: () => header };
}

function csvRows(bytes: Uint8Array, readAs: ReadAs) {
  const encoding = readAs.encoding ?? detectEncoding(bytes.subarray(0, 65536)).encoding;
  if (encoding === 'utf16be') throw new Error('UTF-16BE exports cannot be rewritten in place');
  const sample = new TextDecoder(WHATWG_LABEL[encoding]).decode(bytes.subarray(0, 65536));
  const excelSep = /^sep=(.)\r?\n/i.exec(sample.replace(/^\ufeff/, ''));
  const delimiter = readAs.delimiter ?? excelSep?.[1] ?? detectDelimiter(excelSep ? sample.slice(sample.indexOf('\n') + 1) : sample, titleLines(readAs.headerLine, excelSep));
  const unit: 1 | 2 = encoding === 'utf16le' ? 2 : 1;
  let first = true;
  const isSepLine = (row: SourceRow): boolean => {
    const sep = first && /^sep=.?$/i.test(row.cells.join(delimiter));
    first = false;
    return sep;
  };
  return { ...dataRows(readCsv(Readable.from([Buffer.from(bytes)]), { encoding, delimiter }), readAs, isSepLine), unit };
}

const sheetRows = (bytes: Uint8Array, readAs: ReadAs) => dataRows(readXlsx(bytes, readAs.sheet), readAs, () => false);

async function rewriteCsv(bytes: Uint8Array, remove: (row: SourceRow) => boolean, readAs: ReadAs) {
  const { rows, unit } = csvRows(bytes, readAs);
  return rewriteLines(bytes, rows, remove, unit);
}

/** Cuts rows out of line-based bytes: each row from the start of its first physical line to its end offset. */
async function rewriteLines(bytes: Uint8Array, rows: AsyncIterable<SourceRow>, remove: (row: SourceRow) => boolean, unit: 1 | 2) {
  const cuts: [number, number][] = [];
  const removed: number[] = [];
  let count = 0;
  for await (const row of rows) {
    if (row.error) continue;
    count++;
    if (row.endOffset === undefined || !remove(row)) continue;
    const physicalLines = 1 + row.cells.reduce((n, c) => n + countNewlines(c), 0);
    cuts.push([lineStart(bytes, row.endOffset, physicalLines, unit), row.endOffset]);
    removed.push(row.line);
  }
  return { bytes: cutRanges(bytes, cuts), removed, rows: count };
}

const countNewlines = (s: string): number => {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
};

const isNewline = (b: Uint8Array, i: number, unit: 1 | 2): boolean => b[i] === 0x0a && (unit === 1 || b[i + 1] === 0x00);

/** Where a row that ends at `end` starts: after the newline `physicalLines` lines back (its own newline skipped). */
function lineStart(bytes: Uint8Array, end: number, physicalLines: number, unit: 1 | 2): number {
  let i = end - unit;
  if (i >= 0 && isNewline(bytes, i, unit)) i -= unit;
  let seen = 0;
  for (; i >= 0; i -= unit) {
    if (isNewline(bytes, i, unit) && ++seen === physicalLines) return i + unit;
  }
  return 0;
}

function cutRanges(bytes: Uint8Array, cuts: readonly [number, number][]): Uint8Array {
  if (cuts.length === 0) return bytes;
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const [start, end] of [...cuts].sort((a, b) => a[0] - b[0])) {
    if (start > at) parts.push(bytes.subarray(at, start));
    at = Math.max(at, end);
  }
  parts.push(bytes.subarray(at));
  return Buffer.concat(parts);
}

async function rewriteJson(bytes: Uint8Array, remove: (row: SourceRow) => boolean) {
  const removed: number[] = [];
  let rows = 0;
  for await (const row of readJsonArray(Readable.from([Buffer.from(bytes)]))) {
    rows++;
    if (remove(row)) removed.push(row.line);
  }
  if (removed.length === 0) return { bytes, removed, rows };
  const text = Buffer.from(bytes).toString('utf8');
  const spans = arrayElementSpans(text);
  const drop = new Set(removed);
  const cuts: [number, number][] = [];
  spans.forEach((span, i) => {
    if (!drop.has(i + 1)) return;
    // The element with the comma that separates it from its neighbour (the one before it; for the first, after it).
    cuts.push(i > 0 ? [spans[i - 1]![1], span[1]] : [span[0], spans[1] ? spans[1][0] : span[1]]);
  });
  let out = '';
  let at = 0;
  for (const [s, e] of mergeCuts(cuts)) {
    out += text.slice(at, s);
    at = e;
  }
  out += text.slice(at);
  return { bytes: Buffer.from(out, 'utf8'), removed, rows };
}

function mergeCuts(cuts: [number, number][]): [number, number][] {
  const sorted = [...cuts].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const c of sorted) {
    const last = out.at(-1);
    if (last && c[0] <= last[1]) last[1] = Math.max(last[1], c[1]);
    else out.push([...c]);
  }
  return out;
}

/**
 * Character spans of the elements of the records array: the document itself when it is an array, else the one array
 * among the top-level object's values (as readJsonArray reads it).
 */
export function arrayElementSpans(text: string): [number, number][] {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s|\ufeff/.test(text[i]!)) i++;
  };
  const skipValue = () => {
    ws();
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      return;
    }
    if (c === '{' || c === '[') {
      let depth = 0;
      for (; i < text.length; i++) {
        const ch = text[i];
        if (ch === '"') {
          i++;
          while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
        } else if (ch === '{' || ch === '[') depth++;
        else if (ch === '}' || ch === ']') {
          depth--;
          if (depth === 0) {
            i++;
            return;
          }
        }
      }
      return;
    }
    while (i < text.length && !/[,\]}\s]/.test(text[i]!)) i++;
  };
  const elements = (): [number, number][] => {
    const spans: [number, number][] = [];
    i++; // [
    for (;;) {
      ws();
      if (text[i] === ']' || i >= text.length) return spans;
      const start = i;
      skipValue();
      spans.push([start, i]);
      ws();
      if (text[i] === ',') i++;
    }
  };
  ws();
  if (text[i] === '[') return elements();
  // An object: the one value that is an array.
  i++;
  const found: [number, number][][] = [];
  for (;;) {
    ws();
    if (text[i] === '}' || i >= text.length) break;
    skipValue(); // key
    ws();
    i++; // :
    ws();
    if (text[i] === '[') {
      const before = i;
      const spans = elements();
      found.push(spans);
      i = before;
    }
    skipValue();
    ws();
    if (text[i] === ',') i++;
  }
  return found.length === 1 ? found[0]! : [];
}

async function rewriteXlsx(bytes: Uint8Array, remove: (row: SourceRow) => boolean, readAs: ReadAs, elsewhere?: (cells: readonly string[]) => boolean) {
  const removed: number[] = [];
  let rows = 0;
  for await (const row of sheetRows(bytes, readAs).rows) {
    rows++;
    if (remove(row)) removed.push(row.line);
  }
  // The rows of the sheets the import did not read, by what they hold (they have no lineage).
  const drops = new Map<string, ReadonlySet<number>>();
  let removedElsewhere = 0;
  for (const sheet of elsewhere ? otherSheets(bytes, readAs.sheet) : []) {
    const lines = new Set<number>();
    for (const row of sheet.rows) if (row.line > 0 && elsewhere!(row.cells)) lines.add(row.line);
    if (lines.size > 0) drops.set(sheet.path, lines);
    removedElsewhere += lines.size;
  }
  if (removed.length === 0 && removedElsewhere === 0) return { bytes, removed, rows, removedElsewhere };
  const files = unzipSync(bytes);
  if (removed.length > 0) drops.set(sheetPath(files, readAs.sheet), new Set(removed));
  const droppedStrings = new Set<number>();
  for (const [path, drop] of drops) {
    files[path] = strToU8(
      strFromU8(files[path]!).replace(/<row\b([^>]*)>([\s\S]*?)<\/row>/g, (whole, attrs: string, inner: string) => {
        const line = Number(/\br="(\d+)"/.exec(attrs)?.[1] ?? 0);
        if (!drop.has(line)) return whole;
        for (const c of inner.matchAll(/<c\b[^>]*\bt="s"[^>]*>\s*<v>(\d+)<\/v>/g)) droppedStrings.add(Number(c[1]));
        return '';
      }),
    );
  }
  // Shared strings the removed rows used, and no other cell of any sheet: blanked in place (indices stay valid).
  const sst = files['xl/sharedStrings.xml'];
  if (sst && droppedStrings.size > 0) {
    const used = new Set<number>();
    for (const [name, data] of Object.entries(files)) {
      if (!/^xl\/worksheets\/[^/]+\.xml$/.test(name)) continue;
      for (const c of strFromU8(data).matchAll(/<c\b[^>]*\bt="s"[^>]*>\s*<v>(\d+)<\/v>/g)) used.add(Number(c[1]));
    }
    let index = -1;
    files['xl/sharedStrings.xml'] = strToU8(
      strFromU8(sst).replace(/<si>[\s\S]*?<\/si>|<si\/>/g, (si) => {
        index++;
        return droppedStrings.has(index) && !used.has(index) ? '<si><t></t></si>' : si;
      }),
    );
  }
  return { bytes: zipSync(files), removed, rows, removedElsewhere };
}
