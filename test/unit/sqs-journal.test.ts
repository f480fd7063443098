import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type JournaledQueue, type MessageInput, messageIdOf, SqsJournal } from '../../local/engines/sqs-journal.ts';

const dirs: string[] = [];
afterEach(() => {
  sent = 0;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

let sent = 0;

/** The members of local-aws-sqs's Queue the journal hooks, with the library's receipt-handle shape (ids m1, m2, ...). */
class Queue implements JournaledQueue {
  readonly messages = new Map<string, MessageInput>();
  constructor(
    readonly QueueName: string,
    readonly MessageRetentionPeriod = 3600,
  ) {}
  setRecord = (input: MessageInput, messageId?: string) => {
    const id = messageId ?? `m${++sent}`;
    this.messages.set(id, input);
    return { record: { MessageId: id } };
  };
  delete(receiptHandle: string): boolean {
    return this.messages.delete(messageIdOf(receiptHandle)!);
  }
  clearRecords(): void {
    this.messages.clear();
  }
  receipt(id: string): string {
    return Buffer.from(`uuid${JSON.stringify({ date: Date.now(), MessageId: id, QueueName: this.QueueName })}`).toString('base64');
  }
}

function journalIn(): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'cdp-journal-'));
  dirs.push(dir);
  return { dir, file: path.join(dir, 'journal.ndjson') };
}

describe('SqsJournal', () => {
  it('blanks a handled message in the file at once, and empties the file when nothing is queued', () => {
    const { dir, file } = journalIn();
    const journal = new SqsJournal(dir);
    const q = new Queue('records');
    journal.attach([q]);
    q.setRecord({ MessageBody: 'anna@example.it handled' });
    q.setRecord({ MessageBody: 'luca@example.it queued' });
    const before = readFileSync(file, 'utf8');
    expect(before).toContain('anna@example.it');
    q.delete(q.receipt('m1'));
    const after = readFileSync(file, 'utf8');
    expect(after).not.toContain('anna@example.it');
    expect(after).toContain('luca@example.it');
    expect(after.length).toBe(before.length);
    q.delete(q.receipt('m2'));
    expect(readFileSync(file, 'utf8')).toBe('');
    journal.close();
  });

  it('puts back a dead-lettered message in the dead-letter queue, not its source, and forgets a purged queue', () => {
    const { dir } = journalIn();
    const first = new SqsJournal(dir);
    const [source, dlq, other] = [new Queue('records'), new Queue('records-dlq'), new Queue('dsr')];
    first.attach([source, dlq, other]);
    source.setRecord({ MessageBody: 'poison' });
    // What local-aws-sqs does when receives run out: the message leaves its source and the DLQ takes it, same id.
    source.messages.delete('m1');
    dlq.setRecord({ MessageBody: 'poison', MessageSystemAttributes: { DeadLetterQueueSourceArn: { DataType: 'String', StringValue: 'arn' } } }, 'm1');
    // A delete with the source's stale receipt handle does not take it from the DLQ.
    source.delete(source.receipt('m1'));
    other.setRecord({ MessageBody: 'purged' });
    other.clearRecords();
    first.close();

    const second = new SqsJournal(dir);
    const [s2, d2, o2] = [new Queue('records'), new Queue('records-dlq'), new Queue('dsr')];
    expect(second.attach([s2, d2, o2]).map((m) => [m.queue, m.id, m.body])).toEqual([['records-dlq', 'm1', 'poison']]);
    expect(d2.messages.get('m1')?.MessageSystemAttributes).toEqual({ DeadLetterQueueSourceArn: { DataType: 'String', StringValue: 'arn' } });
    expect(s2.messages.size + o2.messages.size).toBe(0);
    second.close();
  });

  it('puts a delayed message back with what is left of its delay', () => {
    const { dir } = journalIn();
    const journal = new SqsJournal(dir);
    const q = new Queue('dsr');
    journal.attach([q]);
    q.setRecord({ MessageBody: 'wait for the lease', DelaySeconds: 120 });
    q.setRecord({ MessageBody: 'now' });
    journal.close();
    // The privacy worker delays a work order until another worker's lease ends; 30 seconds later, 90 are left.
    const again = new Queue('dsr');
    const later = new SqsJournal(dir);
    later.attach([again], Date.now() + 30_000);
    later.close();
    expect([...again.messages.values()].map((m) => [m.MessageBody, m.DelaySeconds])).toEqual([
      ['wait for the lease', 90],
      ['now', undefined],
    ]);
  });

  it('drops a message past its queue\'s retention period, and one of a queue that is gone', () => {
    const { dir } = journalIn();
    const first = new SqsJournal(dir);
    const [kept, gone] = [new Queue('records', 60), new Queue('old')];
    first.attach([kept, gone]);
    kept.setRecord({ MessageBody: 'recent' });
    gone.setRecord({ MessageBody: 'orphan' });
    first.close();
    const later = new SqsJournal(dir);
    expect(later.attach([new Queue('records', 60)], Date.now() + 59_000).map((m) => m.body)).toEqual(['recent']);
    later.close();
    const muchLater = new SqsJournal(dir);
    expect(muchLater.attach([new Queue('records', 60)], Date.now() + 61_000)).toEqual([]);
    muchLater.close();
  });
});
