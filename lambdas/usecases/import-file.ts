import { Readable, Transform } from 'node:stream';
import { parse } from 'csv-parse';
import type { CanonicalRecord } from '../domain/canonical.ts';
import { contactRowToRecord } from '../domain/contact-row.ts';
import { detectDelimiter, detectEncoding, type TextEncoding } from '../domain/dialect.ts';
import { stableHash } from '../domain/hash.ts';
import { recogniseHeaders } from '../domain/headers.ts';
import type { ObjectStore, RecordQueue } from '../ports/index.ts';

export interface ImportDeps {
  readonly objects: ObjectStore;
  readonly queue: RecordQueue;
  readonly rawBucket: string;
  readonly now: () => Date;
}

/** What an import did, reconciled: rowsRead = accepted + rejected + suppressed. No personal data. */
export interface ImportReport {
  readonly importId: string;
  readonly source: string;
  readonly objectKey: string;
  readonly status: 'completed' | 'failed';
  /** Why the file could not be read at all (status failed). */
  readonly error?: string;
  readonly encoding?: TextEncoding;
  readonly delimiter?: string;
  readonly rowsRead: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly suppressed: number;
  readonly reasons: Record<string, number>;
  /** Values flagged but kept, per field and reason. */
  readonly flagged: Record<string, number>;
  readonly quarantineKey?: string;
  readonly startedAt: string;
  readonly finishedAt: string;
}

const KEY_PATTERN = /^imports\/([a-z0-9][a-z0-9_-]{0,62})\/(.+)$/i;
const HEAD_BYTES = 64 * 1024;
const SEND_CHUNK = 100;

export const reportKey = (importId: string): string => `reports/imports/${importId}.json`;

/** One id per uploaded object version: a re-delivered notification maps to the same import. */
export const importIdOf = (bucket: string, objectKey: string, versionOrEtag: string | undefined): string =>
  `imp_${stableHash(bucket, objectKey, versionOrEtag ?? '').slice(0, 24)}`;

