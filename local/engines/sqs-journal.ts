import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import * as path from 'node:path';

/** What the journal needs of a local-aws-sqs queue (public members of its `Queue` class). */
export interface JournaledQueue {
  readonly QueueName: string;
  readonly MessageRetentionPeriod: number;
  setRecord: (input: MessageInput, messageId?: string) => { record?: { MessageId?: string } } | undefined;
  delete(receiptHandle: string): boolean;
  clearRecords(): void;
}

export interface MessageInput {
  MessageBody: string;
  MessageAttributes?: Record<string, unknown>;
  MessageSystemAttributes?: Record<string, unknown>;
  [other: string]: unknown;
}

/** A message the journal holds: where it is, what it says, when it was sent. */
export interface JournaledMessage {
  readonly queue: string;
  readonly id: string;
  readonly body: string;
  readonly attributes?: Record<string, unknown>;
  readonly systemAttributes?: Record<string, unknown>;
  /** Epoch ms of the send (of the first send: a move to the dead-letter queue keeps it, as SQS does). */
  readonly sentAt: number;
}

type Line =
  | { p: string; i: string; b: string; a?: Record<string, unknown>; s?: Record<string, unknown>; t: number }
  | { d: string }
  | { c: string };

/** The journal is rewritten with only the live messages once it is this big and at least twice their size. */
const COMPACT_FLOOR_BYTES = 32 * 1024 * 1024;
/**
 * Handled messages hold personal data: they leave the journal at once when the queues are empty, and otherwise within
 * this period while what is queued is under TIDY_LIVE_BYTES (a rewrite of more waits for the size rule above).
 */
const TIDY_EVERY_MS = 30_000;
const TIDY_LIVE_BYTES = 16 * 1024 * 1024;

/**
 * A write-ahead journal that makes the twin's in-memory SQS durable: every message a queue takes (a send, a move to a
 * dead-letter queue) is appended before the sender is answered, every delete and purge after it happens. On the next
 * start the messages that were never deleted, in flight ones included, are put back into their queues with their
 * ids, bodies and attributes, so a twin that is killed loses no queued work; handlers are idempotent, as SQS's
 * at-least-once delivery already requires. Appends are plain writes (no fsync): they survive the process being
 * killed, not the machine losing power. Receive counts start again from zero.
 */
export class SqsJournal {
  private readonly file: string;
  private fd: number | undefined;
  private readonly live = new Map<string, { message: JournaledMessage; bytes: number }>();
  /** Bytes of the live messages' lines, and of the whole journal: the difference is handled messages. */
  private liveBytes = 0;
  private journalBytes = 0;
  private closed = false;
  private tidying: NodeJS.Timeout | undefined;

