import { stableHash } from '../domain/hash.ts';
import type { ImportCheckpoint } from './import-file.ts';

/**
 * Where an import's artefacts are kept, by import id, and what a file-events message asks to import. Its own module
 * so that the privacy worker, which deletes the report of an import it erased from, and the twin, which looks into
 * its queues on start, do not bundle the whole importer with it.
 */

/** User metadata an erasure sets on the exports it rewrites (S3: `x-amz-meta-cdp-erasure`). */
export const ERASURE_REWRITE_MARKER = 'cdp-erasure';

export const reportKey = (importId: string): string => `reports/imports/${importId}.json`;

/** One id per uploaded object version: a re-delivered notification maps to the same import. */
export const importIdOf = (bucket: string, objectKey: string, versionOrEtag: string | undefined): string =>
  `imp_${stableHash(bucket, objectKey, versionOrEtag ?? '').slice(0, 24)}`;

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
