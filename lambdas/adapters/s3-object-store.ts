import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { ObjectHead, ObjectStore } from '../ports/index.ts';
import { isNotFound } from './s3-errors.ts';

export class S3ObjectStore implements ObjectStore {
  constructor(private readonly s3: S3Client) {}

  async getStream(bucket: string, key: string, options: { range?: number; ifMatch?: string } = {}): Promise<ObjectHead> {
    const res = await this.s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(options.range ? { Range: `bytes=${options.range}-` } : {}),
        ...(options.ifMatch ? { IfMatch: options.ifMatch } : {}),
      }),
    );
    if (!res.Body) throw new Error('S3 returned no body');
    return { body: res.Body as Readable, versionId: res.VersionId, etag: res.ETag, contentLength: res.ContentLength, ...(res.LastModified ? { lastModified: res.LastModified } : {}), ...(res.Metadata ? { metadata: res.Metadata } : {}) };
  }

  async getText(bucket: string, key: string): Promise<string | undefined> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return await res.Body?.transformToString('utf-8');
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async put(bucket: string, key: string, body: string | Uint8Array, contentType: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
  }
}
