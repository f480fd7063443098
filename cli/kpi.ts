import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { loadKpiFiles, repositoryKpiFiles } from '../lambdas/adapters/kpi-files.ts';
import { S3LakeStore } from '../lambdas/adapters/s3-lake-store.ts';
import { KPIS } from '../lambdas/domain/kpi/definitions.ts';
import { kpiPrefix, type Row } from '../lambdas/domain/lake/tables.ts';
import type { PublishReport } from '../lambdas/usecases/publish-kpis.ts';
import { readKpi, readSegment, snapshots, UnknownKpiError } from '../lambdas/usecases/read-kpis.ts';
import { publishLocally } from '../local/kpi.ts';
import { type Output, UsageError } from './output.ts';
import { defaultHome, type Target } from './target.ts';

interface KpiFlags {
  readonly date?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const lakeOf = (target: Target) => new S3LakeStore(target.s3, target.buckets.lake);

/** Rows as an aligned text table. */
export function formatTable(rows: readonly Row[], columns: readonly string[]): string {
  const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'number' ? String(Math.round(v * 10000) / 10000) : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line([...columns]), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n');
}

async function refresh(out: Output, target: Target, flags: KpiFlags): Promise<number> {
  if (flags.date && !DATE.test(flags.date)) throw new UsageError('--date must be yyyy-MM-dd');
  let report: PublishReport;
  if (target.kind === 'local') {
    out.progress('writing the curated tables and running every KPI on DuckDB');
    report = await publishLocally(target, defaultHome(), flags.date);
  } else {
    if (!target.kpiPublisher) throw new UsageError('This stack has no KPI publisher output; deploy the current version first.');
    out.progress(`invoking ${target.kpiPublisher}`);
    const res = await new LambdaClient({}).send(
      new InvokeCommand({ FunctionName: target.kpiPublisher, Payload: new TextEncoder().encode(JSON.stringify(flags.date ? { snapshotDate: flags.date } : {})) }),
    );
    const text = new TextDecoder().decode(res.Payload ?? new Uint8Array());
    if (res.FunctionError) throw new Error(`The KPI publisher failed: ${text.slice(0, 500)}`);
    report = JSON.parse(text) as PublishReport;
  }
  out.result(report, () =>
    [
      `KPIs published for ${report.snapshotDate}`,
      `  curated   ${Object.entries(report.tables).map(([t, n]) => `${t} ${n}`).join(', ')}`,
      `  files     ${report.files.written} written, ${report.files.unchanged} unchanged, ${report.files.removed} removed`,
      `  kpis      ${Object.entries(report.kpis).map(([k, n]) => `${k} ${n}`).join(', ')}`,
      ...(Object.keys(report.segments).length ? [`  segments  ${Object.entries(report.segments).map(([k, n]) => `${k} ${n}`).join(', ')}`] : []),
      `  took      ${report.seconds.snapshot}s snapshot, ${report.seconds.kpis}s KPIs`,
    ].join('\n'),
  );
  return 0;
}

async function list(out: Output, target: Target): Promise<number> {
  const lake = lakeOf(target);
  const rows: Row[] = [];
  for (const k of KPIS) rows.push({ name: k.name, group: k.group, title: k.title, latest: (await snapshots(lake, kpiPrefix(k.name)))[0] ?? null });
  out.result(rows, () => formatTable(rows, ['name', 'group', 'title', 'latest']) + (rows.some((r) => !r.latest) ? '\n\nNot published yet: run `cdp kpi refresh`.' : ''));
  return 0;
}

async function show(out: Output, target: Target, name: string | undefined, flags: KpiFlags): Promise<number> {
  if (!name) throw new UsageError(`Usage: cdp kpi show <name> [--date yyyy-MM-dd]; the KPIs are ${KPIS.map((k) => k.name).join(', ')}`);
  if (flags.date && !DATE.test(flags.date)) throw new UsageError('--date must be yyyy-MM-dd');
  let table;
  try {
    table = await readKpi(lakeOf(target), name, flags.date);
  } catch (e) {
    if (e instanceof UnknownKpiError) throw new UsageError(e.message);
    throw e;
  }
  if (!table) throw new UsageError(`KPI ${name} has not been published${flags.date ? ` for ${flags.date}` : ''}; run \`cdp kpi refresh\`.`);
  out.result(table.rows, () => `${table.kpi.title} (${table.snapshotDate})\n\n${formatTable(table.rows, table.kpi.columns.map((c) => c.name))}`);
  return 0;
}

/** `cdp kpi refresh | list | show <name>`. */
export async function runKpi(out: Output, target: Target, args: readonly string[], flags: KpiFlags): Promise<number> {
  const [sub, name] = args;
  if (sub === 'refresh') return refresh(out, target, flags);
  if (sub === 'list') return list(out, target);
  if (sub === 'show') return show(out, target, name, flags);
  throw new UsageError('Usage: cdp kpi refresh [--date yyyy-MM-dd] | list | show <name> [--date yyyy-MM-dd]');
}

/** `cdp segments list | show <name>`. */
export async function runSegments(out: Output, target: Target, args: readonly string[], flags: KpiFlags): Promise<number> {
  const [sub, name] = args;
  const { segments } = loadKpiFiles(repositoryKpiFiles());
  const lake = lakeOf(target);
  if (sub === 'list') {
    const rows: Row[] = [];
    for (const s of segments) {
      const latest = await readSegment(lake, s.name);
      rows.push({ name: s.name, description: s.description, members: latest?.members.length ?? null, snapshotDate: latest?.snapshotDate ?? null });
    }
    out.result(rows, () => (rows.length ? formatTable(rows, ['name', 'members', 'snapshotDate', 'description']) : 'No segments: add one under config/segments/.'));
    return 0;
  }
  if (sub === 'show') {
    const segment = segments.find((s) => s.name === name);
    if (!segment) throw new UsageError(`No segment named ${name ?? '(none)'}; the segments are ${segments.map((s) => s.name).join(', ') || 'none'}`);
    const members = await readSegment(lake, segment.name, flags.date);
    const data = { ...segment, snapshotDate: members?.snapshotDate ?? null, count: members?.members.length ?? null, members: members?.members ?? [] };
    out.result(data, () =>
      [
        `${segment.name}: ${segment.description}`,
        `  filter    ${segment.where}`,
        members ? `  members   ${members.members.length} on ${members.snapshotDate}` : '  members   not computed yet: run `cdp kpi refresh`',
        ...(members?.members.slice(0, 20).map((m) => `            ${m}`) ?? []),
        ...(members && members.members.length > 20 ? [`            … ${members.members.length - 20} more (--json for all)`] : []),
      ].join('\n'),
    );
    return 0;
  }
  throw new UsageError('Usage: cdp segments list | show <name>');
}
