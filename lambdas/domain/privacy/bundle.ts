/**
 * The access bundle (Art. 15) and its portable form (Art. 20): one JSON document, plus one CSV per table. CSV cells
 * are safe to open in a spreadsheet: a value that a spreadsheet would run as a formula is prefixed with a quote.
 */

export interface RawRow {
  readonly source: string;
  readonly channel: 'file' | 'webhook';
  readonly objectKey: string;
  /** A workbook's sheet the import did not read, where the row is (its cells numbered from 1). */
  readonly sheet?: string;
  readonly line?: number;
  readonly deliveryId?: string;
  /** The row as the export had it (header -> cell), or the webhook body as received. */
  readonly values: unknown;
  /**
   * Why the import rejected the row, for a row it rejected: on no profile, kept in quarantine as read (its cells, or
   * its text); `objectKey` is its export's, or the quarantine file's when the export is not known. A webhook body no
   * format could read is one too, as its text, under its quarantine key.
   */
  readonly rejected?: readonly string[];
}

export interface AccessBundle {
  readonly requestId: string;
  readonly generatedAt: string;
  readonly profiles: readonly {
    readonly profileId: string;
    readonly attributes: Readonly<Record<string, string>>;
    /** Every value seen per field, with its source and time. */
    readonly values: Readonly<Record<string, readonly { v: string; s: string; t: string }[]>>;
    readonly identifiers: readonly string[];
    readonly sources: readonly string[];
    readonly orders: unknown;
    readonly lead?: unknown;
    readonly restricted?: unknown;
    /** What the product infers about the person (Art. 15: derived data too): lifecycle and lead score. */
    readonly lifecycle: string;
    readonly leadScore: number;
  }[];
  /** The rules the lead score follows (the logic of this profiling, Art. 15(1)(h) in spirit). */
  readonly leadScoreRules: readonly Record<string, unknown>[];
  readonly timeline: readonly Record<string, unknown>[];
  readonly orders: readonly Record<string, unknown>[];
  readonly consents: readonly Record<string, unknown>[];
  /** Where the data came from and why it is processed. */
  readonly sources: readonly { readonly source: string; readonly purposes: readonly string[] }[];
  readonly rawRows: readonly RawRow[];
}

/** What this product processes customer data for (Art. 13/15(1)(a)), besides the consented purposes. */
export const BASE_PURPOSES = ['customer_relationship (Art. 6(1)(b))', 'order_fulfilment (Art. 6(1)(b))', 'legal_obligations (Art. 6(1)(c))'];

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell: formula-looking text neutralised (OWASP), quoted when it holds the delimiter, a quote or a newline. */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let s = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A table as CSV: the union of the rows' keys as the header, in first-seen order. */
export function toCsv(rows: readonly Record<string, unknown>[]): string {
  const header: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    for (const k of Object.keys(r)) {
      if (seen.has(k)) continue;
      seen.add(k);
      header.push(k);
    }
  }
  const lines = [header.map(csvCell).join(',')];
  for (const r of rows) lines.push(header.map((h) => csvCell(r[h])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function flattenValues(value: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flattenValues(v, prefix ? `${prefix}.${k}` : k, out);
  } else out[prefix || 'value'] = value;
  return out;
}

/** The bundle's files: bundle.json and a CSV per table. */
export function bundleFiles(bundle: AccessBundle): Record<string, string> {
  const profileRows = bundle.profiles.flatMap((p) => [
    ...Object.entries(p.values).flatMap(([field, list]) => list.map((v) => ({ profileId: p.profileId, field, value: v.v, source: v.s, at: v.t, current: p.attributes[field] === v.v }))),
    // Inferred, not collected: as of the bundle, by the rules in lead_score_rules.csv.
    { profileId: p.profileId, field: 'lifecycle', value: p.lifecycle, source: 'derived', at: bundle.generatedAt, current: true },
    { profileId: p.profileId, field: 'leadScore', value: p.leadScore, source: 'derived', at: bundle.generatedAt, current: true },
  ]);
  const identifierRows = bundle.profiles.flatMap((p) => p.identifiers.map((key) => ({ profileId: p.profileId, type: key.slice(0, key.indexOf(':')), value: key.slice(key.indexOf(':') + 1) })));
  // One value a line (long form): rows of different exports have different columns.
  const rawRows = bundle.rawRows.flatMap((r) =>
    Object.entries(flattenValues(r.values)).map(([field, value]) => ({ source: r.source, channel: r.channel, objectKey: r.objectKey, ...(r.sheet ? { sheet: r.sheet } : {}), line: r.line, deliveryId: r.deliveryId, ...(r.rejected ? { rejected: r.rejected.join('; ') } : {}), field, value })),
  );
  return {
    'bundle.json': `${JSON.stringify(bundle, null, 2)}\n`,
    'profile.csv': toCsv(profileRows),
    'identifiers.csv': toCsv(identifierRows),
    'timeline.csv': toCsv(bundle.timeline),
    'orders.csv': toCsv(bundle.orders),
    'consents.csv': toCsv(bundle.consents),
    'sources.csv': toCsv(bundle.sources.map((s) => ({ source: s.source, purposes: s.purposes.join('; ') }))),
    'raw_rows.csv': toCsv(rawRows),
    'lead_score_rules.csv': toCsv(bundle.leadScoreRules.map(({ when, points, max, ...detail }) => ({ when, points, max, detail: Object.keys(detail).length > 0 ? detail : undefined }))),
  };
}
