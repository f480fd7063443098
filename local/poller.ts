import { randomUUID } from 'node:crypto';
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface PollerOptions {
  readonly name: string;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly region: string;
  readonly handler: SqsHandler;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  /** Concurrent invocations (Lambda's scaling, bounded like `maxConcurrency`). */
  readonly concurrency: number;
  readonly timeoutSeconds: number;
  /** Told of each invocation's outcome (counts only, no payloads). */
  readonly onInvocation?: (outcome: { name: string; received: number; failed: number; error?: Error }) => void;
}

/**
 * Lambda's SQS event source mapping, on the twin: long-polls, hands the function batches of the configured size,
 * deletes what succeeded, and leaves failures (reported in `batchItemFailures`, or all of them when the function
 * throws) to reappear after the visibility timeout, until the queue's redrive policy moves them to the DLQ.
 */
/**
 * One entry per message, with its newest receipt handle: a message whose visibility ran out while a batch was being
 * gathered comes back (local SQS may even return it twice in one long poll). Lambda never batches a message twice,
 * and only the newest receipt handle can delete it.
 */
export function newestReceipts(messages: readonly Message[]): Message[] {
  const byId = new Map<string, Message>();
  for (const m of messages) {
    byId.delete(m.MessageId!);
    byId.set(m.MessageId!, m);
  }
  return [...byId.values()];
}

export class QueuePoller {
  private running = false;
  private inFlight = 0;
  private loops: Promise<void>[] = [];
  private readonly abort = new AbortController();

  constructor(private readonly options: PollerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    for (let i = 0; i < this.options.concurrency; i++) this.loops.push(this.loop());
  }

  /** True when no invocation is running. */
  get idle(): boolean {
    return this.inFlight === 0;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await Promise.allSettled(this.loops);
    this.loops = [];
  }

  private async receive(max: number, waitSeconds: number): Promise<Message[]> {
    const res = await this.options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.options.queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: this.abort.signal },
    );
    return res.Messages ?? [];
  }

  private async loop(): Promise<void> {
    const { batchSize, maxBatchingWindowSeconds } = this.options;
    while (this.running) {
      let messages: Message[];
      try {
        messages = await this.receive(batchSize, 1);
        const windowEnds = Date.now() + maxBatchingWindowSeconds * 1000;
        while (messages.length > 0 && messages.length < batchSize && Date.now() < windowEnds && this.running) {
          const more = await this.receive(batchSize - messages.length, 0);
          if (more.length === 0) await new Promise((r) => setTimeout(r, 50));
          messages.push(...more);
        }
        messages = newestReceipts(messages);
      } catch {
        if (!this.running) return;
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (messages.length === 0) continue;
      this.inFlight++;
      try {
        await this.invoke(messages);
      } finally {
        this.inFlight--;
      }
    }
  }

  private async invoke(messages: Message[]): Promise<void> {
    const { name, handler, timeoutSeconds } = this.options;
    const event: SQSEvent = { Records: messages.map((m) => this.toRecord(m)) };
    const deadline = Date.now() + timeoutSeconds * 1000;
    const context = {
      functionName: name,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${this.options.region}:000000000000:function:${name}`,
      memoryLimitInMB: '1024',
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${name}`,
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: false,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    } satisfies Context;

    let failedIds: Set<string>;
    let error: Error | undefined;
    try {
      const response = await handler(event, context);
      failedIds = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (e) {
      // A thrown error fails the whole batch, as in Lambda.
      error = e instanceof Error ? e : new Error(String(e));
      failedIds = new Set(messages.map((m) => m.MessageId!));
    }
    const succeeded = messages.filter((m) => !failedIds.has(m.MessageId!));
    for (let i = 0; i < succeeded.length; i += 10) {
      // A delete that fails (a receipt handle gone stale because the visibility timeout ran out during the batch)
      // leaves the message to be delivered again, as in Lambda; handlers are idempotent. The poller goes on.
      await this.options.sqs
        .send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.options.queueUrl,
            Entries: succeeded.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle! })),
          }),
        )
        .catch(() => undefined);
    }
    this.options.onInvocation?.({
      name,
      received: messages.length,
      failed: failedIds.size,
      ...(error ? { error } : {}),
    });
  }

  private toRecord(m: Message): SQSRecord {
    const a = m.Attributes ?? {};
    return {
      messageId: m.MessageId!,
      receiptHandle: m.ReceiptHandle!,
      body: m.Body ?? '',
      attributes: {
        ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
        SentTimestamp: a.SentTimestamp ?? String(Date.now()),
        SenderId: a.SenderId ?? 'local',
        ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [
          k,
          {
            dataType: v.DataType ?? 'String',
            stringValue: v.StringValue,
            binaryValue: undefined,
            stringListValues: [],
            binaryListValues: [],
          },
        ]),
      ),
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.options.queueArn,
      awsRegion: this.options.region,
    };
  }
}
