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
  /** Epoch ms before which a message sent with a delay is not delivered. */
  readonly delayedUntil?: number;
}

interface Line {
  q: string;
  i: string;
  b: string;
  a?: Record<string, unknown>;
  s?: Record<string, unknown>;
  t: number;
  u?: number;
}

/** The journal is rewritten with only the queued messages once it is this big and at least twice their size. */
const COMPACT_FLOOR_BYTES = 32 * 1024 * 1024;

/**
 * A journal that makes the twin's in-memory SQS durable. Every message a queue takes (a send, a batch send, a move to
 * a dead-letter queue) is written as a line before the sender is answered; when the message is deleted or purged,
 * its line is overwritten with spaces in place. On the next start the lines left, in flight messages included, are
 * put back into their queues with their ids, bodies and attributes, so a twin that is killed loses no queued work;
 * handlers are idempotent, as SQS's at-least-once delivery already requires. Message bodies carry personal data, so
 * a handled message leaves the file at once (an erasure need not reach it), the file is its owner's only, and it is
 * emptied whenever the queues are. Writes are plain (no fsync): they survive the process being killed, not the
 * machine losing power. Receive counts start again from zero.
 */
export class SqsJournal {
  private readonly file: string;
  private fd: number | undefined;
  /** Each queued message, with where its line is in the file. */
  private readonly live = new Map<string, { message: JournaledMessage; offset: number; bytes: number }>();
  private liveBytes = 0;
  /** The file's size: its lines, the blanked ones included. */
  private end = 0;
  private closed = false;

  constructor(
    dir: string,
    private readonly compactFloorBytes = COMPACT_FLOOR_BYTES,
  ) {
    mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, 'journal.ndjson');
    if (existsSync(this.file)) this.replay(readFileSync(this.file, 'utf8'));
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
          ...(m.delayedUntil && m.delayedUntil > now ? { DelaySeconds: Math.ceil((m.delayedUntil - now) / 1000) } : {}),
        },
        m.id,
      );
      restored.push(m);
    }
    this.compact();
    for (const queue of queues) this.hook(queue);
    return restored;
  }

  /** Stops journaling (a queue's timers may still move messages after the engine stopped). */
  close(): void {
    this.closed = true;
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
      if (id && !this.closed) {
        const delay = Number(input.DelaySeconds ?? 0);
        this.put({
          queue: queue.QueueName,
          id,
          body: input.MessageBody,
          ...(input.MessageAttributes ? { attributes: input.MessageAttributes } : {}),
          ...(input.MessageSystemAttributes ? { systemAttributes: input.MessageSystemAttributes } : {}),
          sentAt: this.live.get(id)?.message.sentAt ?? Date.now(),
          ...(delay > 0 ? { delayedUntil: Date.now() + delay * 1000 } : {}),
        });
      }
      return result;
    };
    const remove = queue.delete.bind(queue);
    queue.delete = (receiptHandle) => {
      const deleted = remove(receiptHandle);
      const id = messageIdOf(receiptHandle);
      if (id && !this.closed && this.live.get(id)?.message.queue === queue.QueueName) this.blank(id);
      return deleted;
    };
    const clear = queue.clearRecords.bind(queue);
    queue.clearRecords = () => {
      clear();
      if (this.closed) return;
      for (const { message } of [...this.live.values()]) if (message.queue === queue.QueueName) this.blank(message.id);
    };
  }

  /** Writes a message's line at the end of the file (a message that moved queues has its old line blanked first). */
  private put(message: JournaledMessage): void {
    if (this.live.has(message.id)) this.blank(message.id);
    const text = Buffer.from(`${JSON.stringify(toLine(message))}\n`);
    writeSync(this.open(), text, 0, text.length, this.end);
    this.live.set(message.id, { message, offset: this.end, bytes: text.length });
    this.liveBytes += text.length;
    this.end += text.length;
    if (this.end > this.compactFloorBytes && this.end > 2 * this.liveBytes) this.compact();
  }

  /** Overwrites a handled message's line with spaces; empties the file when nothing is queued any more. */
  private blank(id: string): void {
    const entry = this.live.get(id);
    if (!entry) return;
    this.forget(id);
    if (this.live.size === 0) {
      ftruncateSync(this.open(), 0);
      this.end = 0;
      return;
    }
    writeSync(this.open(), Buffer.alloc(entry.bytes - 1, 0x20), 0, entry.bytes - 1, entry.offset);
  }

  private open(): number {
    this.fd ??= openSync(this.file, existsSync(this.file) ? 'r+' : 'w+', 0o600);
    return this.fd;
  }

  /** Rewrites the journal with the queued messages only (a new file renamed over the old one). */
  private compact(): void {
    this.closeFile();
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    let offset = 0;
    try {
      for (const entry of this.live.values()) {
        const text = Buffer.from(`${JSON.stringify(toLine(entry.message))}\n`);
        writeSync(fd, text, 0, text.length, offset);
        entry.offset = offset;
        offset += text.length;
      }
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    this.end = offset;
  }

  private replay(text: string): void {
    let offset = 0;
    for (const raw of text.split('\n')) {
      const bytes = Buffer.byteLength(raw) + 1;
      const at = offset;
      offset += bytes;
      if (raw.trim() === '') continue; // a handled message
      let line: Line;
      try {
        line = JSON.parse(raw) as Line;
      } catch {
        continue; // a line cut short by the kill: its send was never answered
      }
      this.forget(line.i);
      const message = fromLine(line);
      this.live.set(message.id, { message, offset: at, bytes });
      this.liveBytes += bytes;
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
    q: m.queue,
    i: m.id,
    b: m.body,
    ...(m.attributes ? { a: m.attributes } : {}),
    ...(m.systemAttributes ? { s: m.systemAttributes } : {}),
    t: m.sentAt,
    ...(m.delayedUntil ? { u: m.delayedUntil } : {}),
  };
}

function fromLine(l: Line): JournaledMessage {
  return {
    queue: l.q,
    id: l.i,
    body: l.b,
    ...(l.a ? { attributes: l.a } : {}),
    ...(l.s ? { systemAttributes: l.s } : {}),
    sentAt: l.t,
    ...(l.u ? { delayedUntil: l.u } : {}),
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
