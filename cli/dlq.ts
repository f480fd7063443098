import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { type QueueName, queues } from '../lib/definitions.ts';
import { DynamoFailureLog } from '../lambdas/adapters/failure-log.ts';
import { type Output, UsageError } from './output.ts';
import type { Target } from './target.ts';

export interface DlqReason {
  /** The error's name and masked message (`unknown: ...` when the function left no note). */
  readonly reason: string;
  readonly function?: string;
  readonly messages: number;
  /** Receives before the message gave up (the last failure's count). */
  readonly receives?: number;
  readonly lastFailedAt?: string;
}

export interface DlqState {
  readonly queue: QueueName;
  readonly messages: number;
  /** Why they are there, most frequent first, read from the failure log for the first PEEK_LIMIT messages. */
  readonly reasons: readonly DlqReason[];
}

/** Messages read per DLQ to tell why they failed; the count covers them all. */
const PEEK_LIMIT = 200;
const NO_NOTE = 'unknown: no failure note (the invocation crashed or timed out, or the note could not be written; see the function\'s logs)';

/**
 * What each dead-letter queue holds and why: counts, and the reasons its functions noted when the messages failed.
 * Message bodies carry personal data and are never printed. Reading the messages makes them invisible for a moment;
 * they are released right after.
 */
export async function dlqStates(target: Target): Promise<DlqState[]> {
  const failures = new DynamoFailureLog(target.dynamodb, target.tableName);
  const out: DlqState[] = [];
  for (const queue of Object.keys(queues) as QueueName[]) {
    const attrs = await target.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: target.dlqUrls[queue], AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    const messages = Number(attrs.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    const bodies = messages > 0 ? await peek(target, target.dlqUrls[queue]) : [];
    const notes = await failures.read(queue, bodies);
    const reasons = new Map<string, { -readonly [K in keyof DlqReason]: DlqReason[K] }>();
    for (const body of bodies) {
      const note = notes.get(body);
      const reason = note ? `${note.error}${note.detail ? `: ${note.detail}` : ''}` : NO_NOTE;
      const key = `${note?.fn ?? ''}\u0000${reason}`;
      const entry = reasons.get(key) ?? { reason, ...(note ? { function: note.fn } : {}), messages: 0 };
      entry.messages++;
      if (note) {
        entry.receives = Math.max(entry.receives ?? 0, note.receiveCount);
        if (!entry.lastFailedAt || entry.lastFailedAt < note.at) entry.lastFailedAt = note.at;
      }
      reasons.set(key, entry);
    }
    out.push({ queue, messages, reasons: [...reasons.values()].sort((a, b) => b.messages - a.messages) });
  }
  return out;
}

/** Up to PEEK_LIMIT bodies of a queue's messages, each once; the messages are made visible again at once. */
async function peek(target: Target, queueUrl: string): Promise<string[]> {
  const seen = new Map<string, { body: string; receipt: string }>();
  for (let empty = 0; seen.size < PEEK_LIMIT && empty < 2; ) {
    const res = await target.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 30 }));
    const got = (res.Messages ?? []).filter((m) => !seen.has(m.MessageId!));
    if (got.length === 0) empty++;
    for (const m of got) seen.set(m.MessageId!, { body: m.Body ?? '', receipt: m.ReceiptHandle! });
  }
  const all = [...seen.values()];
  for (let i = 0; i < all.length; i += 10) {
    await target.sqs
      .send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: all.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.receipt, VisibilityTimeout: 0 })),
        }),
      )
      .catch(() => undefined);
  }
  return all.map((m) => m.body);
}

/** Moves every message of a DLQ back to its queue (same body and attributes), in batches of ten; returns the count. */
export async function redrive(target: Target, queue: QueueName, progress?: (moved: number) => void): Promise<number> {
  let moved = 0;
  for (;;) {
    const res = await target.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: target.dlqUrls[queue], MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'], VisibilityTimeout: 60 }),
    );
    const messages = res.Messages ?? [];
    if (messages.length === 0) return moved;
    const sent = await target.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: target.queueUrls[queue],
        Entries: messages.map((m, i) => ({
          Id: String(i),
          MessageBody: m.Body ?? '',
          ...(m.MessageAttributes ? { MessageAttributes: m.MessageAttributes as Record<string, MessageAttributeValue> } : {}),
        })),
      }),
    );
    const ok = new Set((sent.Successful ?? []).map((s) => s.Id));
    const done = messages.filter((_m, i) => ok.has(String(i)));
    if (done.length > 0) {
      await target.sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: target.dlqUrls[queue], Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
      );
    }
    moved += done.length;
    progress?.(moved);
    if (done.length < messages.length) throw new Error(`SQS refused ${messages.length - done.length} message(s); ${moved} moved so far`);
  }
}

/** `cdp dlq list` and `cdp dlq redrive [--queue Q]`. */
export async function runDlq(out: Output, target: Target, sub: string | undefined, flags: { queue?: string }): Promise<number> {
  if (sub === 'list') {
    const states = await dlqStates(target);
    out.result(states, () =>
      states
        .map((s) =>
          [
            `${s.queue.padEnd(12)} ${s.messages} message(s) in the dead-letter queue`,
            ...s.reasons.map((r) => `  ${String(r.messages).padStart(5)} × ${r.reason}${r.function ? ` (${r.function}${r.receives ? `, ${r.receives} receives` : ''}${r.lastFailedAt ? `, last ${r.lastFailedAt}` : ''})` : ''}`),
          ].join('\n'),
        )
        .join('\n'),
    );
    return 0;
  }
  if (sub === 'redrive') {
    const names = Object.keys(queues) as QueueName[];
    if (flags.queue && !names.includes(flags.queue as QueueName)) throw new UsageError(`Unknown queue ${flags.queue}; one of ${names.join(', ')}`);
    const chosen = flags.queue ? [flags.queue as QueueName] : names;
    const moved: Record<string, number> = {};
    for (const q of chosen) moved[q] = await redrive(target, q, (n) => out.progress(`${q}: ${n} moved back`));
    out.result({ moved }, () => Object.entries(moved).map(([q, n]) => `${q.padEnd(12)} ${n} message(s) moved back to the queue`).join('\n'));
    return 0;
  }
  throw new UsageError('Usage: cdp dlq list | cdp dlq redrive [--queue fileEvents|records|dsr]');
}
