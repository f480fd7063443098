import * as z from 'zod/mini';
import './zod-english.ts';
import type { RecordKind } from './canonical.ts';
import { AMOUNT_PATHS, detectExportFormat, type ExportFormat, foldHeader, MULTI_VALUED, recogniseHeaders } from './headers.ts';
import { currencyOfAmount, type DateFormat } from './normalise.ts';
import { isTimeZone } from './time-zone.ts';
import { own } from './text.ts';

/** How far down a mapping may place a file's header (`format.headerLine`). */
const MAX_HEADER_LINE = 1000;

/**
 * A source's mapping file: how its columns become canonical fields (ARCHITECTURE.md, "Import mapping file"), with
 * the extensions a real export needs. Columns are named by header, or by 1-based number when the file has no header.
 */
const column = z.union([z.string().check(z.minLength(1)), z.int().check(z.positive())]);
const columns = z.union([column, z.array(column).check(z.minLength(1))]);
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const dateFormat = z.enum(['dd/MM/yyyy', 'MM/dd/yyyy', 'yyyy-MM-dd', 'excel', 'auto']);
const decimal = z.enum([',', '.']);
/** The zone a time written without an offset is read in: an IANA name (`Europe/Rome`). */
const zoneName = z.string().check(z.refine(isTimeZone, 'unknown time zone: an IANA name such as "Europe/Rome"'));
const fieldSpec = z.union([
  columns,
  z
    .strictObject({
      column: z.optional(columns),
      value: z.optional(scalar),
      format: z.optional(dateFormat),
      timeZone: z.optional(zoneName),
      decimal: z.optional(decimal),
      /** Value translations applied before cleaning, e.g. {"Cliente": "customer"}. */
      values: z.optional(z.record(z.string(), z.string())),
    })
    .check(z.refine((f) => f.column !== undefined || f.value !== undefined, 'needs "column" or "value"')),
]);

const FIELD_PATH =
  /^(person\.(firstName|lastName|fullName|gender|birthDate|language|title)|identifiers\.(email|phone|externalId|taxCode|vatNumber|loyaltyCard)|company\.(name|vatNumber|size|sector|role)|address\.(line1|line2|houseNumber|postalCode|city|province|region|country|combined)|consents\.[a-z_]{2,40}(\.(at|ip|text|optOut))?|order\.(orderId|ref|status|test|total|refunded|currency|placedAt|documentType|line|product|quantity|unitPrice|lineTotal)|interaction\.(touchpoint|type|subject|summary)|lead\.(source|medium|campaign)|occurredAt(\.time)?|attributes\.[A-Za-z][A-Za-z0-9_]{0,63})$/;
const fieldPath = z.string().check(z.regex(FIELD_PATH, 'unknown canonical field'));

export const mappingSchema = z.strictObject({
  source: z.optional(z.string()),
  kind: z.optional(z.enum(['contact', 'order', 'interaction', 'consent'])),
  format: z.optional(
    z.strictObject({
      type: z.optional(z.enum(['csv', 'ndjson', 'json', 'xlsx'])),
      delimiter: z.optional(z.string().check(z.length(1))),
      encoding: z.optional(z.enum(['utf-8', 'utf-16le', 'utf-16be', 'windows-1252', 'iso-8859-1'])),
      sheet: z.optional(z.string()),
      header: z.optional(z.boolean()),
      /** The header's line (1-based), when lines above it are a title no rule tells from a header. */
      headerLine: z.optional(z.int().check(z.positive(), z.lte(MAX_HEADER_LINE))),
      decimal: z.optional(decimal),
      dateFormat: z.optional(dateFormat),
      timeZone: z.optional(zoneName),
    }),
  ),
  recordKey: z.optional(columns),
  /** Namespace of this source's customer ids; defaults to the source name. */
  namespace: z.optional(z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,62}$/))),
  /** Region for phone numbers without an international prefix. */
  defaultCountry: z.optional(z.string().check(z.regex(/^[A-Z]{2}$/))),
  /** Touchpoint recorded on the timeline (e.g. "negozio", "fiera-2025"). */
  touchpoint: z.optional(z.string().check(z.maxLength(100))),
  /** Order of the words of a full-name column. */
  nameOrder: z.optional(z.enum(['firstLast', 'lastFirst'])),
  /** Wording version of the consent text the rows were collected with (proof). */
  consentText: z.optional(z.string().check(z.maxLength(200))),
  fields: z._default(z.record(fieldPath, fieldSpec), {}),
  defaults: z.optional(z.record(fieldPath, scalar)),
  /** Recognise remaining columns by synonym too (default true). */
  synonyms: z.optional(z.boolean()),
});

