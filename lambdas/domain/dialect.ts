/** Guesses of a text export's encoding and delimiter from its first bytes. */

export type TextEncoding = 'utf8' | 'utf16le' | 'utf16be' | 'windows-1252';

/** Each encoding by the label WHATWG (TextDecoder) knows it by. */
export const WHATWG_LABEL: Readonly<Record<TextEncoding, string>> = { utf8: 'utf-8', utf16le: 'utf-16le', utf16be: 'utf-16be', 'windows-1252': 'windows-1252' };

/** BOMs first; then valid UTF-8 is UTF-8, and anything else single-byte Windows-1252 (a superset of ISO-8859-1). */
export function detectEncoding(head: Uint8Array): { encoding: TextEncoding; bomLength: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf8', bomLength: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf16le', bomLength: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf16be', bomLength: 2 };
  // UTF-16 without BOM: ASCII text has a zero byte in every other position.
  if (head.length >= 8) {
    let zeroOdd = 0;
    let zeroEven = 0;
    const n = Math.min(head.length, 512);
    for (let i = 0; i < n; i++) {
      if (head[i] !== 0) continue;
      if (i % 2) zeroOdd++;
      else zeroEven++;
    }
    if (zeroOdd > n / 4 && zeroEven === 0) return { encoding: 'utf16le', bomLength: 0 };
    if (zeroEven > n / 4 && zeroOdd === 0) return { encoding: 'utf16be', bomLength: 0 };
  }
  return { encoding: isValidUtf8(head) ? 'utf8' : 'windows-1252', bomLength: 0 };
}

/** Strict UTF-8 validation; a multi-byte sequence cut by the end of the sample counts as valid. */
export function isValidUtf8(bytes: Uint8Array): boolean {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need: number;
    if (b < 0x80) need = 0;
    else if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) need = 2;
    else if (b >= 0xf0 && b <= 0xf4) need = 3;
    else return false;
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length) return true;
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) return false;
    }
    i += need + 1;
  }
  return true;
}

const CANDIDATES = [';', ',', '\t', '|'] as const;

/** Lines an export may carry above its header: a report's title, its date, blank lines. */
export const MAX_TITLE_LINES = 20;

const filled = (cells: readonly string[]): number => cells.reduce((n, c) => (c.trim() === '' ? n : n + 1), 0);

/**
 * How many of a file's first rows are a title above its header rather than the header: a report printed to a file
 * (`Elenco clienti`, `Stampato il 01/12/2026`, a blank row) fills at most one cell of a row, and a row of at least two
 * column names follows. Without such a row (a one-column file, whose header is a single cell) there is no title: 0.
 * `leading` is the file's first rows, up to the first with two cells filled or MAX_TITLE_LINES + 1 of them.
 */
export function titleLineCount(leading: readonly (readonly string[])[]): number {
  let i = 0;
  while (i < leading.length && i < MAX_TITLE_LINES && filled(leading[i]!) <= 1) i++;
  return i < leading.length && filled(leading[i]!) >= 2 ? i : 0;
}

/** Whether a row ends the search for a header (see titleLineCount): two cells filled, or the rows to look at are used up. */
export const endsTitleSearch = (cells: readonly string[], seen: number): boolean => filled(cells) >= 2 || seen > MAX_TITLE_LINES;

/**
 * What a survey tool (SurveyMonkey) writes in its second header row, under a question of one column: that the column
 * holds the answer (`Response`, `Open-Ended Response`; `Risposta`, `Risposta aperta` in Italian).
 */
const ANSWER_LABELS: ReadonlySet<string> = new Set(['response', 'open-ended response', 'open ended response', 'risposta', 'risposta aperta']);
const isAnswerLabel = (cell: string): boolean => ANSWER_LABELS.has(cell.trim().toLowerCase());

/**
 * Whether the row below a header is a survey's second header row (SurveyMonkey's): some cell is an answer label, and
 * under each column that is a question of its own (its header filled, the next one too) the cell is empty (the
 * respondent's id, the collector's) or an answer label. A data row's column of its own holds its value.
 */
export function isSubHeader(header: readonly string[], cells: readonly string[]): boolean {
  if (!cells.some(isAnswerLabel)) return false;
  return header.every((h, i) => h.trim() === '' || (header[i + 1] ?? 'end').trim() === '' || (cells[i] ?? '').trim() === '' || isAnswerLabel(cells[i]!));
}

