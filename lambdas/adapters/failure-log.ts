import { BatchGetItemCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { type FailureNote, messageKey } from '../domain/failures.ts';
import type { FailureNotes } from '../ports/index.ts';

/** Partition of the failure log in the single table (the importer may write nothing else there: IAM LeadingKeys). */
export const FAILURE_KEY_PREFIX = 'FAILED#';
/** As long as a dead-letter queue keeps a message (14 days). */
const KEEP_SECONDS = 14 * 24 * 3600;

const key = (queue: string, body: string) => ({ pk: { S: `${FAILURE_KEY_PREFIX}${queue}` }, sk: { S: messageKey(body) } });

/** The failure log on the plain DynamoDB client: one small item per failed message, the newest reason wins. */
export class DynamoFailureLog implements FailureNotes {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async note(queue: string, messageBody: string, note: FailureNote): Promise<void> {
    await this.db.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          ...key(queue, messageBody),
          error: { S: note.error },
          detail: { S: note.detail },
          fn: { S: note.fn },
          receiveCount: { N: String(note.receiveCount) },
          at: { S: note.at },
          expiresAt: { N: String(Math.floor(this.now().getTime() / 1000) + KEEP_SECONDS) },
        },
      }),
    );
  }

  /** The notes of these message bodies (by body), those that have one. */
  async read(queue: string, bodies: readonly string[]): Promise<Map<string, FailureNote>> {
    const out = new Map<string, FailureNote>();
    const byKey = new Map(bodies.map((b) => [messageKey(b), b]));
    const keys = [...byKey.keys()];
    for (let i = 0; i < keys.length; i += 100) {
      let request: Record<string, { Keys: Record<string, { S: string }>[] }> | undefined = {
        [this.tableName]: { Keys: keys.slice(i, i + 100).map((sk) => ({ pk: { S: `${FAILURE_KEY_PREFIX}${queue}` }, sk: { S: sk } })) },
      };
      while (request && Object.keys(request).length > 0) {
        const res = await this.db.send(new BatchGetItemCommand({ RequestItems: request }));
        for (const item of res.Responses?.[this.tableName] ?? []) {
          const body = byKey.get(item.sk?.S ?? '');
          if (body === undefined) continue;
          out.set(body, {
            error: item.error?.S ?? 'unknown',
            detail: item.detail?.S ?? '',
            fn: item.fn?.S ?? '',
            receiveCount: Number(item.receiveCount?.N ?? 0),
            at: item.at?.S ?? '',
          });
        }
        request = res.UnprocessedKeys as typeof request;
      }
    }
    return out;
  }
}
