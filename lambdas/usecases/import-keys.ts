import { stableHash } from '../domain/hash.ts';

/**
 * Where an import's artefacts are kept, by import id. Its own module so that the privacy worker, which deletes the
 * report of an import it erased from, does not bundle the whole importer with it.
 */

/** User metadata an erasure sets on the exports it rewrites (S3: `x-amz-meta-cdp-erasure`). */
export const ERASURE_REWRITE_MARKER = 'cdp-erasure';

export const reportKey = (importId: string): string => `reports/imports/${importId}.json`;

/** One id per uploaded object version: a re-delivered notification maps to the same import. */
export const importIdOf = (bucket: string, objectKey: string, versionOrEtag: string | undefined): string =>
  `imp_${stableHash(bucket, objectKey, versionOrEtag ?? '').slice(0, 24)}`;
