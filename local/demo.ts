import { publishLocally } from './kpi.ts';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { uploadAndWait } from '../cli/imports.ts';
import { ACTIVE_PROFILES } from '../lambdas/adapters/dynamo-profile-store.ts';
import type { ImportReport } from '../lambdas/usecases/import-file.ts';
import { table } from '../lib/definitions.ts';
import type { Twin } from './twin.ts';

export const DEMO_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'demo');

/** Demo exports and the source each one stands for. */
export const DEMO_FILES: readonly { readonly file: string; readonly source: string }[] = [
  { file: 'erp-clienti.csv', source: 'erp' },
  { file: 'shop-customers.csv', source: 'shop' },
  { file: 'newsletter.csv', source: 'newsletter' },
  { file: 'ordini-shop.csv', source: 'shop-orders' },
  // The ERP's order lines: one row per article, its customers by their ERP code (the same source, so the same codes).
  { file: 'righe-ordini-erp.csv', source: 'erp' },
];

export interface DemoSummary {
  readonly imports: readonly ImportReport[];
  readonly profiles: number;
  /** The snapshot date of the KPI tables published after loading (the dashboard draws them). */
  readonly kpiSnapshot: string;
}

/** Uploads each demo export to the landing bucket the way a user would, one source after the other. */
export async function loadDemo(twin: Twin, progress?: (msg: string) => void): Promise<DemoSummary> {
  const imports: ImportReport[] = [];
  const available = new Set(readdirSync(DEMO_DIR));
  for (const { file, source } of DEMO_FILES) {
    if (!available.has(file)) continue;
    progress?.(`importing ${file} as source "${source}"`);
    const key = `imports/${source}/${file}`;
    imports.push(await uploadAndWait(twin.target, key, readFileSync(path.join(DEMO_DIR, file))));
    await twin.waitIdle();
  }
  progress?.('publishing the KPI tables');
  const kpis = await publishLocally(twin.target, twin.home);
  return { imports, profiles: await countProfiles(twin), kpiSnapshot: kpis.snapshotDate };
}

/** Active profiles, counted on the listing index (keys only) without reading them. */
export async function countProfiles(twin: Twin): Promise<number> {
  const index = table.globalSecondaryIndexes[0]!;
  let count = 0;
  let ExclusiveStartKey: Record<string, never> | undefined;
  do {
    const res = await twin.clients.dynamodb.send(
      new QueryCommand({
        TableName: twin.resources.tableName,
        IndexName: index.indexName,
        KeyConditionExpression: '#pk = :p',
        ExpressionAttributeNames: { '#pk': index.partitionKey },
        ExpressionAttributeValues: { ':p': { S: ACTIVE_PROFILES } },
        Select: 'COUNT',
        ExclusiveStartKey,
      }),
    );
    count += res.Count ?? 0;
    ExclusiveStartKey = res.LastEvaluatedKey as typeof ExclusiveStartKey;
  } while (ExclusiveStartKey);
  return count;
}
