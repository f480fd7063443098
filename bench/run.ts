import './quiet.ts';
import { coldstart } from './coldstart.ts';
import { erasureBench } from './erasure.ts';
import { kpiBench } from './kpi.ts';
import { identityBench } from './identity.ts';
import { identityModelBench } from './identity-model.ts';
import { importBench } from './import.ts';
import type { Benchmark, Figure } from './types.ts';
import { webhookBench } from './webhook.ts';

/** Benchmarks by name; capabilities add theirs here. */
const BENCHMARKS: readonly Benchmark[] = [coldstart, importBench, identityModelBench, identityBench, webhookBench, erasureBench, kpiBench];

function table(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.name,
    `${f.value} ${f.unit}`,
    f.baseline === undefined ? '' : `${f.baseline} ${f.unit}`,
    f.ratio === undefined ? '' : `${f.ratio}×`,
    f.target ?? '',
    f.ok === undefined ? '' : f.ok ? 'ok' : 'MISSED',
  ]);
  const header = ['figure', 'value', 'baseline', 'ratio', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const names = args.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !BENCHMARKS.some((b) => b.name === n));
  if (unknown.length > 0) {
    process.stderr.write(
      `Unknown benchmark(s): ${unknown.join(', ')}. Available: ${BENCHMARKS.map((b) => b.name).join(', ')}\n`,
    );
    return 2;
  }
  const selected = names.length > 0 ? BENCHMARKS.filter((b) => names.includes(b.name)) : BENCHMARKS;
  const results: Record<string, Figure[]> = {};
  for (const b of selected) {
    if (!json) process.stdout.write(`\n${b.name}: ${b.description}\n`);
    results[b.name] = await b.run();
    if (!json) process.stdout.write(`${table(results[b.name]!)}\n`);
  }
  if (json) process.stdout.write(`${JSON.stringify(results)}\n`);
  return 0;
}

process.exitCode = await main();
