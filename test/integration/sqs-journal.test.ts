import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { type SqsEngine, startSqs } from '../../local/engines/sqs.ts';
import { createQueueWithDlq } from '../../local/resources.ts';

const REGION = 'eu-south-1';
const dirs: string[] = [];
const engines: SqsEngine[] = [];

afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** An engine journaling to `dir`, its queue `jobs` (with `jobs-dlq`) created and the journal restored. */
async function start(dir: string, compactFloorBytes?: number) {
  const engine = await startSqs(REGION, { journalDir: dir, ...(compactFloorBytes ? { compactFloorBytes } : {}) });
  engines.push(engine);
  const sqs = new SQSClient({ endpoint: engine.endpoint, region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const urls = await createQueueWithDlq(sqs, 'jobs', { visibilityTimeoutSeconds: 1, retentionSeconds: 3600, maxReceiveCount: 1, dlqRetentionSeconds: 3600 });
  const restored = engine.restore();
  return { engine, sqs, ...urls, restored };
}

async function receiveAll(sqs: SQSClient, QueueUrl: string): Promise<Message[]> {
  const out = new Map<string, Message>();
  for (let empty = 0; empty < 2; ) {
    const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 30, MessageAttributeNames: ['All'] }));
    const got = (res.Messages ?? []).filter((m) => !out.has(m.MessageId!));
    if (got.length === 0) empty++;
    for (const m of got) out.set(m.MessageId!, m);
  }
  return [...out.values()];
}

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'cdp-sqs-journal-'));
  dirs.push(d);
  return d;
}

describe('the twin SQS journal', () => {
  it('puts back, after the engine is gone, every message not deleted: queued, in flight and dead-lettered, with its id and attributes', async () => {
    const dir = tempDir();
    const first = await start(dir);
    expect(first.restored).toEqual([]);
    const sent = await first.sqs.send(
      new SendMessageCommand({
        QueueUrl: first.queueUrl,
        MessageBody: 'queued',
        MessageAttributes: { source: { DataType: 'String', StringValue: 'shop' } },
      }),
    );
    await first.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: first.queueUrl,
        Entries: ['done', 'done-too', 'in-flight'].map((b, i) => ({ Id: String(i), MessageBody: b })),
      }),
    );
    const all = await receiveAll(first.sqs, first.queueUrl);
    expect(all).toHaveLength(4);
    const byBody = new Map(all.map((m) => [m.Body!, m]));
    await first.sqs.send(new DeleteMessageCommand({ QueueUrl: first.queueUrl, ReceiptHandle: byBody.get('done')!.ReceiptHandle! }));
    await first.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: first.queueUrl, Entries: [{ Id: '0', ReceiptHandle: byBody.get('done-too')!.ReceiptHandle! }] }));
    // `poison` is received once and left: with maxReceiveCount 1 it moves to the DLQ when its visibility runs out.
    await first.sqs.send(new SendMessageCommand({ QueueUrl: first.queueUrl, MessageBody: 'poison' }));
    const poison = await first.sqs.send(new ReceiveMessageCommand({ QueueUrl: first.queueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 1 }));
    expect(poison.Messages?.[0]?.Body).toBe('poison');
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await receiveAll(first.sqs, first.dlqUrl)).map((m) => m.Body)).toEqual(['poison']);
    await first.engine.stop();

    const second = await start(dir);
    expect(second.restored.map((m) => m.body).sort()).toEqual(['in-flight', 'poison', 'queued']);
    const queued = await receiveAll(second.sqs, second.queueUrl);
    expect(queued.map((m) => m.Body).sort()).toEqual(['in-flight', 'queued']);
    const restoredQueued = queued.find((m) => m.Body === 'queued')!;
    expect(restoredQueued.MessageId).toBe(sent.MessageId);
    expect(restoredQueued.MessageAttributes).toEqual({ source: { DataType: 'String', StringValue: 'shop' } });
    expect((await receiveAll(second.sqs, second.dlqUrl)).map((m) => m.Body)).toEqual(['poison']);

    // What the second engine handles is journaled too: deleted there, gone on the third start.
    await second.sqs.send(new DeleteMessageCommand({ QueueUrl: second.queueUrl, ReceiptHandle: restoredQueued.ReceiptHandle! }));
    await second.engine.stop();
    const third = await start(dir);
    expect(third.restored.map((m) => m.body).sort()).toEqual(['in-flight', 'poison']);
  });

  it('keeps the journal near the size of what is queued, empties it when nothing is, and skips a line cut short by a kill', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'journal.ndjson');
    const first = await start(dir, 4096);
    await first.sqs.send(new SendMessageCommand({ QueueUrl: first.queueUrl, MessageBody: 'waiting' }));
    const [waiting] = await receiveAll(first.sqs, first.queueUrl);
    for (let round = 0; round < 20; round++) {
      await first.sqs.send(
        new SendMessageBatchCommand({ QueueUrl: first.queueUrl, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: `r${round}-${i}-${'x'.repeat(200)}` })) }),
      );
      const got = await receiveAll(first.sqs, first.queueUrl);
      await first.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: first.queueUrl, Entries: got.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    }
    // 200 messages of over 200 bytes went through beside one that waited; the journal was rewritten with what was
    // live whenever it passed 4 KB. Its mode keeps it to the twin's user.
    expect(statSync(file).size).toBeLessThan(8192);
    expect(statSync(file).mode & 0o077).toBe(0);
    await first.sqs.send(new DeleteMessageCommand({ QueueUrl: first.queueUrl, ReceiptHandle: waiting!.ReceiptHandle! }));
    expect(statSync(file).size).toBe(0);
    await first.sqs.send(new SendMessageCommand({ QueueUrl: first.queueUrl, MessageBody: 'left' }));
    await first.engine.stop();
    appendFileSync(file, '{"q":"jobs","i":"cut-short","b":"never answ');

    const second = await start(dir);
    expect(second.restored.map((m) => m.body)).toEqual(['left']);
    expect(readFileSync(file, 'utf8')).not.toContain('cut-short');
  });
});
