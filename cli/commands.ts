import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { parseMapping } from '../lambdas/domain/mapping.ts';
import type { ImportReport } from '../lambdas/usecases/import-file.ts';
import { mappingKeys } from '../lambdas/usecases/import-keys.ts';
import type { ConfigChange } from '../local/config-watch.ts';
import { loadDemo } from '../local/demo.ts';
import { startTwin, type Twin, type TwinInfo, twinInfoPath } from '../local/twin.ts';
import { uploadAndWait } from './imports.ts';
import { type Output, UsageError } from './output.ts';
import { defaultHome, resolveTarget } from './target.ts';

interface Flags {
  readonly json?: boolean;
  readonly target?: string;
  readonly stack?: string;
  readonly port?: string;
  readonly 'no-demo'?: boolean;
  readonly verbose?: boolean;
  readonly source?: string;
  readonly mapping?: string;
}

const DEFAULT_PORT = 3000;

/**
 * Handlers log through Powertools; on the twin their lines go to CDP_HOME/logs/twin.log (and stderr with
 * --verbose), so the terminal shows the product, and stdout stays clean for --json.
 */
function routeLogs(home: string, verbose: boolean): void {
  mkdirSync(path.join(home, 'logs'), { recursive: true });
  const file = createWriteStream(path.join(home, 'logs', 'twin.log'), { flags: 'a' });
  process.env.POWERTOOLS_DEV = 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'INFO';
  const write = (...args: unknown[]) => {
    const line = `${format(...args)}\n`;
    file.write(line);
    if (verbose) process.stderr.write(line);
  };
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) console[method] = write;
  process.removeAllListeners('warning');
  process.on('warning', (w) => write(`warning: ${w.name}: ${w.message}`));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Refuses to start twice on one CDP_HOME; cleans up after a twin that was killed (its engines included). */
function claimHome(home: string): void {
  const file = twinInfoPath(home);
  if (!existsSync(file)) return;
  const info = JSON.parse(readFileSync(file, 'utf8')) as TwinInfo & { enginePids?: number[] };
  if (info.pid !== process.pid && isAlive(info.pid)) {
    throw new UsageError(`A twin is already running for ${home} (pid ${info.pid}) at ${info.url}.`);
  }
  for (const pid of info.enginePids ?? []) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(file, { force: true });
}

function chosenPort(flags: Flags): number | undefined {
  const raw = flags.port ?? process.env.CDP_PORT;
  if (raw === undefined) return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`Invalid port ${raw}`);
  return port;
}

async function start(home: string, port: number | undefined, onConfigChange?: (change: ConfigChange) => void): Promise<Twin> {
  try {
    return await startTwin({ home, port: port ?? DEFAULT_PORT, onConfigChange });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    if (port !== undefined) throw new UsageError(`Port ${port} is in use; choose another with --port or CDP_PORT.`);
    return startTwin({ home, port: 0, onConfigChange });
  }
}

/** A line on what the running twin read again. */
export function describeConfigChange(change: ConfigChange): string {
  if ('error' in change) return change.error;
  if (change.what === 'secrets') return `secrets.json read again: ${change.sources} source(s) with a secret from it`;
  return `config/sources read again: ${change.sources.length > 0 ? change.sources.join(', ') : 'no source files'}`;
}

