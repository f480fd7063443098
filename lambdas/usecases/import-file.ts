import { Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { type CanonicalRecord, identifierKey } from '../domain/canonical.ts';
import { detectDelimiter, detectEncoding, detectMonthFirst, isSubHeader, subHeaderNames, type TextEncoding, titleLines, WHATWG_LABEL } from '../domain/dialect.ts';
import { isContactQuestion } from '../domain/headers.ts';
import { compilePlan, type Mapping, parseMapping, type RowPlan } from '../domain/mapping.ts';
import { identifierKeysIn } from '../domain/privacy/subject.ts';
import { suppressionCheckKeys } from '../domain/privacy/suppression.ts';
import { type AlikeLines, identifierKeysOf, mapRow, numberAlikeLine, type RowContext } from '../domain/row-mapper.ts';
import { readCsvBatches } from '../formats/csv.ts';
import type { ReadAs } from '../formats/rewrite.ts';
import { readJsonArray, readNdjson } from '../formats/json.ts';
import { sniff } from '../formats/sniff.ts';
import { type FileFormat, type SourceRow, UnreadableFileError } from '../formats/types.ts';
import { markLinesBefore, markTitleLines } from '../formats/title.ts';
import { readXlsx } from '../formats/xlsx.ts';
import { ERASURE_REWRITE_MARKER, findMappingText, importIdOf, MAPPING_ENCODING, readingKey, reportKey, uploadOf } from './import-keys.ts';
import type { ContinuationQueue, ObjectStore, RecordQueue } from '../ports/index.ts';

export interface ImportDeps {
  readonly objects: ObjectStore;
  readonly queue: RecordQueue;
  readonly continuations: ContinuationQueue;
  readonly rawBucket: string;
  readonly now: () => Date;
  /** Time left in this invocation; an import stops at a checkpoint when it falls under `reserveMs`. */
  readonly remainingMs: () => number;
  readonly reserveMs?: number;
  /**
   * The suppression list, loaded when the import starts: whether a record's identifier keys name an erased person
   * (undefined when the list is empty: no row needs its keys checked).
   */
  readonly suppression?: () => Promise<((identifierKeys: readonly string[]) => boolean) | undefined>;
}

/** What an import did, reconciled: rowsRead = accepted + rejected + suppressed. No personal data. */
export interface ImportReport {
  readonly importId: string;
  readonly source: string;
  readonly objectKey: string;
  /** `skipped`: the object is an erasure's rewrite of an export already imported (nothing new in it; no report kept). */
  readonly status: 'completed' | 'failed' | 'skipped';
  /** Why the file could not be read at all (status failed): a stable code, and a sentence for people. */
  readonly error?: string;
  readonly errorDetail?: string;
  readonly format?: FileFormat;
  readonly compressed?: boolean;
  readonly encoding?: TextEncoding;
  readonly delimiter?: string;
  /** `MM/dd/yyyy`: the file's numeric dates were read month first, as they tell (`12/25/2026`), where no mapping says. */
  readonly dateFormat?: 'MM/dd/yyyy';
  readonly kind?: string;
  readonly exportFormat?: string;
  readonly mapping: 'file' | 'source' | 'none';
  readonly rowsRead: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly suppressed: number;
  /** Rejected rows per reason (a row with two failing values counts under both). */
  readonly reasons: Record<string, number>;
  /** Values flagged but kept, per `field:reason`. */
  readonly flagged: Record<string, number>;
  /**
   * Columns no field was mapped from: not imported (the raw file keeps them), named so the user can map one
   * (`attributes.<name>` keeps it on the profile).
   */
  readonly unmappedColumns?: readonly string[];
  /**
   * Of the unmapped columns, those recognised but not read, each with why: `order.noOrderIdColumn`, an order's amount
   * or state in a file with no column of the order's id.
   */
  readonly unreadColumns?: Readonly<Record<string, string>>;
  /** The header's line, when lines above it were read as a title (a report's name and date; see titleLineCount). */
  readonly headerLine?: number;
  readonly quarantineKeys: readonly string[];
  /** Invocations the import continued in after a checkpoint. */
  readonly continuations: number;
  readonly startedAt: string;
  readonly finishedAt: string;
}

/** Where an import stopped, to continue in a fresh invocation. Counts only: no row data. */
export interface ImportCheckpoint {
  readonly bucket: string;
  readonly objectKey: string;
  readonly etag?: string;
  readonly importId: string;
  /** Byte offset to resume from (seekable formats), or rows to skip (compressed files). */
  readonly offset?: number;
  readonly skipRows?: number;
  readonly nextLine: number;
  readonly headers?: readonly string[];
  /** Rows before the first data row: Excel's `sep=` line, a title, the header (one, the header, when absent). */
  readonly leadingRows?: number;
  readonly headerLine?: number;
  readonly encoding?: TextEncoding;
  readonly delimiter?: string;
  readonly dateFormat?: 'MM/dd/yyyy';
  readonly format: FileFormat;
  readonly compressed: boolean;
  readonly counts: { rowsRead: number; accepted: number; rejected: number; suppressed: number };
  readonly reasons: Record<string, number>;
  readonly flagged: Record<string, number>;
  readonly quarantineKeys: readonly string[];
  readonly continuations: number;
  readonly startedAt: string;
  /** The lines alike of the order being read when the import stopped (see numberAlikeLine). */
  readonly alikeLines?: AlikeLines;
}

/** What a file's plan tells its report: the rows' kind, the tool recognised, and the columns not read. */
const planFacts = (p: RowPlan) => ({
  kind: p.kind,
  ...(p.exportFormat ? { exportFormat: p.exportFormat } : {}),
  unmappedColumns: p.unmapped,
  ...(p.unread ? { unreadColumns: p.unread } : {}),
});

export type ImportOutcome = { readonly done: true; readonly report: ImportReport } | { readonly done: false; readonly checkpoint: ImportCheckpoint };

const KEY_PATTERN = /^imports\/([a-z0-9][a-z0-9_-]{0,62})\/(.+)$/i;
const HEAD_BYTES = 64 * 1024;
const SEND_CHUNK = 500;
const MAX_SENDS_IN_FLIGHT = 4;
const QUARANTINE_PART_BYTES = 4 * 1024 * 1024;
const CHECK_EVERY_ROWS = 2000;
/** The rows of a workbook its text dates are told from (month first or not), as a CSV's first 64 KB. */
const XLSX_DATE_SAMPLE_ROWS = 500;

class Quarantine {
  private lines: string[] = [];
  private bytes = 0;
  readonly keys: string[];
  constructor(
    private readonly deps: ImportDeps,
    private readonly prefix: string,
    keys: readonly string[],
  ) {
    this.keys = [...keys];
  }
  add(entry: object): Promise<void> | undefined {
    const line = JSON.stringify(entry);
    this.lines.push(line);
    this.bytes += line.length + 1;
    return this.bytes >= QUARANTINE_PART_BYTES ? this.flush() : undefined;
  }
  async flush(): Promise<void> {
    if (this.lines.length === 0) return;
    const key = `${this.prefix}/part-${String(this.keys.length + 1).padStart(5, '0')}.ndjson`;
    const body = `${this.lines.join('\n')}\n`;
    this.lines = [];
    this.bytes = 0;
    await this.deps.objects.put(this.deps.rawBucket, key, body, 'application/x-ndjson');
    this.keys.push(key);
  }
}

async function peek(stream: Readable, bytes: number): Promise<{ head: Buffer; body: Readable }> {
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < bytes) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    chunks.push(chunk);
    size += chunk.length;
  }
  const head = Buffer.concat(chunks);
  async function* replay(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    }
  }
  return { head, body: Readable.from(replay(), { objectMode: false }) };
}

