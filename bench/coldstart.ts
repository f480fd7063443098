import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { ESBUILD_TARGET, ESM_REQUIRE_BANNER, EXTERNAL_MODULES } from '../lib/bundling.ts';
import { type FunctionName, functions } from '../lib/definitions.ts';
import type { Benchmark, Figure } from './types.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, '.bench', 'coldstart');
const RUNS = Number(process.env.BENCH_COLDSTART_RUNS ?? 15);
const BUNDLE_LIMIT = 400 * 1024;
const INIT_RATIO_LIMIT = 1.3;

/** The SDK clients a function's grants imply: the baseline imports these and nothing else. */
function sdkClientsOf(name: FunctionName): string[] {
  const clients = new Set<string>();
  for (const g of functions[name].grants) {
    if ('table' in g) clients.add("import { DynamoDBClient } from '@aws-sdk/client-dynamodb';");
    else if ('bucket' in g) clients.add("import { S3Client } from '@aws-sdk/client-s3';");
    else if ('secret' in g) clients.add("import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';");
    else clients.add("import { SQSClient } from '@aws-sdk/client-sqs';");
  }
  return [...clients];
}

/** Bundles like NodejsFunction does in the stack (same esbuild options from lib/bundling.ts). */
async function bundle(entry: string, outfile: string): Promise<number> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: ESBUILD_TARGET,
    minify: true,
    mainFields: ['module', 'main'],
    external: EXTERNAL_MODULES,
    banner: { js: ESM_REQUIRE_BANNER },
    logLevel: 'silent',
  });
  return statSync(outfile).size;
}

/** Time to import the module in a fresh Node process, in ms (what Lambda's init phase pays for the code). */
function initTime(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  if (res.status !== 0) throw new Error(`import of ${file} failed: ${res.stderr}`);
  return Number(res.stdout);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

export const coldstart: Benchmark = {
  name: 'coldstart',
  description: `per Lambda: bundle size and module-init time (median of ${RUNS} fresh processes) vs a handler importing only its SDK clients`,
  async run(): Promise<Figure[]> {
    mkdirSync(OUT, { recursive: true });
    const figures: Figure[] = [];
    for (const name of Object.keys(functions) as FunctionName[]) {
      const dir = path.join(OUT, name);
      mkdirSync(dir, { recursive: true });
      const baselineEntry = path.join(dir, 'baseline-entry.mjs');
      writeFileSync(
        baselineEntry,
        `${sdkClientsOf(name).join('\n')}\nexport const handler = async () => ({ batchItemFailures: [] });\n`,
      );
      const size = await bundle(path.join(ROOT, functions[name].entry), path.join(dir, 'index.mjs'));
      const baselineSize = await bundle(baselineEntry, path.join(dir, 'baseline.mjs'));
      const ours: number[] = [];
      const base: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        // Alternate so machine noise hits both alike.
        ours.push(initTime(path.join(dir, 'index.mjs')));
        base.push(initTime(path.join(dir, 'baseline.mjs')));
      }
      // Worker-thread scripts and modules loaded on first use deploy beside the handler but stay out of its cold start.
      let besideSize = 0;
      for (const entry of [...(functions[name].threads ?? []), ...(functions[name].modules ?? [])]) {
        besideSize += await bundle(path.join(ROOT, entry), path.join(dir, `${path.basename(entry, '.ts')}.mjs`));
      }
      const initMs = median(ours);
      const baselineMs = median(base);
      figures.push(
        {
          name: `${name}.bundleKB`,
          value: round(size / 1024),
          baseline: round(baselineSize / 1024),
          unit: 'KB',
          target: `≤ ${BUNDLE_LIMIT / 1024} KB`,
          ok: size <= BUNDLE_LIMIT,
        },
        {
          name: `${name}.initMs`,
          value: round(initMs),
          baseline: round(baselineMs),
          unit: 'ms',
          ratio: round(initMs / baselineMs),
          target: `≤ ${INIT_RATIO_LIMIT}× baseline`,
          ok: initMs / baselineMs <= INIT_RATIO_LIMIT,
        },
      );
      if (besideSize > 0) figures.push({ name: `${name}.loadedOnUseKB`, value: round(besideSize / 1024), unit: 'KB' });
    }
    return figures;
  },
};

const round = (x: number): number => Math.round(x * 100) / 100;