/** Imports one uploaded export: every row becomes a canonical record on the queue or a quarantined reject. */
export async function importObject(deps: ImportDeps, bucket: string, objectKey: string): Promise<ImportReport> {
  const startedAt = deps.now().toISOString();
  const match = KEY_PATTERN.exec(objectKey);
  const source = match?.[1]?.toLowerCase() ?? 'unknown';
  const { body, versionId, etag } = await deps.objects.getStream(bucket, objectKey);
  const importId = importIdOf(bucket, objectKey, versionId ?? etag);

  const counts = { rowsRead: 0, accepted: 0, rejected: 0, suppressed: 0 };
  const reasons: Record<string, number> = {};
  const flagged: Record<string, number> = {};
  const quarantine: string[] = [];
  const finish = async (extra: Partial<ImportReport>): Promise<ImportReport> => {
    let quarantineKey: string | undefined;
    if (quarantine.length > 0) {
      quarantineKey = `quarantine/${source}/${importId}.ndjson`;
      await deps.objects.put(deps.rawBucket, quarantineKey, `${quarantine.join('\n')}\n`, 'application/x-ndjson');
    }
    const report: ImportReport = {
      importId,
      source,
      objectKey,
      status: 'completed',
      ...counts,
      reasons,
      flagged,
      ...(quarantineKey ? { quarantineKey } : {}),
      startedAt,
      finishedAt: deps.now().toISOString(),
      ...extra,
    };
    await deps.objects.put(deps.rawBucket, reportKey(importId), JSON.stringify(report, null, 2), 'application/json');
    return report;
  };
  const reject = (line: number, rowReasons: readonly string[], raw: unknown): void => {
    counts.rejected++;
    for (const r of rowReasons) reasons[r] = (reasons[r] ?? 0) + 1;
    quarantine.push(JSON.stringify({ importId, line, reasons: rowReasons, raw }));
  };

  if (!match) {
    body.destroy();
    return finish({ status: 'failed', error: 'key.noSource' });
  }

  const { head, rest } = await peek(body, HEAD_BYTES);
  if (head.length === 0) return finish({ status: 'failed', error: 'file.empty' });
  const { encoding } = detectEncoding(head);
  const sample = new TextDecoder(WHATWG_LABEL[encoding]).decode(head);
  if (looksBinary(sample)) return finish({ status: 'failed', error: 'file.binary' });
  const delimiter = detectDelimiter(sample);

  const parser = Readable.from(rest)
    .pipe(decodeStream(encoding))
    .pipe(parse({ delimiter, info: true, relax_column_count: true, skip_empty_lines: true, trim: false }));

  let headers: string[] | undefined;
  let fields: Map<string, string> = new Map();
  let batch: CanonicalRecord[] = [];
  const receivedAt = startedAt;
  try {
    for await (const { record: cells, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      if (!headers) {
        headers = cells.map((h) => h.trim());
        fields = recogniseHeaders(headers);
        continue;
      }
      counts.rowsRead++;
      const line = info.lines;
      if (cells.length !== headers.length) {
        reject(line, ['row.columnCount'], cells);
        continue;
      }
      const row = Object.fromEntries(headers.map((h, i) => [h, cells[i] ?? '']));
      const outcome = contactRowToRecord(row, { source, objectKey, importId, line, receivedAt, fields });
      if (!outcome.accepted) {
        reject(line, outcome.reasons, row);
        continue;
      }
      counts.accepted++;
      for (const [field, reason] of Object.entries(outcome.record.flags ?? {})) {
        const k = `${field}:${reason}`;
        flagged[k] = (flagged[k] ?? 0) + 1;
      }
      batch.push(outcome.record);
      if (batch.length >= SEND_CHUNK) {
        await deps.queue.send(batch);
        batch = [];
      }
    }
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (!code?.startsWith('CSV_')) throw e;
    if (batch.length > 0) await deps.queue.send(batch);
    return finish({ status: 'failed', error: `csv.${code.slice(4).toLowerCase()}`, encoding, delimiter });
  }
  if (batch.length > 0) await deps.queue.send(batch);
  if (!headers) return finish({ status: 'failed', error: 'file.empty', encoding, delimiter });
  return finish({ encoding, delimiter });
}

/** Reads at least `bytes` (or all) of a stream and returns them with an iterable that replays them, then the rest. */
async function peek(stream: Readable, bytes: number): Promise<{ head: Buffer; rest: AsyncIterable<Buffer> }> {
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
  async function* rest(): AsyncIterable<Buffer> {
    if (head.length > 0) yield head;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    }
  }
  return { head, rest: rest() };
}

/** WHATWG labels of the encodings Node's built-in TextDecoder (full ICU) handles; no codec tables are bundled. */
const WHATWG_LABEL: Record<TextEncoding, string> = {
  utf8: 'utf-8',
  utf16le: 'utf-16le',
  utf16be: 'utf-16be',
  'windows-1252': 'windows-1252',
};

/** Bytes to text, streaming (multi-byte characters split across chunks are kept whole); the BOM is dropped. */
function decodeStream(encoding: TextEncoding): Transform {
  const decoder = new TextDecoder(WHATWG_LABEL[encoding]);
  return new Transform({
    decodeStrings: true,
    readableObjectMode: false,
    transform(chunk: Buffer, _enc, done) {
      done(null, decoder.decode(chunk, { stream: true }));
    },
    flush(done) {
      done(null, decoder.decode());
    },
  });
}

/** Control characters (NUL above all) or undecodable bytes in the decoded sample mean the file is not a text export. */
function looksBinary(sample: string): boolean {
  let suspicious = 0;
  for (const ch of sample) {
    const c = ch.charCodeAt(0);
    if (c === 0) return true;
    if (c < 0x09 || (c > 0x0d && c < 0x20) || c === 0xfffd) suspicious++;
  }
  return suspicious > sample.length / 100;
}