/** `"a", "b" and 3 more` */
function quotedList(names: readonly string[], max: number): string {
  const shown = names.slice(0, max).map((n) => JSON.stringify(n)).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

function describeImports(imports: readonly ImportReport[]): string {
  return imports
    .map(
      (r) =>
        `  ${r.source.padEnd(12)} ${r.objectKey.padEnd(40)} rows ${r.rowsRead}, accepted ${r.accepted}, ` +
        `rejected ${r.rejected}, suppressed ${r.suppressed}${r.error ? ` (${r.error})` : ''}`,
    )
    .join('\n');
}

/** `cdp up`: start the twin, load the demo on first start, print where everything is, serve until stopped. */
export async function runUp(out: Output, flags: Flags): Promise<number> {
  const home = defaultHome();
  claimHome(home);
  routeLogs(home, flags.verbose ?? false);
  out.progress('starting DynamoDB Local, s3rver, local SQS and DuckDB');
  const twin = await start(home, chosenPort(flags), (change) => out.progress(describeConfigChange(change)));
  const marker = path.join(home, 'demo-loaded');
  let demo: Awaited<ReturnType<typeof loadDemo>> | undefined;
  if (!flags['no-demo'] && !existsSync(marker)) {
    demo = await loadDemo(twin, (m) => out.progress(m));
    writeFileSync(marker, new Date().toISOString());
  }
  const requeued = Object.entries(twin.requeued);
  out.result({ status: 'ready', url: twin.url, home, endpoints: twin.endpoints, resources: twin.resources, demo, requeued: twin.requeued, resumedImports: twin.resumedImports }, () =>
    [
      `cdp local twin ready at ${twin.url} (GET ${twin.url}/health)`,
      `  state      ${home} (survives restarts; delete it to start over)`,
      `  logs       ${path.join(home, 'logs', 'twin.log')}`,
      `  DynamoDB   ${twin.endpoints.dynamodb}  table ${twin.resources.tableName}`,
      `  S3         ${twin.endpoints.s3}  buckets ${Object.values(twin.resources.buckets).join(', ')}`,
      `  SQS        ${twin.endpoints.sqs}`,
      ...(demo ? ['', `Demo data loaded: ${demo.profiles} profiles`, describeImports(demo.imports)] : []),
      ...(requeued.length > 0 ? ['', `Queued again (the twin stopped before they were handled): ${requeued.map(([q, n]) => `${n} message(s) in ${q}`).join(', ')}`] : []),
      ...(twin.resumedImports.length > 0 ? ['', `Imports started again (the twin stopped before they finished): ${quotedList(twin.resumedImports, 3)}`] : []),
      '',
      'Try: npx cdp import <file.csv> --source erp',
      'Stop with Ctrl+C.',
    ].join('\n'),
  );
  const signal = () =>
    new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  await signal();
  // What is still queued is journaled and goes on at the next start; finishing it first leaves nothing half-done.
  out.progress('stopping: finishing the work in flight (Ctrl+C again stops at once)');
  const drained = await Promise.race([
    twin.waitIdle(DRAIN_TIMEOUT_MS).then(
      () => true,
      () => false,
    ),
    signal().then(() => false),
  ]);
  if (!drained) out.progress('stopped with work in flight: what is still queued goes on at the next start');
  await twin.stop();
  return 0;
}

/** How long Ctrl+C waits for the queues to empty before the twin stops anyway. */
const DRAIN_TIMEOUT_MS = 10 * 60_000;

/** `cdp demo`: fresh state, demo loaded, summary printed, exit. */
export async function runDemo(out: Output, flags: Flags): Promise<number> {
  const home = path.join(defaultHome(), 'demo-run');
  claimHome(home);
  rmSync(home, { recursive: true, force: true });
  routeLogs(home, flags.verbose ?? false);
  const started = Date.now();
  out.progress('starting the twin with fresh state');
  const twin = await startTwin({ home, port: 0 });
  try {
    const demo = await loadDemo(twin, (m) => out.progress(m));
    const summary = {
      profiles: demo.profiles,
      imports: demo.imports.map(
        ({ importId, source, objectKey, status, rowsRead, accepted, rejected, suppressed, reasons }) => ({
          importId,
          source,
          objectKey,
          status,
          rowsRead,
          accepted,
          rejected,
          suppressed,
          reasons,
        }),
      ),
      home,
      durationMs: Date.now() - started,
    };
    out.result(summary, () =>
      [
        `Demo loaded in ${(summary.durationMs / 1000).toFixed(1)} s: ${demo.profiles} profiles`,
        describeImports(demo.imports),
      ].join('\n'),
    );
    return 0;
  } finally {
    await twin.stop();
  }
}

const SOURCE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** What a column recognised but not read would need, by the import report's reason. */
const UNREAD: Readonly<Record<string, string>> = {
  'order.noOrderIdColumn': "an order's, but no column gives the order's id: a mapping file can map order.orderId to the column that tells the orders apart",
};

/** Reads and validates a mapping file before anything is uploaded; its errors name the keys at fault. */
function readMappingFile(file: string): string {
  if (!existsSync(file)) throw new UsageError(`No such mapping file: ${file}`);
  const text = readFileSync(file, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`The mapping ${file} is not valid JSON`);
  }
  const parsed = parseMapping(json);
  if (!parsed.ok) throw new UsageError(`The mapping ${file} is invalid:\n  ${parsed.errors.join('\n  ')}`);
  return text;
}

