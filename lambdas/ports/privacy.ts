import type { CanonicalRecord } from '../domain/canonical.ts';
import type { RequestEvent, RequestState } from '../domain/privacy/request.ts';

/** Data-subject requests: each an append-only event log (DSR#<id> in the single table). */
export interface RequestLog {
  /** Creates the request with its `received` event; 'exists' when the id is taken (an idempotent resubmission). */
  create(requestId: string, event: Extract<RequestEvent, { type: 'received' }>): Promise<'created' | 'exists'>;
  read(requestId: string): Promise<RequestState | undefined>;
  /** Appends an event after the state's last one; 'conflict' when another append came first. */
  append(state: RequestState, event: RequestEvent): Promise<RequestState | 'conflict'>;
  list(): Promise<RequestState[]>;
}

/** Salted hashes of erased people's identifiers: imports, webhooks and the resolver drop what they name. */
export interface SuppressionList {
  add(hashes: readonly string[], requestId: string, at: string): Promise<void>;
  /** Read consistently: a record checked after an erasure wrote its hashes is always caught. */
  containsAny(hashes: readonly string[]): Promise<boolean>;
  /** The whole list (what an import loads once, to check every row in memory). */
  all(): Promise<ReadonlySet<string>>;
}

/** The secret salt of suppression and request hashes (Secrets Manager in AWS). */
export interface SaltSource {
  get(): Promise<string>;
}

/** Checks identifier keys against the suppression list: the one thing ingestion and resolution need of it. */
export interface SuppressionCheck {
  /** Whether any of these identifier keys (`email:mario@rossi.it`) belongs to an erased person. */
  isSuppressed(identifierKeys: readonly string[]): Promise<boolean>;
}

/**
 * The records a dead-letter queue holds (the resolver failed them; they wait for a redrive or their retention's end).
 * An erasure takes the person's out of them.
 */
export interface DeadLetterRecords {
  /** Takes the records `drop` picks out of every message (the others stay, in a message of their own). */
  scrub(drop: (record: CanonicalRecord) => boolean): Promise<{ readonly messagesScanned: number; readonly recordsRemoved: number }>;
}

export interface StoredObject {
  readonly bytes: Uint8Array;
  readonly etag?: string;
  readonly versionId?: string;
  readonly contentType?: string;
}

/** What erasure and access need of a bucket beyond reading and writing objects. */
export interface ObjectVault {
  get(bucket: string, key: string): Promise<StoredObject | undefined>;
  /** Replaces an object only if it is still the version read ('changed' otherwise); marks it as a rewrite. */
  replace(bucket: string, key: string, bytes: Uint8Array, read: StoredObject, marker: Record<string, string>): Promise<'ok' | 'changed'>;
  delete(bucket: string, key: string): Promise<void>;
  list(bucket: string, prefix: string): AsyncIterable<{ key: string; size: number }>;
  /** Deletes every version of the object but the current one (0 in a bucket without versioning). */
  purgeOldVersions(bucket: string, key: string): Promise<number>;
  put(bucket: string, key: string, body: string | Uint8Array, contentType: string): Promise<void>;
  /** A short-lived link to an object (AWS: presigned GET; locally a file path under CDP_HOME). */
  link(bucket: string, key: string, expiresSeconds: number): Promise<string>;
}

/** What a lake erasure did: the files it checked, those it rewrote without the person's rows, old versions it deleted. */
export interface LakeErasure {
  readonly filesScanned: number;
  readonly filesRewritten: { readonly key: string; readonly rowsRemoved: number }[];
  readonly oldVersionsDeleted: number;
}

/**
 * Removes erased people's rows from the lake's files in `bucket` (`eraseFromLake`). A port so that the worker can load
 * its Parquet code on the first erasure rather than at every cold start.
 */
export type LakeEraser = (vault: ObjectVault, bucket: string, requestId: string, profileIds: ReadonlySet<string>) => Promise<LakeErasure>;

/** Where privacy requests go to be worked on (the DSR queue); carries the plain identifiers, encrypted. */
export interface WorkQueue {
  /** With `delaySeconds`, the order is delivered that much later (SQS delays 900 s at most: a longer wait is cut). */
  send(message: PrivacyWork, options?: { delaySeconds?: number }): Promise<void>;
}

/** One request's work order. The identifiers are the subject's, as given; they live in the KMS-encrypted queue only. */
export interface PrivacyWork {
  readonly requestId: string;
  readonly identifiers: readonly string[];
  /** Rectification: field -> corrected value. */
  readonly changes?: Readonly<Record<string, string>>;
}
