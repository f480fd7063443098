import type { Readable } from 'node:stream';
import type { CanonicalRecord } from '../domain/canonical.ts';
import type { FailureNote } from '../domain/failures.ts';

export interface ObjectHead {
  readonly body: Readable;
  readonly versionId?: string;
  readonly etag?: string;
  readonly contentLength?: number;
  readonly lastModified?: Date;
  /** User metadata (`x-amz-meta-*`), lower-case keys. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Objects in a bucket (landing, raw, lake, exports). */
export interface ObjectStore {
  /** From `range` (a byte offset) to the end; with `ifMatch`, fails if the object changed since. */
  getStream(bucket: string, key: string, options?: { range?: number; ifMatch?: string }): Promise<ObjectHead>;
  /** The object's text, or undefined when there is no such object. */
  getText(bucket: string, key: string): Promise<string | undefined>;
  put(bucket: string, key: string, body: string | Uint8Array, contentType: string): Promise<void>;
}

/** The records queue between ingestion and resolution. */
export interface RecordQueue {
  /** Sends records, packing them into as few requests as the queue allows. */
  send(records: readonly CanonicalRecord[]): Promise<void>;
}

/** Where an import that must continue in a fresh invocation leaves its checkpoint. */
export interface ContinuationQueue {
  schedule(checkpoint: unknown): Promise<void>;
}

/** Why messages of a queue failed, kept as long as its dead-letter queue keeps them (`cdp dlq list` reads it). */
export interface FailureLog {
  note(queue: string, messageBody: string, note: FailureNote): Promise<void>;
}

/** The failure log read back too, by message body (`cdp dlq list`; an erasure carrying a note to a message re-sent). */
export interface FailureNotes extends FailureLog {
  read(queue: string, bodies: readonly string[]): Promise<Map<string, FailureNote>>;
}