/** `cdp import <file> --source S`: upload to the landing bucket, wait, print the report. */
export async function runImport(out: Output, args: readonly string[], flags: Flags): Promise<number> {
  const [file] = args;
  if (!file) throw new UsageError('Usage: cdp import <file> --source <name> [--mapping <file.json>]');
  if (!flags.source || !SOURCE_NAME.test(flags.source)) {
    throw new UsageError('--source <name> is required: lower-case letters, digits, - and _ (e.g. erp, shop-it)');
  }
  if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`No such file: ${file}`);
  const mapping = flags.mapping ? readMappingFile(flags.mapping) : undefined;
  const target = await resolveTarget(flags);
  const key = `imports/${flags.source}/${path.basename(file)}`;
  if (mapping) {
    // Next to the data, outside imports/ (so it triggers nothing): the import reads it before the source's own.
    const [perFile] = mappingKeys(flags.source, key);
    await target.s3.send(new PutObjectCommand({ Bucket: target.buckets.landing, Key: perFile, Body: mapping, ContentType: 'application/json' }));
  }
  out.progress(`uploading ${path.basename(file)} to ${target.description}`);
  const report = await uploadAndWait(target, key, file, {
    progress: (ms) => out.progress(`importing ${path.basename(file)} (${Math.round(ms / 1000)} s)`),
  });
  const { importId, rowsRead, accepted, rejected, suppressed, reasons, status, error, errorDetail, flagged, format, encoding, delimiter, dateFormat, kind, exportFormat, headerLine, quarantineKeys } = report;
  // A report written before columns were named counted them only.
  const allUnmapped: readonly string[] = Array.isArray(report.unmappedColumns) ? report.unmappedColumns : [];
  // Columns recognised but not read are named with why, apart from those no field was found for.
  const unread: Readonly<Record<string, string>> = report.unreadColumns ?? {};
  const unmapped = allUnmapped.filter((c) => unread[c] === undefined);
  out.result(
    { importId, status, ...(error ? { error, errorDetail } : {}), rowsRead, accepted, rejected, suppressed, reasons, flagged, unmappedColumns: allUnmapped, ...(report.unreadColumns ? { unreadColumns: unread } : {}), format, encoding, delimiter, ...(dateFormat ? { dateFormat } : {}), kind, exportFormat, ...(headerLine ? { headerLine } : {}), quarantineKeys },
    () =>
      status === 'completed'
        ? [
            `Import ${importId} completed (${[format, encoding, delimiter && `delimiter ${JSON.stringify(delimiter)}`, dateFormat && 'dates month first', kind && `${kind} rows`, exportFormat && `recognised as ${exportFormat}`, headerLine && `header on line ${headerLine}, the lines above it a title`].filter(Boolean).join(', ')})`,
            describeImports([report]),
            ...Object.entries(reasons).map(([r, n]) => `  rejected  ${r} x${n}`),
            ...Object.entries(flagged).map(([r, n]) => `  flagged   ${r} x${n} (kept)`),
            ...(unmapped.length > 0 ? [`  unmapped  ${quotedList(unmapped, 12)} (not imported, kept in the raw file: a mapping file can map ${unmapped.length === 1 ? 'it' : 'them'}, as "attributes.<name>" to keep ${unmapped.length === 1 ? 'it' : 'them'} on the profile)`] : []),
            ...[...new Set(Object.values(unread))].map((why) => {
              const columns = Object.keys(unread).filter((c) => unread[c] === why);
              return `  unread    ${quotedList(columns, 12)}: ${why} (${columns.length === 1 ? 'it is ' : 'they are '}${UNREAD[why] ?? 'not imported'})`;
            }),
            ...(quarantineKeys.length > 0 ? [`  quarantine: ${quarantineKeys.join(', ')} (raw bucket)`] : []),
          ].join('\n')
        : `Import ${importId} failed: ${errorDetail ?? error} (${error}).`,
  );
  return status === 'completed' ? 0 : 1;
}