export type Mapping = z.infer<typeof mappingSchema>;

export type ParsedMapping = { readonly ok: true; readonly mapping: Mapping } | { readonly ok: false; readonly errors: readonly string[] };

/** Validates a mapping file's JSON; the errors name the offending key paths (never data values). */
export function parseMapping(json: unknown): ParsedMapping {
  const res = mappingSchema.safeParse(json);
  if (res.success) return { ok: true, mapping: res.data };
  return { ok: false, errors: res.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) };
}

/** One canonical field read from the row: a column, or a constant. */
export interface PlannedField {
  readonly path: string;
  readonly index?: number;
  readonly value?: string;
  readonly format?: DateFormat;
  /** The zone this column's times without an offset are in, where it is not the file's (a header naming UTC). */
  readonly timeZone?: string;
  readonly decimal?: ',' | '.';
  readonly values?: Readonly<Record<string, string>>;
  /** The currency an amount's header notes (`Total (USD)`): the order's where no column gives one. */
  readonly currency?: string;
}

/** How every row of one file becomes a canonical record; compiled once per file (or per key set for JSON). */
export interface RowPlan {
  readonly kind: RecordKind;
  readonly fields: readonly PlannedField[];
  readonly recordKey: readonly number[];
  readonly namespace: string;
  readonly defaultCountry: string;
  readonly decimal: ',' | '.';
  readonly dateFormat: DateFormat;
  /** The zone times without an offset are read in (`format.timeZone`); UTC when absent. */
  readonly timeZone?: string;
  readonly nameOrder: 'firstLast' | 'lastFirst';
  readonly touchpoint?: string;
  readonly consentText?: string;
  /** The recognised tool export, if any. */
  readonly exportFormat?: string;
  /**
   * The columns no field was mapped from (not imported; the raw file keeps them), by header so the user can map one,
   * or by position (`column 7`) where the header could be a value: see columnLabel.
   */
  readonly unmapped: readonly string[];
  /** Of the unmapped columns, those recognised but not read, each with why (`order.noOrderIdColumn`). */
  readonly unread?: Readonly<Record<string, string>>;
}

/** The order's fields that are kept on an order, which is known by its id; its date also dates the row. */
export const needsOrderId = (path: string): boolean => path.startsWith('order.') && path !== 'order.placedAt';

export type PlanResult = { readonly ok: true; readonly plan: RowPlan } | { readonly ok: false; readonly error: string; readonly detail?: string };

function columnIndex(headers: readonly string[], col: string | number): number {
  if (typeof col === 'number') return col - 1 < headers.length ? col - 1 : -1;
  const exact = headers.indexOf(col);
  if (exact >= 0) return exact;
  const folded = foldHeader(col);
  return headers.findIndex((h) => foldHeader(h) === folded);
}

/**
 * How a column that was not mapped is named: by its header, unless the header is blank or reads like a value (an
 * e-mail, a number or a date, a long text), or no column was found by its header at all (a file mapped by column
 * number, whose first row may be someone's data): then by position.
 */
function columnLabel(header: string, index: number, headerRow: boolean): string {
  const h = header.trim();
  return headerRow && h && h.length <= 40 && !/^\d+$|@|\d{5}|\d[/.-]\d/.test(h) ? h : `column ${index + 1}`;
}

const asList = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/**
 * The word order of a full-name column (or a form's answer), as its header says: surname first where it names the
 * surname first (`Cognome e nome`, `Cognome Nome`, as Italian registers write `ROSSI MARIO`), else first name first.
 */
export const nameOrderOfHeader = (header: string): 'firstLast' | 'lastFirst' => (/^cognome\b/.test(foldHeader(header)) ? 'lastFirst' : 'firstLast');

function nameOrderOf(headers: readonly string[], fields: readonly PlannedField[]): 'firstLast' | 'lastFirst' {
  const full = fields.find((f) => f.path === 'person.fullName' && f.index !== undefined);
  return full ? nameOrderOfHeader(headers[full.index!] ?? '') : 'firstLast';
}

