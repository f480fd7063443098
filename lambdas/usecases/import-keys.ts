import * as z from 'zod/mini';
import { type TextEncoding, WHATWG_LABEL } from '../domain/dialect.ts';
import { stableHash } from '../domain/hash.ts';
import type { Mapping } from '../domain/mapping.ts';
import type { ReadAs } from '../formats/rewrite.ts';
import type { ImportCheckpoint } from './import-file.ts';

/**
 * Where an import's artefacts are kept, by import id, and what a file-events message asks to import. Its own module
 * so that the privacy worker, which deletes the report of an import it erased from, and the twin, which looks into
 * its queues on start, do not bundle the whole importer with it.
 */

/** User metadata an erasure sets on the exports it rewrites (S3: `x-amz-meta-cdp-erasure`). */
export const ERASURE_REWRITE_MARKER = 'cdp-erasure';

export const reportKey = (importId: string): string => `reports/imports/${importId}.json`;

/** Mapping locations in the landing bucket: per file (what `cdp import --mapping` uploads), then per source. */
export const mappingKeys = (source: string, objectKey: string): [string, string] => [
  `mappings/${source}/${objectKey.split('/').at(-1)}.json`,
  `mappings/${source}.json`,
];

/**
 * The text of the mapping an export is read with: the file's, else its source's; the first found counts. `read` gives
 * a key's text, undefined when absent.
 */
export async function findMappingText(
  read: (key: string) => Promise<string | undefined>,
  source: string,
  objectKey: string,
): Promise<{ key: string; origin: 'file' | 'source'; text: string } | undefined> {
  const [fileKey, sourceKey] = mappingKeys(source, objectKey);
  for (const [key, origin] of [[fileKey, 'file'], [sourceKey, 'source']] as const) {
    const text = await read(key);
    if (text !== undefined) return { key, origin, text };
  }
  return undefined;
}

export const MAPPING_ENCODING: Record<NonNullable<NonNullable<Mapping['format']>['encoding']>, TextEncoding> = {
  'utf-8': 'utf8',
  'utf-16le': 'utf16le',
  'utf-16be': 'utf16be',
  'windows-1252': 'windows-1252',
  'iso-8859-1': 'windows-1252',
};

/**
 * Where an import notes how it read an export (see ReadAs), by the export's key: the privacy worker reads the file back
 * the same way even when its mapping has changed since. The latest completed import of a key writes it; an erasure's
 * rewrite of the file is not imported and leaves it. No personal data: the format facts only.
 */
export const readingKey = (objectKey: string): string => `reports/readings/${objectKey}.json`;

const readingSchema = z.object({
  header: z.optional(z.boolean()),
  headerLine: z.optional(z.int().check(z.positive())),
  encoding: z.optional(z.enum(Object.keys(WHATWG_LABEL) as [TextEncoding, ...TextEncoding[]])),
  delimiter: z.optional(z.string().check(z.length(1))),
  sheet: z.optional(z.string()),
});

/** A reading as an import stored it; undefined when there is none or it cannot be read (then the mapping decides). */
export function parseReading(text: string | undefined): ReadAs | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = readingSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** How the import reads a file, as far as its mapping's format says: the privacy paths read it back the same way. */
export function readingOf(mapping: Pick<Mapping, 'format'> | undefined): ReadAs {
  const f = mapping?.format;
  return {
    ...(f?.header === false ? { header: false } : {}),
    ...(f?.header !== false && f?.headerLine ? { headerLine: f.headerLine } : {}),
    ...(f?.encoding ? { encoding: MAPPING_ENCODING[f.encoding] } : {}),
    ...(f?.delimiter ? { delimiter: f.delimiter } : {}),
    ...(f?.sheet ? { sheet: f.sheet } : {}),
  };
}

/** A mapping's format as far as reading its file goes (readingOf); the rest of the mapping is not looked at. */
const mappingReadingSchema = z.object({
  format: z.optional(
    z.object({
      header: z.optional(z.boolean()),
      headerLine: z.optional(z.int().check(z.positive())),
      encoding: z.optional(z.enum(Object.keys(MAPPING_ENCODING) as [keyof typeof MAPPING_ENCODING, ...(keyof typeof MAPPING_ENCODING)[]])),
      delimiter: z.optional(z.string().check(z.length(1))),
      sheet: z.optional(z.string()),
    }),
  ),
});

/**
 * How an export's mapping says to read it (readingOf), from its format alone: the privacy worker, which reads a file
 * imported before imports noted their reading, needs no more of a mapping (nor the mapping's validation with it). A
 * mapping that is not JSON, or whose format cannot be read, gives the unmapped reading, as its import failed.
 */
export async function findReading(read: (key: string) => Promise<string | undefined>, source: string, objectKey: string): Promise<ReadAs> {
  const found = await findMappingText(read, source, objectKey);
  if (!found) return {};
  try {
    const parsed = mappingReadingSchema.safeParse(JSON.parse(found.text));
    return parsed.success ? readingOf(parsed.data) : {};
  } catch {
    return {};
  }
}

/** One id per upload of an object (see uploadOf): a re-delivered notification maps to the same import. */
export const importIdOf = (bucket: string, objectKey: string, upload: string | undefined): string =>
  `imp_${stableHash(bucket, objectKey, upload ?? '').slice(0, 24)}`;

/**
 * What tells one upload of an object from another: its version id where the bucket keeps versions (the stack's
 * landing bucket does), else its ETag and the second it was written (an unversioned bucket, such as the twin's). The
 * same bytes uploaded again are another import (with a mapping written since, say); a notification delivered twice is
 * not. Two uploads of the same bytes within one second are one import.
 */
export function uploadOf(o: { readonly versionId?: string; readonly etag?: string; readonly lastModified?: Date }): string | undefined {
  if (o.versionId && o.versionId !== 'null') return o.versionId;
  if (!o.etag || !o.lastModified) return o.etag;
  return `${o.etag}@${Math.floor(o.lastModified.getTime() / 1000)}`;
}

/** A message of the file-events queue: an S3 notification, or the continuation of a long import. */
export interface FileEvent {
  readonly Event?: string;
  readonly Records?: readonly { readonly eventName?: string; readonly s3: { readonly bucket: { name: string }; readonly object: { key: string } } }[];
  readonly cdpImportContinuation?: ImportCheckpoint;
}

/** The objects a message asks to import: a continuation's, or those of the notification's ObjectCreated records. */
export function importJobsOf(event: FileEvent): { bucket: string; key: string; resume?: ImportCheckpoint }[] {
  if (event.cdpImportContinuation) {
    const c = event.cdpImportContinuation;
    return [{ bucket: c.bucket, key: c.objectKey, resume: c }];
  }
  return (event.Records ?? [])
    .filter((r) => !r.eventName || r.eventName.startsWith('ObjectCreated'))
    // S3 URL-encodes keys in notifications, with '+' for spaces.
    .map((r) => ({ bucket: r.s3.bucket.name, key: decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')) }));
}