  constructor(
    dir: string,
    private readonly compactFloorBytes = COMPACT_FLOOR_BYTES,
  ) {
    mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, 'journal.ndjson');
    if (existsSync(this.file)) this.replay(readFileSync(this.file, 'utf8'));
  }

  /** Size of the journal and of its live messages' lines, in bytes. */
  get sizes(): { journalBytes: number; liveBytes: number } {
    return { journalBytes: this.journalBytes, liveBytes: this.liveBytes };
  }

  /**
   * Puts the journal's messages back into the named queues (dropping those past their queue's retention period or
   * of a queue that no longer exists), then journals every change to them. Returns what was put back.
   */
  attach(queues: readonly JournaledQueue[], now = Date.now()): JournaledMessage[] {
    const byName = new Map(queues.map((q) => [q.QueueName, q]));
    const restored: JournaledMessage[] = [];
    for (const m of [...this.live.values()].map((l) => l.message).sort((a, b) => a.sentAt - b.sentAt)) {
      const queue = byName.get(m.queue);
      if (!queue || now - m.sentAt > queue.MessageRetentionPeriod * 1000) {
        this.forget(m.id);
        continue;
      }
      queue.setRecord(
        {
          MessageBody: m.body,
          ...(m.attributes ? { MessageAttributes: m.attributes } : {}),
          ...(m.systemAttributes ? { MessageSystemAttributes: m.systemAttributes } : {}),
        },
        m.id,
      );
      restored.push(m);
    }
    this.compact();
    for (const queue of queues) this.hook(queue);
    this.tidying = setInterval(() => this.tidy(), TIDY_EVERY_MS);
    this.tidying.unref();
    return restored;
  }

  /** Rewrites the journal without the handled messages, unless what is queued is too big to rewrite this often. */
  tidy(): void {
    if (!this.closed && this.journalBytes > this.liveBytes && this.liveBytes <= TIDY_LIVE_BYTES) this.compact();
  }

  /** Stops journaling (a queue's timers may still move messages after the engine stopped). */
  close(): void {
    this.closed = true;
    clearInterval(this.tidying);
    this.closeFile();
  }

  private closeFile(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private hook(queue: JournaledQueue): void {
    const setRecord = queue.setRecord;
    queue.setRecord = (input, messageId) => {
      const result = setRecord(input, messageId);
      const id = result?.record?.MessageId;
      if (id) {
        const previous = this.live.get(id);
        this.append({
          p: queue.QueueName,
          i: id,
          b: input.MessageBody,
          ...(input.MessageAttributes ? { a: input.MessageAttributes } : {}),
          ...(input.MessageSystemAttributes ? { s: input.MessageSystemAttributes } : {}),
          t: previous?.message.sentAt ?? Date.now(),
        });
      }
      return result;
    };
    const remove = queue.delete.bind(queue);
    queue.delete = (receiptHandle) => {
      const deleted = remove(receiptHandle);
      const id = messageIdOf(receiptHandle);
      if (id && this.live.get(id)?.message.queue === queue.QueueName) this.append({ d: id });
      return deleted;
    };
    const clear = queue.clearRecords.bind(queue);
    queue.clearRecords = () => {
      clear();
      this.append({ c: queue.QueueName });
    };
  }

  private append(line: Line): void {
    if (this.closed) return;
    const text = `${JSON.stringify(line)}\n`;
    const bytes = Buffer.byteLength(text);
    this.apply(line, bytes);
    this.fd ??= openSync(this.file, 'a', 0o600);
    if (this.live.size === 0) {
      // Nothing queued: the journal is emptied, handled messages and all.
      ftruncateSync(this.fd, 0);
      this.journalBytes = 0;
      return;
    }
    writeSync(this.fd, text);
    this.journalBytes += bytes;
    if (this.journalBytes > this.compactFloorBytes && this.journalBytes > 2 * this.liveBytes) this.compact();
  }

  /** Rewrites the journal with the live messages only (a new file renamed over the old one). */
  private compact(): void {
    this.closeFile();
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      for (const { message } of this.live.values()) writeSync(fd, `${JSON.stringify(toLine(message))}\n`);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    this.journalBytes = this.liveBytes;
  }

  private replay(text: string): void {
    for (const raw of text.split('\n')) {
      if (raw === '') continue;
      let line: Line;
      try {
        line = JSON.parse(raw) as Line;
      } catch {
        continue; // a line cut short by the kill: its send was never answered
      }
      this.apply(line, Buffer.byteLength(raw) + 1);
    }
  }

  /** Applies a line of `bytes` bytes (newline included) to the live messages. */
  private apply(line: Line, bytes: number): void {
    if ('p' in line) {
      this.forget(line.i);
      const m: JournaledMessage = {
        queue: line.p,
        id: line.i,
        body: line.b,
        ...(line.a ? { attributes: line.a } : {}),
        ...(line.s ? { systemAttributes: line.s } : {}),
        sentAt: line.t,
      };
      this.live.set(m.id, { message: m, bytes });
      this.liveBytes += bytes;
    } else if ('d' in line) {
      this.forget(line.d);
    } else if ('c' in line) {
      for (const { message } of [...this.live.values()]) if (message.queue === line.c) this.forget(message.id);
    }
  }

  private forget(id: string): void {
    const entry = this.live.get(id);
    if (!entry) return;
    this.live.delete(id);
    this.liveBytes -= entry.bytes;
  }
}

function toLine(m: JournaledMessage): Line {
  return {
    p: m.queue,
    i: m.id,
    b: m.body,
    ...(m.attributes ? { a: m.attributes } : {}),
    ...(m.systemAttributes ? { s: m.systemAttributes } : {}),
    t: m.sentAt,
  };
}

/** local-aws-sqs's receipt handles are base64 of a UUID and `{"date","MessageId","QueueName"}`. */
export function messageIdOf(receiptHandle: string): string | undefined {
  try {
    const text = Buffer.from(receiptHandle, 'base64').toString('utf8');
    const id = (JSON.parse(text.slice(text.indexOf('{'))) as { MessageId?: unknown }).MessageId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