/** A currency at the end of a header: `(USD)`, `€`, `in GBP`, `in euro`. */
const CURRENCY_NOTED = /(?:^|[\s([])(?:in\s+)?(eur|euro|usd|gbp|chf|€|us\$|\$|£)[)\]]?\s*$/i;

/**
 * Compiles a file's plan from its headers, an optional mapping, and what the file's own text tells (its dates' order).
 * The mapping's fields win; remaining columns are recognised by a known tool's export format, then by synonym. A
 * mapping that names a column the file lacks is an error naming that (mapping-side) column.
 */
export function compilePlan(headers: readonly string[], source: string, mapping?: Mapping, file?: { readonly dateFormat?: DateFormat }): PlanResult {
  const fields: PlannedField[] = [];
  const used = new Set<number>();
  // Whether a column was found by its header: then the first row is a header row.
  let byName = false;
  const format: ExportFormat | undefined = mapping?.synonyms === false ? undefined : detectExportFormat(headers);
  // The mapping's; else how the file's own dates tell they are written (month first: see detectMonthFirst).
  const dateFormat = mapping?.format?.dateFormat ?? file?.dateFormat ?? 'auto';
  const decimal = mapping?.format?.decimal ?? ',';
  const timeZone = mapping?.format?.timeZone;
  // A header that notes its times' zone (Stripe's `Created (UTC)`, `Data (GMT)`, Wix's `(UTC+0)`, `(UTC+1)`, `GMT-5`)
  // is read at that offset, not in the file's zone (as an `Etc/GMT` zone, whose sign is the other way round); a
  // half-hour one (`UTC+5:30`) is left to the file's zone.
  const zoneNoted = (header: string | undefined): string | undefined => {
    const noted = header === undefined ? null : /\b(?:utc|gmt)\b(?:\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?)?/i.exec(header);
    const hours = Number(noted?.[2] ?? 0);
    if (!noted || Number(noted[3] ?? 0) !== 0 || hours > 14) return undefined;
    // UTC itself only where the file's zone is another: where it is UTC already, the plan (and its records' ids) stays.
    if (hours === 0) return timeZone !== undefined && timeZone !== 'UTC' ? 'UTC' : undefined;
    return `Etc/GMT${noted[1] === '+' ? '-' : '+'}${hours}`;
  };

  // An amount's header that names its currency (`Total (USD)`, `Importo (€)`, `Amount in GBP`) gives the order's where
  // no column does. Euro, what an amount is read in anyway, is not noted: the plan, and so its records' ids, stay as
  // they were.
  const amountCurrency = (path: string, header: string | undefined): string | undefined => {
    const note = AMOUNT_PATHS.has(path) && header !== undefined ? CURRENCY_NOTED.exec(header)?.[1] : undefined;
    const noted = note === undefined ? undefined : currencyOfAmount(note);
    return noted === 'EUR' ? undefined : noted;
  };

  for (const [path, spec] of Object.entries(mapping?.fields ?? {})) {
    const s = typeof spec === 'object' && !Array.isArray(spec) ? spec : { column: spec };
    if (s.value !== undefined && s.column === undefined) {
      fields.push({ path, value: String(s.value) });
      continue;
    }
    for (const col of asList(s.column)) {
      const index = columnIndex(headers, col);
      if (index < 0) return { ok: false, error: 'mapping.columnMissing', detail: `field ${path} refers to column ${JSON.stringify(col)}, which the file does not have` };
      used.add(index);
      if (typeof col === 'string') byName = true;
      const zone = s.timeZone ?? zoneNoted(headers[index]);
      const currency = amountCurrency(path, headers[index]);
      fields.push({
        path,
        index,
        ...(s.format ? { format: s.format } : {}),
        ...(zone ? { timeZone: zone } : {}),
        ...(s.decimal ? { decimal: s.decimal } : {}),
        ...(s.values ? { values: s.values } : {}),
        ...(currency ? { currency } : {}),
      });
    }
  }
  if (mapping?.synonyms !== false) {
    const mappedPaths = new Set(fields.map((f) => f.path));
    for (const [index, path] of recogniseHeaders(headers, format)) {
      if (used.has(index)) continue;
      if (mappedPaths.has(path) && !MULTI_VALUED.has(path)) continue;
      used.add(index);
      byName = true;
      const values = own(format?.values, foldHeader(headers[index]!));
      const noted = zoneNoted(headers[index]);
      const currency = amountCurrency(path, headers[index]);
      fields.push({ path, index, ...(noted ? { timeZone: noted } : {}), ...(values ? { values } : {}), ...(currency ? { currency } : {}) });
    }
  }
  for (const [path, value] of Object.entries(format?.constants ?? {})) {
    if (!fields.some((f) => f.path === path)) fields.push({ path, value });
  }
  for (const [path, value] of Object.entries(mapping?.defaults ?? {})) {
    if (!fields.some((f) => f.path === path)) fields.push({ path, value: String(value) });
  }

  // An order is kept by its id: an order's amount, state or lines in a file that names no order's id would be read into
  // no order. A mapping that asks for them is refused; read by their headers, they are left unread and the report says
  // why (its date still dates the row).
  const unread: Record<string, string> = {};
  if (!fields.some((f) => f.path === 'order.orderId')) {
    const asked = fields.find((f) => f.index !== undefined && needsOrderId(f.path) && mapping?.fields?.[f.path] !== undefined);
    if (asked) {
      return { ok: false, error: 'mapping.orderWithoutId', detail: `field ${asked.path} is an order's, and no field gives the order's id: map order.orderId to the column that tells the orders apart` };
    }
    const orderless = fields.flatMap((f) => (f.index !== undefined && needsOrderId(f.path) ? [f.index] : [])).sort((a, b) => a - b);
    for (const index of orderless) {
      used.delete(index);
      unread[columnLabel(headers[index]!, index, byName)] = 'order.noOrderIdColumn';
    }
    fields.splice(0, fields.length, ...fields.filter((f) => f.index === undefined || !needsOrderId(f.path)));
  }

  const recordKey: number[] = [];
  for (const col of asList(mapping?.recordKey)) {
    const index = columnIndex(headers, col);
    if (index < 0) return { ok: false, error: 'mapping.columnMissing', detail: `recordKey refers to column ${JSON.stringify(col)}, which the file does not have` };
    recordKey.push(index);
  }
  const paths = new Set(fields.map((f) => f.path));
  // A row with a subject (a ticket, a message) is something the person did, which counts as activity; a register's
  // rows are who they are.
  const kind: RecordKind =
    mapping?.kind ??
    format?.kind ??
    (paths.has('order.orderId') && (paths.has('order.total') || paths.has('order.lineTotal') || (paths.has('order.quantity') && paths.has('order.unitPrice')))
      ? 'order'
      : paths.has('interaction.subject') && !paths.has('order.orderId')
        ? 'interaction'
        : 'contact');
  const hasIdentifier = [...paths].some((p) => p.startsWith('identifiers.')) || paths.has('person.fullName') || paths.has('person.lastName');
  if (!hasIdentifier) return { ok: false, error: 'header.noIdentifierColumn', ...(format?.namesNoOne ? { detail: format.namesNoOne } : {}) };
  if (recordKey.length === 0 && format?.recordKey !== undefined) {
    const index = headers.findIndex((h) => foldHeader(h) === format.recordKey);
    if (index >= 0) recordKey.push(index);
  }
  if (recordKey.length === 0) {
    const keyPath = kind === 'order' ? 'order.orderId' : 'identifiers.externalId';
    const key = fields.find((f) => f.path === keyPath && f.index !== undefined);
    if (key?.index !== undefined) recordKey.push(key.index);
  }
  // A column that keys the rows is read, though no field takes it.
  for (const index of recordKey) used.add(index);
  return {
    ok: true,
    plan: {
      kind,
      fields,
      recordKey,
      namespace: mapping?.namespace ?? format?.namespace ?? source,
      defaultCountry: mapping?.defaultCountry ?? 'IT',
      decimal,
      dateFormat,
      ...(timeZone ? { timeZone } : {}),
      nameOrder: mapping?.nameOrder ?? format?.nameOrder ?? nameOrderOf(headers, fields),
      ...(mapping?.touchpoint ? { touchpoint: mapping.touchpoint } : {}),
      ...(mapping?.consentText ? { consentText: mapping.consentText } : {}),
      ...(format ? { exportFormat: format.name } : {}),
      // Blank headers at the end are a header line ending in the separator, as many exports write it.
      unmapped: headers.slice(0, headers.findLastIndex((h) => h.trim() !== '') + 1).flatMap((h, i) => (used.has(i) ? [] : [columnLabel(h, i, byName)])),
      ...(Object.keys(unread).length > 0 ? { unread } : {}),
    },
  };
}