/**
 * An OLE2 compound file: an Excel 97–2003 workbook (`.xls`), or a workbook protected by a password, which Excel stores
 * so whatever its name. Neither can be read; saved as `.xlsx` (without a password) or CSV, either can.
 */
const OLE2 = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const isOle2 = (head: Uint8Array): boolean => OLE2.every((b, i) => head[i] === b);

/** A web page or an XML document (an HTML table, Excel 2003's XML): what many tools save as an "Excel" export. */
const MARKUP = /^\ufeff?\s*(?:<!doctype html|<html|<table|<\?xml|<workbook)/i;

/** Control characters (NUL above all) or undecodable bytes in the decoded sample mean the file is not text. */
function looksBinary(sample: string): boolean {
  let suspicious = 0;
  for (const ch of sample) {
    const c = ch.charCodeAt(0);
    if (c === 0) return true;
    if (c < 0x09 || (c > 0x0d && c < 0x20) || c === 0xfffd) suspicious++;
  }
  return suspicious > sample.length / 100;
}

/**
 * Imports one uploaded export (or continues one from its checkpoint): every row becomes a canonical record on the
 * records queue or a quarantined reject with its reasons, and a reconciled report is stored in the raw bucket.
 */
export async function importObject(
  deps: ImportDeps,
  bucket: string,
  objectKey: string,
  resume?: ImportCheckpoint,
): Promise<ImportOutcome> {
  const startedAt = resume?.startedAt ?? deps.now().toISOString();
  const match = KEY_PATTERN.exec(objectKey);
  const source = match?.[1]?.toLowerCase() ?? 'unknown';
  const counts = resume ? { ...resume.counts } : { rowsRead: 0, accepted: 0, rejected: 0, suppressed: 0 };
  const reasons: Record<string, number> = { ...resume?.reasons };
  const flagged: Record<string, number> = { ...resume?.flagged };
  let importId = resume?.importId ?? importIdOf(bucket, objectKey, undefined);
  let quarantine = new Quarantine(deps, `quarantine/${source}/${importId}`, resume?.quarantineKeys ?? []);
  let mappingOrigin: 'file' | 'source' | 'none' = 'none';
  let facts: Partial<ImportReport> = {};
  // How the rows were read (a text or workbook export), noted beside the report for the privacy worker.
  let reading: ReadAs | undefined;

  const finish = async (extra: Partial<ImportReport>): Promise<ImportOutcome> => {
    await quarantine.flush();
    const report: ImportReport = {
      importId,
      source,
      objectKey,
      status: 'completed',
      ...facts,
      mapping: mappingOrigin,
      ...counts,
      reasons,
      flagged,
      quarantineKeys: quarantine.keys,
      continuations: resume?.continuations ?? 0,
      startedAt,
      finishedAt: deps.now().toISOString(),
      ...extra,
    };
    await deps.objects.put(deps.rawBucket, reportKey(importId), JSON.stringify(report, null, 2), 'application/json');
    if (reading && report.status === 'completed') await deps.objects.put(deps.rawBucket, readingKey(objectKey), JSON.stringify(reading), 'application/json');
    return { done: true, report };
  };

  if (!match) return finish({ status: 'failed', error: 'key.noSource', errorDetail: 'exports must be uploaded under imports/<source>/' });

  let object: Awaited<ReturnType<ObjectStore['getStream']>>;
  try {
    object = await deps.objects.getStream(bucket, objectKey, resume?.offset ? { range: resume.offset, ifMatch: resume.etag } : resume ? { ifMatch: resume.etag } : {});
  } catch (e) {
    if (resume && (e as Error).name === 'PreconditionFailed') {
      return finish({ status: 'failed', error: 'file.changedDuringImport', errorDetail: 'the object was replaced while it was being imported' });
    }
    throw e;
  }
  if (!resume && object.metadata?.[ERASURE_REWRITE_MARKER]) {
    object.body.destroy();
    const at = deps.now().toISOString();
    return { done: true, report: { importId, source, objectKey, status: 'skipped', mapping: 'none', rowsRead: 0, accepted: 0, rejected: 0, suppressed: 0, reasons: {}, flagged: {}, quarantineKeys: [], continuations: 0, startedAt, finishedAt: at } };
  }
  if (!resume) {
    importId = importIdOf(bucket, objectKey, uploadOf(object));
    quarantine = new Quarantine(deps, `quarantine/${source}/${importId}`, []);
    const existing = await deps.objects.getText(deps.rawBucket, reportKey(importId));
    if (existing !== undefined) {
      object.body.destroy();
      return { done: true, report: JSON.parse(existing) as ImportReport };
    }
  }

  const loaded = await findMapping((key) => deps.objects.getText(bucket, key), source, objectKey);
  mappingOrigin = loaded.origin;
  if (loaded.error) {
    object.body.destroy();
    return finish({ status: 'failed', error: 'mapping.invalid', errorDetail: loaded.error });
  }
  const mapping = loaded.mapping;

  // Container, format, encoding, delimiter.
  let { head, body } = await peek(object.body, HEAD_BYTES);
  if (head.length === 0 && !resume) return finish({ status: 'failed', error: 'file.empty', errorDetail: 'the file has no bytes' });
  const sniffed = resume ? { gzip: resume.compressed, format: resume.format } : sniff(head, objectKey);
  const compressed = sniffed.gzip;
  if (compressed) {
    try {
      ({ head, body } = await peek(body.pipe(createGunzip()), HEAD_BYTES));
    } catch (e) {
      if (!String((e as { code?: string }).code).startsWith('Z_')) throw e;
      return finish({ status: 'failed', error: 'gzip.corrupt', errorDetail: 'the file is not a valid gzip stream', compressed });
    }
  }
  const format: FileFormat = mapping?.format?.type ?? resume?.format ?? (compressed ? sniff(head, objectKey.replace(/\.gz$/i, '')).format : sniffed.format) ?? 'csv';
  const headerLine = mapping?.format?.header === false ? undefined : mapping?.format?.headerLine;
  let encoding: TextEncoding | undefined = resume?.encoding;
  let delimiter: string | undefined = resume?.delimiter;
  let dateFormat: 'MM/dd/yyyy' | undefined = resume?.dateFormat;
  if ((format === 'csv' || format === 'xlsx') && !resume && isOle2(head)) {
    const errorDetail = 'the file is an Excel 97-2003 workbook (.xls) or one protected by a password: save it as .xlsx (without a password) or CSV';
    return finish({ status: 'failed', error: 'xls.unsupported', errorDetail, format });
  }
  if (format === 'csv' && !resume) {
    encoding = mapping?.format?.encoding ? MAPPING_ENCODING[mapping.format.encoding] : detectEncoding(head).encoding;
    const sample = new TextDecoder(WHATWG_LABEL[encoding!]).decode(head);
    if (looksBinary(sample)) return finish({ status: 'failed', error: 'file.binary', errorDetail: 'the file is not a text export', format });
    if (MARKUP.test(sample)) {
      const errorDetail = 'the file is a web page or an XML document (as some tools save an "Excel" export): open it in Excel and save it as .xlsx or CSV';
      return finish({ status: 'failed', error: 'file.markup', errorDetail, format });
    }
    const excelSep = /^sep=(.)\r?\n/i.exec(sample.replace(/^\ufeff/, ''));
    delimiter = mapping?.format?.delimiter ?? excelSep?.[1] ?? detectDelimiter(excelSep ? sample.slice(sample.indexOf('\n') + 1) : sample, titleLines(headerLine, excelSep));
    // A US tool's dates (`12/25/2026`), where the mapping does not say how its dates are written.
    if (!mapping?.format?.dateFormat) dateFormat = detectMonthFirst(sample);
  }
  // A JSON export's dates written as a US tool writes them, told the same way from its first 64 KB.
  if ((format === 'ndjson' || format === 'json') && !resume && !mapping?.format?.dateFormat) dateFormat = detectMonthFirst(new TextDecoder().decode(head));
  facts = {
    format,
    compressed,
    ...(encoding ? { encoding } : {}),
    ...(delimiter ? { delimiter } : {}),
    ...(dateFormat ? { dateFormat } : {}),
    ...(resume?.headerLine !== undefined ? { headerLine: resume.headerLine } : {}),
  };

  // Rows.
  let batches: AsyncIterable<readonly (SourceRow & { text?: string })[]>;
  const seekable = !compressed && (format === 'ndjson' || (format === 'csv' && encoding !== 'utf16be'));
  const offset = seekable ? (resume?.offset ?? 0) : 0;
  try {
    if (format === 'csv') {
      const decoded = encoding === 'utf16be' ? body.pipe(utf16beToUtf8()) : body;
      batches = readCsvBatches(decoded, { encoding: encoding === 'utf16be' ? 'utf8' : encoding!, delimiter: delimiter!, baseOffset: offset, firstLine: seekable && resume ? resume.nextLine : 1 });
    } else if (format === 'ndjson') batches = inBatches(readNdjson(body, offset, seekable && resume ? resume.nextLine : 1));
    else if (format === 'json') batches = inBatches(readJsonArray(body));
    else {
      const rows = readXlsx(await readAll(body), mapping?.format?.sheet);
      // A workbook's dates written as text (a US tool's `3/25/2025 10:15 AM`) are told as a CSV's are, from its first rows.
      const first: SourceRow[] = [];
      while (first.length < XLSX_DATE_SAMPLE_ROWS) {
        const next = rows.next();
        if (next.done) break;
        first.push(next.value);
      }
      if (!resume && !mapping?.format?.dateFormat) {
        dateFormat = detectMonthFirst(first.map((r) => r.cells.join('\t')).join('\n'));
        if (dateFormat) facts = { ...facts, dateFormat };
      }
      batches = inBatches(
        (function* () {
          yield* first;
          yield* rows;
        })(),
      );
    }
  } catch (e) {
    if (e instanceof UnreadableFileError) return finish({ status: 'failed', error: e.reason, errorDetail: e.message });
    throw e;
  }

  const ctx: RowContext = { source, objectKey, importId, receivedAt: startedAt };
  const isSuppressed = deps.suppression ? await deps.suppression() : undefined;
  const hasHeader = format === 'csv' || format === 'xlsx' ? mapping?.format?.header !== false : false;
  if (format === 'csv' || format === 'xlsx') {
    const sheet = format === 'xlsx' ? mapping?.format?.sheet : undefined;
    reading = {
      ...(hasHeader ? {} : { header: false }),
      ...(hasHeader && headerLine ? { headerLine } : {}),
      ...(encoding ? { encoding } : {}),
      ...(delimiter ? { delimiter } : {}),
      ...(sheet ? { sheet } : {}),
    };
  }
  let headers: readonly string[] | undefined = resume?.headers;
  // A report printed to a file has a title above its header: those lines are marked, and the header is the row after.
  // Or the mapping says where the header is (`format.headerLine`), for a title no rule tells from one.
  const rowsOf: AsyncIterable<readonly (SourceRow & { text?: string; title?: true })[]> =
    hasHeader && !headers ? (headerLine ? markLinesBefore(batches, headerLine) : markTitleLines(batches)) : batches;
  let titled = false;
  // Rows before the first data row (Excel's `sep=` line, a title, the header), for a compressed file's resumed read.
  let leadingRows = resume?.leadingRows ?? (hasHeader ? 1 : 0);
  let plan: RowPlan | undefined;
  const plans = new Map<string, RowPlan | string>();
  const planFor = (h: readonly string[]): RowPlan | string => {
    const k = h.join('\u0000');
    let p = plans.get(k);
    if (p === undefined) {
      const compiled = compilePlan(h, source, mapping, { dateFormat });
      p = compiled.ok ? compiled.plan : compiled.error;
      if (plans.size > 1000) plans.clear();
      plans.set(k, p);
    }
    return p;
  };
  if (headers && format !== 'ndjson' && format !== 'json') {
    const p = planFor(headers);
    if (typeof p !== 'string') {
      plan = p;
      facts = { ...facts, ...planFacts(p) };
    }
  }

  let batch: CanonicalRecord[] = [];
  const inFlight: Promise<void>[] = [];
  const send = async (): Promise<void> => {
    if (batch.length === 0) return;
    inFlight.push(deps.queue.send(batch));
    batch = [];
    if (inFlight.length >= MAX_SENDS_IN_FLIGHT) await inFlight.shift();
  };
  const drain = async (): Promise<void> => {
    await send();
    await Promise.all(inFlight.splice(0));
  };
  const reject = async (line: number, rowReasons: readonly string[], raw: unknown, read?: { cells: readonly string[]; plan: RowPlan }): Promise<void> => {
    // An erased person's rejected row is not kept either: counted as suppressed, as their readable rows are. Its
    // identifier columns are read as the plan reads them (a customer code), its other strings by their shape.
    const keys = identifierKeysIn(raw, plan?.defaultCountry);
    if (read) keys.push(...identifierKeysOf(read.cells, read.plan));
    // Its names are not read: an e-mail is checked as a nameless row's (see suppressionCheckKeys).
    if (isSuppressed?.(suppressionCheckKeys(keys))) {
      counts.suppressed++;
      return;
    }
    counts.rejected++;
    for (const r of rowReasons) reasons[r] = (reasons[r] ?? 0) + 1;
    await quarantine.add({ importId, objectKey, line, reasons: rowReasons, raw });
  };

  const failedPlan = (code: string, h: readonly string[]) => finish({ status: 'failed', error: code, errorDetail: planErrorDetail(code, compilePlan(h, source, mapping, { dateFormat })) });
  let subHeaderDue = false;
  let heldFailure: string | undefined;
  let skip = resume?.skipRows ?? 0;
  let lastLine = (resume?.nextLine ?? 1) - 1;
  let lastOffset = offset;
  let sinceCheck = 0;
  let alike: AlikeLines = resume?.alikeLines ?? { seen: {} };
  const reserve = deps.reserveMs ?? 90_000;
  try {
    for await (const rows of rowsOf) for (const row of rows) {
      if (skip > 0) {
        skip--;
        continue;
      }
      const sepLine = !headers && format === 'csv' && counts.rowsRead === 0 && /^sep=.?$/i.test(row.cells.join(delimiter)); // Excel's "sep=;" line
      if (sepLine || (!headers && row.title)) {
        if (!sepLine) titled = true;
        leadingRows++;
        lastLine = row.line;
        lastOffset = row.endOffset ?? lastOffset;
        continue;
      }
      if (!headers && hasHeader) {
        headers = row.cells.map((h) => h.trim());
        if (titled) facts = { ...facts, headerLine: row.line };
        const p = planFor(headers);
        // A survey's header may be read whole only with its second row (a contact question's fields are named there).
        if (typeof p === 'string') heldFailure = p;
        else {
          plan = p;
          facts = { ...facts, ...planFacts(plan) };
        }
        subHeaderDue = true;
        lastLine = row.line;
        lastOffset = row.endOffset ?? lastOffset;
        continue;
      }
      // A survey's second header row (SurveyMonkey's) names what each column holds: the columns are named from both.
      if (subHeaderDue) {
        subHeaderDue = false;
        if (headers && !row.error && isSubHeader(headers, row.cells)) {
          headers = subHeaderNames(headers, row.cells, isContactQuestion);
          const p = planFor(headers);
          if (typeof p === 'string') return failedPlan(p, headers);
          heldFailure = undefined;
          plan = p;
          facts = { ...facts, ...planFacts(plan) };
          leadingRows++;
          lastLine = row.line;
          lastOffset = row.endOffset ?? lastOffset;
          continue;
        }
        if (heldFailure && headers) return failedPlan(heldFailure, headers);
      }
      if (!headers && !hasHeader && format !== 'ndjson' && format !== 'json') {
        headers = row.cells.map((_c, i) => String(i + 1));
        const p = planFor(headers);
        if (typeof p === 'string') return finish({ status: 'failed', error: p });
        plan = p;
        facts = { ...facts, ...planFacts(plan) };
      }
      counts.rowsRead++;
      lastLine = row.line;
      lastOffset = row.endOffset ?? lastOffset;
      if (row.error) {
        await reject(row.line, [row.error], (row as { text?: string }).text ?? null);
        continue;
      }
      let rowPlan = plan;
      let cells = row.cells;
      if (row.headers) {
        const p = planFor(row.headers);
        if (typeof p === 'string') {
          await reject(row.line, [p === 'header.noIdentifierColumn' ? 'row.noIdentifier' : p], Object.fromEntries(row.headers.map((h, i) => [h, row.cells[i]])));
          continue;
        }
        rowPlan = p;
      } else if (headers && cells.length !== headers.length) {
        const extraEmpty = cells.length > headers.length && cells.slice(headers.length).every((c) => c.trim() === '');
        const shortXlsx = format === 'xlsx' && cells.length < headers.length;
        if (extraEmpty) cells = cells.slice(0, headers.length);
        else if (shortXlsx) cells = [...cells, ...Array<string>(headers.length - cells.length).fill('')];
        else {
          await reject(row.line, ['row.columnCount'], cells, plan && { cells, plan });
          continue;
        }
      }
      if (!rowPlan) continue;
      const outcome = mapRow(cells, row.line, rowPlan, ctx);
      if (!outcome.accepted) {
        await reject(row.line, outcome.reasons, row.headers ? Object.fromEntries(row.headers.map((h, i) => [h, cells[i]])) : cells, { cells, plan: rowPlan });
        continue;
      }
      const numbered = numberAlikeLine(outcome.record, alike);
      alike = numbered.alike;
      const record = numbered.record;
      // An erased person's row is dropped and counted, never sent, never quarantined (that would keep a copy).
      if (isSuppressed?.(suppressionCheckKeys(record.identifiers.map(identifierKey), record.person))) {
        counts.suppressed++;
        continue;
      }
      counts.accepted++;
      if (record.flags) {
        for (const [field, reason] of Object.entries(record.flags)) {
          const k = `${field}:${reason}`;
          flagged[k] = (flagged[k] ?? 0) + 1;
        }
      }
      batch.push(record);
      if (batch.length >= SEND_CHUNK) await send();

      if (++sinceCheck >= CHECK_EVERY_ROWS) {
        sinceCheck = 0;
        if (deps.remainingMs() < reserve) {
          await drain();
          await quarantine.flush();
          const checkpoint: ImportCheckpoint = {
            bucket,
            objectKey,
            ...(object.etag ? { etag: object.etag } : {}),
            importId,
            ...(seekable ? { offset: lastOffset } : { skipRows: counts.rowsRead + leadingRows }),
            nextLine: lastLine + 1,
            ...(headers ? { headers } : {}),
            leadingRows,
            ...(facts.headerLine !== undefined ? { headerLine: facts.headerLine } : {}),
            ...(encoding ? { encoding } : {}),
            ...(delimiter ? { delimiter } : {}),
            ...(dateFormat ? { dateFormat } : {}),
            format,
            compressed,
            counts,
            reasons,
            flagged,
            quarantineKeys: quarantine.keys,
            continuations: (resume?.continuations ?? 0) + 1,
            startedAt,
            ...(alike.orderId !== undefined ? { alikeLines: alike } : {}),
          };
          (batches as { return?: () => unknown }).return?.();
          body.destroy();
          return { done: false, checkpoint };
        }
      }
    }
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (e instanceof UnreadableFileError) {
      await drain();
      return finish({ status: 'failed', error: e.reason, errorDetail: e.message });
    }
    if (!code?.startsWith('CSV_') && code !== 'Z_DATA_ERROR' && code !== 'Z_BUF_ERROR') throw e;
    await drain();
    // A header that named no one fails as such, whatever the row after it.
    if (heldFailure && headers) return failedPlan(heldFailure, headers);
    const reason = code.startsWith('CSV_') ? `csv.${code.slice(4).toLowerCase()}` : 'gzip.corrupt';
    if (counts.rowsRead === 0) return finish({ status: 'failed', error: reason, errorDetail: 'the file could not be parsed' });
    // The rest of the file from the last good row is one unreadable row, kept by reference.
    counts.rowsRead++;
    await reject(lastLine + 1, [reason], { fromByte: lastOffset });
  }
  await drain();
  if (!headers && hasHeader) return finish({ status: 'failed', error: 'file.empty', errorDetail: 'the file has no header row' });
  if (heldFailure && headers) return failedPlan(heldFailure, headers);
  return finish({});
}

