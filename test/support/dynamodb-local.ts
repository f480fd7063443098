import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { DynamoProfileStore } from '../../lambdas/adapters/dynamo-profile-store.ts';
import { type Engine, startDynamoDb } from '../../local/engines/dynamodb.ts';
import { createTable } from '../../local/resources.ts';

/**
 * One DynamoDB Local for the test file (started before its tests, stopped after), and a fresh table of the product's
 * layout per call: `const fresh = dynamoDbLocal('resolver'); ... const store = await fresh.store();`.
 */
export function dynamoDbLocal(prefix: string): {
  store(): Promise<DynamoProfileStore>;
  /** A fresh table, with the client and name a command's target holds. */
  table(): Promise<{ store: DynamoProfileStore; dynamodb: DynamoDBClient; tableName: string }>;
} {
  let engine: Engine | undefined;
  let dir: string;
  let doc: DynamoDBDocumentClient;
  let tables = 0;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), `cdp-${prefix}-`));
    engine = await startDynamoDb(dir);
    doc = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: engine.endpoint, region: 'eu-south-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
      { marshallOptions: { removeUndefinedValues: true } },
    );
  });
  afterAll(async () => {
    await engine?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const table = async () => {
    const tableName = `${prefix}-${++tables}`;
    await createTable(doc as unknown as DynamoDBClient, tableName);
    return { store: new DynamoProfileStore(doc, tableName), dynamodb: doc as unknown as DynamoDBClient, tableName };
  };
  return {
    async store() {
      return (await table()).store;
    },
    table,
  };
}
