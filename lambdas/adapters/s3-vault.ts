import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ObjectVault, StoredObject } from '../ports/privacy.ts';
import { isNotFound as notFound } from './s3-errors.ts';

const preconditionFailed = (e: unknown): boolean =>
  (e as Error).name === 'PreconditionFailed' || (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412;

/** How access bundles are handed over: a presigned S3 link, or (set CDP_BUNDLE_DIR) a copy in a local directory. */
export interface LinkIssuer {
  /** `read` fetches the object's bytes, for issuers that hand over a copy. */
  issue(s3: S3Client, bucket: string, key: string, read: () => Promise<Uint8Array | undefined>, expiresSeconds: number): Promise<string>;
  revoke(key: string): Promise<void>;
}

/** A link to an access bundle lives one day at most, whatever a caller asks for. */
export const MAX_LINK_SECONDS = 24 * 3600;

export const presignedLinks: LinkIssuer = {
  issue: (s3, bucket, key, _read, expiresSeconds) => getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: expiresSeconds }),
  revoke: async () => undefined,
};

/** A directory of copies (the local twin's CDP_HOME/exports): the "link" is the file's path. */
export function directoryLinks(dir: string): LinkIssuer {
  return {
    async issue(_s3, _bucket, key, read) {
      const file = path.join(dir, ...key.split('/'));
      mkdirSync(path.dirname(file), { recursive: true });
      const bytes = await read();
      if (bytes) writeFileSync(file, bytes, { mode: 0o600 });
      return file;
    },
    async revoke(key) {
      rmSync(path.join(dir, ...key.split('/')), { force: true, recursive: true });
    },
  };
}


export class S3Vault implements ObjectVault {
  constructor(
    private readonly s3: S3Client,
    private readonly links: LinkIssuer = presignedLinks,
  ) {}

  async get(bucket: string, key: string): Promise<StoredObject | undefined> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const bytes = await res.Body!.transformToByteArray();
      return { bytes, ...(res.ETag ? { etag: res.ETag } : {}), ...(res.VersionId ? { versionId: res.VersionId } : {}), ...(res.ContentType ? { contentType: res.ContentType } : {}) };
    } catch (e) {
      if (notFound(e)) return undefined;
      throw e;
    }
  }

  async replace(bucket: string, key: string, bytes: Uint8Array, read: StoredObject, marker: Record<string, string>): Promise<'ok' | 'changed'> {
    // S3 refuses the write itself when the object changed (If-Match on PutObject); the read of the current ETag
    // first also catches it on stores that ignore the condition.
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      if (read.etag && head.ETag !== read.etag) return 'changed';
      await this.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: bytes,
          ContentType: read.contentType ?? 'application/octet-stream',
          Metadata: marker,
          ...(read.etag ? { IfMatch: read.etag } : {}),
        }),
      );
      return 'ok';
    } catch (e) {
      if (preconditionFailed(e) || notFound(e)) return 'changed';
      throw e;
    }
  }

  async delete(bucket: string, key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    await this.links.revoke(key);
  }

  async *list(bucket: string, prefix: string): AsyncIterable<{ key: string; size: number }> {
    let ContinuationToken: string | undefined;
    do {
      const res = await this.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }));
      for (const o of res.Contents ?? []) if (o.Key) yield { key: o.Key, size: o.Size ?? 0 };
      ContinuationToken = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  async purgeOldVersions(bucket: string, key: string): Promise<number> {
    let deleted = 0;
    let KeyMarker: string | undefined;
    let VersionIdMarker: string | undefined;
    do {
      let res;
      try {
        res = await this.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, KeyMarker, VersionIdMarker }));
      } catch (e) {
        // A store without versioning (S3-compatible servers) keeps no old versions to delete.
        if ((e as Error).name === 'MethodNotAllowed' || (e as Error).name === 'NotImplemented') return deleted;
        throw e;
      }
      const old = [...(res.Versions ?? []), ...(res.DeleteMarkers ?? [])].filter((v) => v.Key === key && !v.IsLatest && v.VersionId && v.VersionId !== 'null');
      for (const v of old) {
        await this.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: v.VersionId }));
        deleted++;
      }
      KeyMarker = res.IsTruncated ? res.NextKeyMarker : undefined;
      VersionIdMarker = res.IsTruncated ? res.NextVersionIdMarker : undefined;
    } while (KeyMarker);
    return deleted;
  }

  async put(bucket: string, key: string, body: string | Uint8Array, contentType: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
  }

  async link(bucket: string, key: string, expiresSeconds: number): Promise<string> {
    return this.links.issue(this.s3, bucket, key, async () => (await this.get(bucket, key))?.bytes, Math.min(expiresSeconds, MAX_LINK_SECONDS));
  }
}
