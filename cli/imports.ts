import { createReadStream, statSync } from 'node:fs';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { ImportReport } from '../lambdas/usecases/import-file.ts';
import { importIdOf, reportKey, uploadOf } from '../lambdas/usecases/import-keys.ts';
import type { Target } from './target.ts';

type ImportTarget = Pick<Target, 's3' | 'buckets'>;

/** Uploads an export to the landing bucket under `imports/<source>/` and waits for its import report. */
export async function uploadAndWait(
  target: ImportTarget,
  key: string,
  body: Uint8Array | string,
  options: { timeoutMs?: number; progress?: (elapsedMs: number) => void } = {},
): Promise<ImportReport> {
  const isFile = typeof body === 'string';
  const put = await target.s3.send(
    new PutObjectCommand({
      Bucket: target.buckets.landing,
      Key: key,
      Body: isFile ? createReadStream(body) : body,
      ...(isFile ? { ContentLength: statSync(body).size } : {}),
    }),
  );
  // An unversioned bucket (the twin's) tells uploads apart by their time, which only a read of the object returns.
  const written = put.VersionId && put.VersionId !== 'null' ? undefined : await target.s3.send(new HeadObjectCommand({ Bucket: target.buckets.landing, Key: key }));
  const importId = importIdOf(target.buckets.landing, key, uploadOf({ versionId: put.VersionId, etag: written?.ETag ?? put.ETag, lastModified: written?.LastModified }));
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? 30 * 60_000);
  for (;;) {
    try {
      const res = await target.s3.send(new GetObjectCommand({ Bucket: target.buckets.raw, Key: reportKey(importId) }));
      return JSON.parse(await res.Body!.transformToString()) as ImportReport;
    } catch (e) {
      if ((e as Error).name !== 'NoSuchKey') throw e;
    }
    if (Date.now() > deadline) throw new Error(`Import ${importId} did not finish in time; check \`cdp dlq list\``);
    options.progress?.(Date.now() - started);
    await new Promise((r) => setTimeout(r, 250));
  }
}