/**
 * The mapping an export is read with: the file's, else its source's (findMappingText); one that is not valid JSON or
 * not a valid mapping is an error naming its key.
 */
async function findMapping(
  read: (key: string) => Promise<string | undefined>,
  source: string,
  objectKey: string,
): Promise<{ mapping?: Mapping; origin: 'file' | 'source' | 'none'; error?: string }> {
  const found = await findMappingText(read, source, objectKey);
  if (!found) return { origin: 'none' };
  let json: unknown;
  try {
    json = JSON.parse(found.text);
  } catch {
    return { origin: found.origin, error: `the mapping ${found.key} is not valid JSON` };
  }
  const parsed = parseMapping(json);
  if (!parsed.ok) return { origin: found.origin, error: `the mapping ${found.key} is invalid: ${parsed.errors.join('; ')}` };
  return { mapping: parsed.mapping, origin: found.origin };
}

function planErrorDetail(code: string, compiled: ReturnType<typeof compilePlan>): string {
  if (!compiled.ok && compiled.detail) return compiled.detail;
  if (code === 'header.noIdentifierColumn') {
    return 'no column could be recognised as e-mail, phone, customer id, tax code or name; add a mapping (cdp import --mapping), with format.headerLine if the header is not the first line';
  }
  return code;
}

/**
 * Rows of a reader that yields them one at a time, in arrays (as the CSV reader yields them). When the reader fails
 * (a corrupt gzip stream), the rows it gave before go out first, so they are imported, not lost with the rest.
 */
async function* inBatches<T>(rows: AsyncIterable<T> | Iterable<T>, size = 500): AsyncGenerator<T[]> {
  let batch: T[] = [];
  try {
    for await (const row of rows) {
      batch.push(row);
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
  } catch (e) {
    if (batch.length > 0) yield batch;
    throw e;
  }
  if (batch.length > 0) yield batch;
}

async function readAll(body: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of body as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** UTF-16BE is the one encoding csv-parse cannot read from bytes: it is re-encoded as UTF-8 (no byte checkpoints). */
function utf16beToUtf8(): Transform {
  const decoder = new TextDecoder('utf-16be');
  return new Transform({
    transform(chunk: Buffer, _e, done) {
      done(null, Buffer.from(decoder.decode(chunk, { stream: true }), 'utf8'));
    },
    flush(done) {
      done(null, Buffer.from(decoder.decode(), 'utf8'));
    },
  });
}
