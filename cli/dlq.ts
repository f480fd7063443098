import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { type QueueName, queues } from '../lib/definitions.ts';
import { type Output, UsageError } from './output.ts';
import type { Target } from './target.ts';

export interface DlqState {
  readonly queue: QueueName;
  readonly messages: number;
  /** Seconds since the oldest message was first sent, when the DLQ holds any. */
  readonly oldestAgeSeconds?: number;
}

/**
 * What each dead-letter queue holds: counts and age only. Message bodies carry personal data and are never printed;
 * the functions' logs (by message id and error name) say why a message failed.
 */
export async function dlqStates(target: Target): Promise<DlqState[]> {
  const out: DlqState[] = [];
  for (const queue of Object.keys(queues) as QueueName[]) {
    const attrs = await target.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: target.dlqUrls[queue], AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    const messages = Number(attrs.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    out.push({ queue, messages });
  }
  return out;
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
    out.result(states, () => states.map((s) => `${s.queue.padEnd(12)} ${s.messages} message(s) in the dead-letter queue`).join('\n'));
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
