import type { Readable } from 'node:stream';
import { type SourceRow, UnreadableFileError } from './types.ts';

/** Flattens an object into dotted keys (`customer.email`); arrays of scalars join with `, `. */
export function flatten(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (value === null || value === undefined) return out;
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) {
      if (prefix) out[prefix] = value.filter((v) => v !== null).join(', ');
    } else value.forEach((v, i) => flatten(v, prefix ? `${prefix}.${i}` : String(i), out));
    return out;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    return out;
  }
  if (prefix) out[prefix] = String(value);
  return out;
}

function toRow(value: unknown, line: number, endOffset?: number): SourceRow {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { cells: [], headers: [], line, ...(endOffset !== undefined ? { endOffset } : {}), error: 'json.notAnObject' };
  }
  const flat = flatten(value);
  return { cells: Object.values(flat), headers: Object.keys(flat), line, ...(endOffset !== undefined ? { endOffset } : {}) };
}

/**
 * NDJSON: one JSON object a line, split on raw bytes so each row knows the byte offset after it. A line that is not
 * JSON is yielded with an error (and its text, for quarantine) instead of stopping the file.
 */
export async function* readNdjson(body: Readable, baseOffset = 0, firstLine = 1): AsyncGenerator<SourceRow & { text?: string }> {
  const decoder = new TextDecoder('utf-8');
  let pending: Buffer = Buffer.alloc(0);
  let offset = baseOffset;
  let line = firstLine - 1;
  const emit = function* (bytes: Buffer, consumed: number): Generator<SourceRow & { text?: string }> {
    line++;
    offset += consumed;
    let text = decoder.decode(bytes);
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (!text.trim()) return;
    try {
      yield toRow(JSON.parse(text), line, offset);
    } catch {
      yield { cells: [], headers: [], line, endOffset: offset, error: 'json.syntax', text: text.slice(0, 10_000) };
    }
  };
  for await (const chunk of body as AsyncIterable<Buffer>) {
    let buf = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    let nl = buf.indexOf(0x0a);
    while (nl >= 0) {
      const end = nl > 0 && buf[nl - 1] === 0x0d ? nl - 1 : nl;
      yield* emit(buf.subarray(0, end), nl + 1);
      buf = buf.subarray(nl + 1);
      nl = buf.indexOf(0x0a);
    }
    pending = Buffer.from(buf);
  }
  if (pending.length > 0) yield* emit(pending, pending.length);
}

/** Largest JSON array document read whole; NDJSON streams any size. */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** A JSON array of objects, or an object holding one such array (`{"customers": [...]}`). */
export async function* readJsonArray(body: Readable): AsyncGenerator<SourceRow> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BYTES) {
      body.destroy();
      throw new UnreadableFileError('file.tooLarge', `JSON documents over ${MAX_JSON_BYTES / 1024 / 1024} MB must be NDJSON`);
    }
    chunks.push(chunk);
  }
  let text = Buffer.concat(chunks).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UnreadableFileError('json.syntax', 'The file is not valid JSON');
  }
  if (!Array.isArray(doc) && doc && typeof doc === 'object') {
    const arrays = Object.values(doc).filter(Array.isArray);
    if (arrays.length === 1) doc = arrays[0];
  }
  if (!Array.isArray(doc)) throw new UnreadableFileError('json.notAnArray', 'The JSON document holds no array of records');
  let line = 0;
  for (const item of doc) yield toRow(item, ++line);
}
