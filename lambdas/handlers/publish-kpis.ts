import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import identityJson from '../../config/identity.json' with { type: 'json' };
import { AthenaEngine } from '../adapters/athena-engine.ts';
import { DynamoLakeSource } from '../adapters/dynamo-lake-source.ts';
import { bundledKpiFiles, loadKpiFiles, repositoryKpiFiles } from '../adapters/kpi-files.ts';
import { S3LakeStore } from '../adapters/s3-lake-store.ts';
import { parseIdentityConfig } from '../domain/identity-config.ts';
import { lazy, requireEnv } from '../shared/env.ts';
import { logger, withContext } from '../shared/logger.ts';
import { METRIC_NAMESPACE, OVERDUE_REQUESTS } from '../shared/metrics.ts';
import { partsOnThreads, publishKpis, type PublishReport } from '../usecases/publish-kpis.ts';
import { threadScript } from '../shared/threads.ts';

const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: OVERDUE_REQUESTS.service });

const deps = lazy(() => {
  const s3 = new S3Client({});
  // In the bundle the SQL and configuration sit in kpi/ next to the code; from the repository, in their folders.
  const bundled = path.join(path.dirname(fileURLToPath(import.meta.url)), 'kpi');
  const files = loadKpiFiles(existsSync(bundled) ? bundledKpiFiles(bundled) : repositoryKpiFiles());
  return {
    source: new DynamoLakeSource(new DynamoDBClient({}), requireEnv('TABLE_NAME'), s3, requireEnv('RAW_BUCKET')),
    lake: new S3LakeStore(s3, requireEnv('LAKE_BUCKET')),
    engine: new AthenaEngine(new AthenaClient({}), requireEnv('ATHENA_WORKGROUP'), requireEnv('GLUE_DATABASE')),
    ...files,
    scoring: parseIdentityConfig(identityJson).leadScore,
    now: () => new Date(),
    // The snapshot runs on one thread per vCPU, each scanning its part of the table and encoding its own files.
    ...(availableParallelism() > 1 ? { parts: partsOnThreads(threadScript('publish-kpis-part', import.meta.url), availableParallelism()) } : {}),
  };
});

/** Daily (EventBridge) and on demand (`cdp kpi refresh --target aws` invokes it with `{"snapshotDate"?}`). */
export const handler = withContext(async (event: { snapshotDate?: string } = {}): Promise<PublishReport> => {
  const date = typeof event.snapshotDate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(event.snapshotDate) ? event.snapshotDate : undefined;
  const report = await publishKpis(deps(), date);
  // Counts and timings only: the report names tables and KPIs, never a person.
  logger.info('kpis published', { snapshotDate: report.snapshotDate, tables: report.tables, files: report.files, seconds: report.seconds, overdueRequests: report.overdueRequests });
  metrics.singleMetric().addMetric(OVERDUE_REQUESTS.name, MetricUnit.Count, report.overdueRequests);
  return report;
});
