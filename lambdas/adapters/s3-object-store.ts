import type { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ObjectStore } from '../ports/index.ts';

export class S3ObjectStore implements ObjectStore {
  constructor(private readonly s3: S3Client) {}

  async getStream(bucket: string, key: string): Promise<{ body: Readable; versionId?: string; etag?: string }> {
    const res = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!res.Body) throw new Error('S3 returned no body');
    return { body: res.Body as Readable, versionId: res.VersionId, etag: res.ETag };
  }

  async put(bucket: string, key: string, body: string | Uint8Array, contentType: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
  }
}
