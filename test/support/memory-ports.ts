import { Readable } from 'node:stream';
import type { CanonicalRecord } from '../../lambdas/domain/canonical.ts';
import type { ContinuationQueue, ObjectHead, ObjectStore, RecordQueue } from '../../lambdas/ports/index.ts';
import type { LakeStore } from '../../lambdas/ports/lake.ts';

/** In-memory implementations of the use cases' own ports (not of AWS): for use-case tests. */
export class MemoryObjects implements ObjectStore {
  readonly objects = new Map<string, { body: Buffer; etag: string }>();
  private version = 0;
  put(bucket: string, key: string, body: string | Uint8Array): Promise<void> {
    this.objects.set(`${bucket}/${key}`, { body: Buffer.from(body), etag: `"e${++this.version}"` });
    return Promise.resolve();
  }
  async getStream(bucket: string, key: string, options: { range?: number; ifMatch?: string } = {}): Promise<ObjectHead> {
    const o = this.objects.get(`${bucket}/${key}`);
    if (!o) throw Object.assign(new Error('no such key'), { name: 'NoSuchKey' });
    if (options.ifMatch && options.ifMatch !== o.etag) throw Object.assign(new Error('changed'), { name: 'PreconditionFailed' });
    const bytes = o.body.subarray(options.range ?? 0);
    const chunks = Array.from({ length: Math.ceil(bytes.length / 4096) }, (_, i) => bytes.subarray(i * 4096, (i + 1) * 4096));
    return { body: Readable.from(chunks), etag: o.etag, contentLength: bytes.length };
  }
  async getText(bucket: string, key: string): Promise<string | undefined> {
    return this.objects.get(`${bucket}/${key}`)?.body.toString('utf8');
  }
  text(bucket: string, key: string): string | undefined {
    return this.objects.get(`${bucket}/${key}`)?.body.toString('utf8');
  }
  keys(prefix: string): string[] {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix));
  }
}

export class MemoryRecordQueue implements RecordQueue {
  readonly records: CanonicalRecord[] = [];
  async send(records: readonly CanonicalRecord[]): Promise<void> {
    // What crosses the queue is JSON.
    this.records.push(...(JSON.parse(JSON.stringify(records)) as CanonicalRecord[]));
  }
}

export class MemoryContinuations implements ContinuationQueue {
  readonly scheduled: unknown[] = [];
  async schedule(checkpoint: unknown): Promise<void> {
    this.scheduled.push(JSON.parse(JSON.stringify(checkpoint)));
  }
}

/** The lake bucket in memory (the KPI publisher's own port). */
export class MemoryLake implements LakeStore {
  readonly objects = new Map<string, { bytes: Uint8Array; hash: string }>();
  puts = 0;
  async put(key: string, bytes: Uint8Array, contentHash: string): Promise<void> {
    this.puts++;
    this.objects.set(key, { bytes, hash: contentHash });
  }
  async contentHash(key: string): Promise<string | undefined> {
    return this.objects.get(key)?.hash;
  }
  async get(key: string): Promise<Uint8Array | undefined> {
    return this.objects.get(key)?.bytes;
  }
  async *list(prefix: string): AsyncIterable<string> {
    for (const k of [...this.objects.keys()].sort()) if (k.startsWith(prefix)) yield k;
  }
  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
}
