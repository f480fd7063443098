import { strFromU8, unzipSync } from 'fflate';
import { type SourceRow, UnreadableFileError } from './types.ts';

/** Largest workbook read (compressed); the sheet is decompressed in memory. */
export const MAX_XLSX_BYTES = 100 * 1024 * 1024;

const ENTITY: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decodeXml = (s: string): string =>
  s.indexOf('&') < 0
    ? s
    : s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_m, e: string) =>
        e.startsWith('#x') ? String.fromCodePoint(Number.parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : ENTITY[e]!,
      );

/** Text of every `<t>` run inside an element (rich text has several). */
const textRuns = (xml: string): string => {
  let out = '';
  for (const m of xml.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)) out += m[1];
  return decodeXml(out);
};

/** Column letters of a cell reference to a 0-based index: A -> 0, Z -> 25, AA -> 26. */
function columnOf(ref: string): number {
  let n = 0;
  for (const ch of ref) {
    const c = ch.charCodeAt(0);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n - 1;
}

/** A workbook's sheets in its order: each one's name and where it is inside the ZIP. */
function sheetsOf(files: Readonly<Record<string, Uint8Array>>): { name: string; path: string }[] {
  const workbook = files['xl/workbook.xml'];
  if (!workbook) throw new UnreadableFileError('xlsx.noWorkbook', 'The file is a ZIP but not an XLSX workbook');
  const rels = strFromU8(files['xl/_rels/workbook.xml.rels'] ?? new Uint8Array());
  return [...strFromU8(workbook).matchAll(/<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"/g)].map((m, i) => {
    const rid = m[2]!;
    const target = new RegExp(`<Relationship\\b[^>]*?\\bId="${rid}"[^>]*?\\bTarget="([^"]*)"`).exec(rels)?.[1]
      ?? new RegExp(`<Relationship\\b[^>]*?\\bTarget="([^"]*)"[^>]*?\\bId="${rid}"`).exec(rels)?.[1];
    return { name: decodeXml(m[1]!), path: target ? (target.startsWith('/') ? target.slice(1) : `xl/${target}`) : `xl/worksheets/sheet${i + 1}.xml` };
  });
}

/** Where a workbook's sheet (the first, or the one named) is inside its ZIP. */
export function sheetPath(files: Readonly<Record<string, Uint8Array>>, sheetName?: string): string {
  const sheets = sheetsOf(files);
  const sheet = sheetName === undefined ? sheets[0] : sheets.find((s) => s.name === sheetName);
  if (!sheet) throw new UnreadableFileError('xlsx.noSheet', sheetName === undefined ? 'The workbook has no sheet' : 'The workbook has no sheet of the name the mapping gives');
  return sheet.path;
}

const WORKBOOK_PARTS = /^xl\/(workbook\.xml|_rels\/workbook\.xml\.rels|sharedStrings\.xml|worksheets\/[^/]+\.xml)$/;

function unzipWorkbook(bytes: Uint8Array): Record<string, Uint8Array> {
  if (bytes.length > MAX_XLSX_BYTES) throw new UnreadableFileError('file.tooLarge', `Workbooks over ${MAX_XLSX_BYTES / 1024 / 1024} MB: export as CSV`);
  try {
    return unzipSync(bytes, { filter: (f) => WORKBOOK_PARTS.test(f.name) });
  } catch {
    throw new UnreadableFileError('xlsx.corrupt', 'The workbook could not be unzipped');
  }
}

const sharedStringsOf = (files: Readonly<Record<string, Uint8Array>>): string[] => {
  const sst = files['xl/sharedStrings.xml'];
  return sst ? [...strFromU8(sst).matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => textRuns(m[1]!)) : [];
};

/**
 * Rows of one sheet of an XLSX workbook (the first, or the one named), as strings: shared and inline strings,
 * numbers as written (dates stay Excel serial numbers; the mapping or a date field reads them), booleans as 1/0.
 */
export function* readXlsx(bytes: Uint8Array, sheetName?: string): Generator<SourceRow> {
  const files = unzipWorkbook(bytes);
  const sheetBytes = files[sheetPath(files, sheetName)];
  if (!sheetBytes) throw new UnreadableFileError('xlsx.noSheet', 'The sheet the workbook names is missing');
  yield* rowsOf(strFromU8(sheetBytes), sharedStringsOf(files));
}

/** The sheets of a workbook other than the one read (the first, or the one named), each with its rows. */
export function* otherSheets(bytes: Uint8Array, sheetName?: string): Generator<{ name: string; path: string; rows: Iterable<SourceRow> }> {
  const files = unzipWorkbook(bytes);
  const read = sheetPath(files, sheetName);
  const shared = sharedStringsOf(files);
  for (const sheet of sheetsOf(files)) {
    const data = files[sheet.path];
    if (sheet.path !== read && data) yield { ...sheet, rows: rowsOf(strFromU8(data), shared) };
  }
}

function* rowsOf(xml: string, shared: readonly string[]): Generator<SourceRow> {
  for (const row of xml.matchAll(/<row\b([^>]*)>([\s\S]*?)<\/row>|<row\b([^>]*)\/>/g)) {
    const attrs = row[1] ?? row[3] ?? '';
    const line = Number(/\br="(\d+)"/.exec(attrs)?.[1] ?? 0);
    const cells: string[] = [];
    let next = 0;
    for (const c of (row[2] ?? '').matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const a = c[1]!;
      const ref = /\br="([A-Z]+)\d+"/.exec(a)?.[1];
      const index = ref ? columnOf(ref) : next;
      const type = /\bt="([^"]*)"/.exec(a)?.[1];
      const inner = c[2] ?? '';
      let value = '';
      if (type === 'inlineStr') value = textRuns(inner);
      else {
        const v = /<v>([\s\S]*?)<\/v>/.exec(inner)?.[1];
        if (v !== undefined) value = type === 's' ? (shared[Number(v)] ?? '') : decodeXml(v);
      }
      while (cells.length < index) cells.push('');
      cells[index] = value;
      next = index + 1;
    }
    yield { cells, line };
  }
}
