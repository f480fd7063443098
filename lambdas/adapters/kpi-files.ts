import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_KPI_CONFIG, KPIS, type KpiConfig, kpiConfigSchema, type SegmentDefinition, segmentSchema } from '../domain/kpi/definitions.ts';

export interface KpiFiles {
  readonly sql: (name: string) => string;
  readonly config: KpiConfig;
  readonly segments: SegmentDefinition[];
}

export interface KpiFileLocations {
  readonly sqlDir: string;
  readonly configFile: string;
  readonly segmentsDir: string;
}

/** In the repository: the SQL next to the KPI definitions, the configuration under `config/`. */
export function repositoryKpiFiles(root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')): KpiFileLocations {
  return {
    sqlDir: path.join(root, 'lambdas', 'domain', 'kpi', 'sql'),
    configFile: path.join(root, 'config', 'kpi.json'),
    segmentsDir: path.join(root, 'config', 'segments'),
  };
}

/** In a Lambda bundle: the same files, copied next to the code at synth (`kpi/`). */
export const bundledKpiFiles = (dir: string): KpiFileLocations => ({
  sqlDir: path.join(dir, 'sql'),
  configFile: path.join(dir, 'kpi.json'),
  segmentsDir: path.join(dir, 'segments'),
});

/** Reads every KPI's SQL, the KPI configuration and the saved segments; a missing or invalid file is an error. */
export function loadKpiFiles(where: KpiFileLocations): KpiFiles {
  const sql = new Map(KPIS.map((k) => [k.name, readFileSync(path.join(where.sqlDir, `${k.name}.sql`), 'utf8')]));
  const config = existsSync(where.configFile) ? kpiConfigSchema.parse(JSON.parse(readFileSync(where.configFile, 'utf8'))) : DEFAULT_KPI_CONFIG;
  const segments = existsSync(where.segmentsDir)
    ? readdirSync(where.segmentsDir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => {
          const parsed = segmentSchema.safeParse(JSON.parse(readFileSync(path.join(where.segmentsDir, f), 'utf8')));
          if (!parsed.success) throw new Error(`Segment file ${f} is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
          return parsed.data;
        })
    : [];
  return { sql: (name) => sql.get(name) ?? '', config, segments };
}
