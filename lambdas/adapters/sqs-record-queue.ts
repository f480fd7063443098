import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import type { CanonicalRecord } from '../domain/canonical.ts';
import type { RecordQueue } from '../ports/index.ts';

/** SQS accepts at most 10 entries and 256 KiB per SendMessageBatch request. */
const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 250 * 1024;
const MAX_ATTEMPTS = 5;

/** One record per message (partial batch failures stay per record), up to 10 messages per request. */
export class SqsRecordQueue implements RecordQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(records: readonly CanonicalRecord[]): Promise<void> {
    let batch: SendMessageBatchRequestEntry[] = [];
    let bytes = 0;
    const pending: Promise<void>[] = [];
    for (const record of records) {
      const body = JSON.stringify(record);
      const size = Buffer.byteLength(body);
      if (batch.length === MAX_ENTRIES || (batch.length > 0 && bytes + size > MAX_REQUEST_BYTES)) {
        pending.push(this.sendBatch(batch));
        batch = [];
        bytes = 0;
      }
      batch.push({ Id: String(batch.length), MessageBody: body });
      bytes += size;
    }
    if (batch.length > 0) pending.push(this.sendBatch(batch));
    await Promise.all(pending);
  }

  private async sendBatch(entries: SendMessageBatchRequestEntry[]): Promise<void> {
    let remaining = entries;
    for (let attempt = 1; remaining.length > 0; attempt++) {
      const res = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: remaining }));
      const failed = new Set((res.Failed ?? []).map((f) => f.Id));
      remaining = remaining.filter((e) => failed.has(e.Id));
      if (remaining.length > 0 && attempt >= MAX_ATTEMPTS) {
        throw new Error(`SQS refused ${remaining.length} record(s) after ${attempt} attempts`);
      }
    }
  }
}