/**
 * A survey's columns named from its two header rows. The first names each question over its first column and leaves
 * the rest of its columns empty; the second says what each column holds: the answer (`Response`), or, for a question
 * of several columns, a choice's or a field's label. A one-column question is named by the question; a column of a
 * question of several by `<question> - <label>` (`Which products? - Product A`), so a choice's label is never read as
 * a field of its own; a contact question's columns (`Name`, `Email Address`, `Phone Number`) by their labels alone,
 * where `standsAlone` tells a contact question by its labels.
 */
export function subHeaderNames(header: readonly string[], sub: readonly string[], standsAlone: (labels: readonly string[]) => boolean = () => false): string[] {
  const names: string[] = [];
  for (let start = 0; start < header.length; ) {
    let end = start + 1;
    while (end < header.length && header[end]!.trim() === '') end++;
    const question = header[start]!.trim();
    const labels = header.slice(start, end).map((_h, k) => (sub[start + k] ?? '').trim());
    const alone = end - start > 1 && standsAlone(labels.filter((l) => l !== '' && !isAnswerLabel(l)));
    labels.forEach((label, k) => {
      if (label === '' || isAnswerLabel(label)) names.push(k === 0 ? question : '');
      else names.push(alone || question === '' ? label : `${question} - ${label}`);
    });
    start = end;
  }
  return names;
}

/** Lines above a header placed by a mapping that delimiter detection skips (Excel's `sep=` line is cut already). */
export const titleLines = (headerLine: number | undefined, excelSep: unknown): number => Math.max(0, (headerLine ?? 1) - 1 - (excelSep ? 1 : 0));

/**
 * The delimiter that splits the first lines into the same, largest number of fields (quotes respected), from the
 * header's line when a mapping places it (`skipLines` lines above it are a title). Falls back to `,`.
 */
export function detectDelimiter(sample: string, skipLines = 0): string {
  const lines = splitLogicalLines(sample).slice(skipLines, skipLines + 20 + MAX_TITLE_LINES);
  let best: { d: string; score: number } = { d: ',', score: 0 };
  for (const d of CANDIDATES) {
    const counts = lines.map((l) => countOutsideQuotes(l, d));
    // A title above the header (`Elenco clienti al 01/12/2026`) has no delimiter: the header is the first line with one.
    const first = counts.find((c, i) => c > 0 && i <= MAX_TITLE_LINES) ?? 0;
    if (first === 0) continue;
    const consistent = counts.filter((c) => c === first).length;
    const score = first * consistent;
    if (score > best.score) best = { d, score };
  }
  return best.d;
}

function countOutsideQuotes(line: string, d: string): number {
  let inQuotes = false;
  let n = 0;
  for (const ch of line) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (ch === d && !inQuotes) n++;
  }
  return n;
}

/** Lines of the sample, not splitting inside quotes; the last (possibly cut) line is dropped when there are others. */
function splitLogicalLines(sample: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQuotes = false;
  for (const ch of sample) {
    if (ch === '"') inQuotes = !inQuotes;
    if ((ch === '\n' || ch === '\r') && !inQuotes) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur && out.length === 0) out.push(cur);
  return out;
}

/** A numeric date in a file's text: day or month, the other, and the year, with one separator. */
const NUMERIC_DATE = /(?<![\d./-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d]|[./-]\d)/g;

/**
 * Whether a file writes its numeric dates month first (`12/25/2026`, as tools and Google Forms in English write them),
 * from a sample of it: a date in it has a second number above 12 and none a first above 12. Otherwise (undefined) they
 * are day first, the Italian way, as where nothing tells. A two-digit year counts only after slashes (`12/25/26`):
 * `10.20.30` may be anything.
 */
export function detectMonthFirst(sample: string): 'MM/dd/yyyy' | undefined {
  let monthFirst = false;
  for (const [, first, separator, second, year] of sample.matchAll(NUMERIC_DATE)) {
    if (year!.length === 2 && separator !== '/') continue;
    if (+first! > 12 && +first! <= 31) return undefined;
    if (+second! > 12 && +second! <= 31 && +first! >= 1) monthFirst = true;
  }
  return monthFirst ? 'MM/dd/yyyy' : undefined;
}
