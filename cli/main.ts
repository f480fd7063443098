import { parseArgs } from 'node:util';
import { runDemo, runImport, runUp } from './commands.ts';
import { runDlq } from './dlq.ts';
import { runDsr } from './dsr.ts';
import { runDuplicates } from './duplicates.ts';
import { runKpi, runSegments } from './kpi.ts';
import { runProfilesExport, runProfilesGet, runProfilesUnmerge } from './profiles.ts';
import { runWebhookSend } from './webhook.ts';
import { resolveTarget } from './target.ts';
import { makeOutput, UsageError } from './output.ts';

const HELP = `cdp: the customer data platform's command line

Usage: cdp <command> [options]     (every command takes --json; --target aws --stack <name> acts on a deployed stack)

  up [--port N] [--no-demo] [--verbose]   start the local twin and keep serving (what \`npm start\` runs)
  demo                                    fresh local state, load the demo data, print a summary, exit
  import <file> --source S [--mapping M]  upload an export to the landing bucket, wait, print the import report
  profiles get --email E | --phone P | --id ID [--history [--events N]]
                                          a unified profile (a merged-away id answers with the survivor);
                                          --history adds its newest records (20, or N) and its orders
  profiles export [--format ndjson] [--activation]   every profile, one a line, with the lineage of its records
                                          (--activation leaves out restricted profiles)
  profiles unmerge <id> --identifier <type:value>
                                          take one identifier's links out of a profile: its records regroup
                                          without them, and the groups stay apart from then on
  duplicates list | merge <pairId> | dismiss <pairId>
                                          pairs the matcher was unsure of (score and per-field explanation),
                                          for a person to merge or rule out
  dlq list | redrive [--queue Q]          dead-letter queues: how many messages; move them back once the fault is gone
  webhook send <source> <file> [--topic T]  sign a payload with the source's secret and POST it (a testing aid)
  dsr access|erase|rectify|restrict --email E | --phone P | --id ID [--reference R] [--set field=value] [--wait]
                                          a data-subject request (GDPR Art. 15-21); prints its requestId
  dsr list | show <requestId> | extend <requestId> --months 1|2 --reason R
                                          requests (overdue first), one with its evidence, a deadline extension

  kpi refresh [--date D] | list | show <name> [--date D]
                                          publish the curated tables and KPI tables; list them; print one
  segments list | show <name>             saved segments (config/segments/) and their members

Environment: CDP_HOME (state, default .cdp), CDP_PORT (HTTP port of \`up\`).`;


export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      target: { type: 'string' },
      stack: { type: 'string' },
      port: { type: 'string' },
      'no-demo': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      source: { type: 'string' },
      mapping: { type: 'string' },
      email: { type: 'string' },
      phone: { type: 'string' },
      id: { type: 'string' },
      format: { type: 'string' },
      queue: { type: 'string' },
      topic: { type: 'string' },
      reference: { type: 'string' },
      set: { type: 'string', multiple: true },
      wait: { type: 'boolean', default: false },
      months: { type: 'string' },
      reason: { type: 'string' },
      activation: { type: 'boolean', default: false },
      date: { type: 'string' },
      identifier: { type: 'string' },
      history: { type: 'boolean', default: false },
      events: { type: 'string' },
    },
  });
  const out = makeOutput(values.json ?? false);
  const [command, ...rest] = positionals;
  if (values.help || !command || command === 'help') {
    process.stdout.write(`${HELP}\n`);
    return command || values.help ? 0 : 2;
  }
  switch (command) {
    case 'up':
      return runUp(out, values);
    case 'demo':
      return runDemo(out, values);
    case 'import':
      return runImport(out, rest, values);
    case 'webhook':
      if (rest[0] !== 'send') throw new UsageError('Usage: cdp webhook send <source> <payload-file> [--topic T]');
      return runWebhookSend(out, await resolveTarget(values), rest.slice(1), values);
    case 'dsr':
      return runDsr(out, await resolveTarget(values), rest, values);
    case 'kpi':
      return runKpi(out, await resolveTarget(values), rest, values);
    case 'segments':
      return runSegments(out, await resolveTarget(values), rest, values);
    case 'dlq':
      return runDlq(out, await resolveTarget(values), rest[0], values);
    case 'duplicates':
      return runDuplicates(out, await resolveTarget(values), rest[0], rest[1]);
    case 'profiles': {
      const [sub] = rest;
      if (sub === 'get') return runProfilesGet(out, await resolveTarget(values), values);
      if (sub === 'export') return runProfilesExport(out, await resolveTarget(values), values);
      if (sub === 'unmerge') return runProfilesUnmerge(out, () => resolveTarget(values), rest[1], values.identifier);
      throw new UsageError('Usage: cdp profiles get --email E | --phone P | --id ID   |   cdp profiles export --format ndjson   |   cdp profiles unmerge <id> --identifier <type:value>');
    }
    default:
      throw new UsageError(`Unknown command \`${command}\`. Run \`cdp --help\` for the list.`);
  }
}

export async function run(argv: readonly string[]): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (e) {
    const err = e as Error;
    const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    const json = argv.includes('--json');
    const message = usage ? err.message : `${err.name}: ${err.message}`;
    if (json) process.stdout.write(`${JSON.stringify({ error: message })}\n`);
    else process.stderr.write(`cdp: ${message}\n`);
    process.exitCode = usage ? 2 : 1;
  }
}
