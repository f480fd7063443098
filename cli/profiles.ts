import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoProfileStore } from '../lambdas/adapters/dynamo-profile-store.ts';
import { type IdentityConfig, parseIdentityConfig } from '../lambdas/domain/identity-config.ts';
import { normaliseEmail, normalisePhone } from '../lambdas/domain/normalise.ts';
import { exportProfiles, historyCount, MAX_HISTORY_EVENTS, type ProfileHistory, profileById, profileHistory, profilesByIdentifier, type ProfileView } from '../lambdas/usecases/read-profiles.ts';
import { unmergeProfile } from '../lambdas/usecases/unmerge.ts';
import { type Output, UsageError } from './output.ts';
import type { Target } from './target.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function identityConfig(): IdentityConfig {
  return parseIdentityConfig(JSON.parse(readFileSync(path.join(ROOT, 'config', 'identity.json'), 'utf8')));
}

export function profileStore(target: Target): DynamoProfileStore {
  return new DynamoProfileStore(DynamoDBDocumentClient.from(target.dynamodb, { marshallOptions: { removeUndefinedValues: true } }), target.tableName);
}

interface ProfileFlags {
  readonly email?: string;
  readonly phone?: string;
  readonly id?: string;
  readonly format?: string;
  /** Leave out restricted profiles (Art. 18/21): the export that feeds marketing tools. */
  readonly activation?: boolean;
  /** Also the profile's newest records (`events` of them) and its orders. */
  readonly history?: boolean;
  readonly events?: string;
}

/** How many records `--history` shows: `--events N` (1 to 500), 20 without it; undefined without `--history`. */
function historyEvents(flags: ProfileFlags): number | undefined {
  if (flags.events !== undefined && !flags.history) throw new UsageError('--events goes with --history');
  if (!flags.history) return undefined;
  const n = historyCount(flags.events);
  if (n === undefined) throw new UsageError(`--events takes a whole number from 1 to ${MAX_HISTORY_EVENTS}`);
  return n;
}

const money = (total: number | undefined, currency: string | undefined) => (total === undefined ? '' : `${total.toFixed(2)}${currency ? ` ${currency}` : ''}`);

/** The history's lines: each record (when, source, what, where from), then each order and whether it counts. */
function describeHistory(h: ProfileHistory): string[] {
  const lines = [`  history      ${h.events.length === 0 ? 'no records' : `the ${h.events.length} newest record(s)${h.moreEvents ? ' (older ones not shown)' : ''}`}`];
  for (const e of h.events) {
    const what = e.order
      ? `order ${e.order.orderId}${e.order.line !== undefined ? ` line ${e.order.line}` : ''} ${[e.order.status, money(e.order.total, e.order.currency), e.order.test ? 'test' : ''].filter(Boolean).join(' ')}`
      : e.interaction
        ? `${e.interaction.type ?? e.kind}${e.interaction.touchpoint ? ` (${e.interaction.touchpoint})` : ''}${e.interaction.subject ? `: ${e.interaction.subject}` : ''}`
        : e.kind;
    const consents = (e.consents ?? []).map((c) => `${c.purpose} ${c.granted ? 'granted' : 'withdrawn'}`).join(', ');
    const from = e.from.deliveryId ? `webhook ${e.from.deliveryId}` : `${e.from.objectKey}${e.from.line !== undefined ? ` line ${e.from.line}` : ''}`;
    lines.push(`    ${e.at.slice(0, 16).replace('T', ' ')}  ${e.source}  ${what.trim()}${consents ? `; ${consents}` : ''}  [${from}]`);
  }
  lines.push(`  order list   ${h.orders.length === 0 ? 'none' : `${h.orders.length} order(s)`}`);
  for (const o of h.orders) {
    const why = o.counted ? '' : o.test ? '  (test order: not counted)' : '  (no sale: not counted)';
    const amount = o.total === undefined ? 'amount unknown' : money(o.total, o.currency);
    lines.push(`    ${o.placedAt.slice(0, 10)}  ${o.source}  ${o.orderId}  ${[o.status, amount].filter(Boolean).join(' ')}${why}`);
  }
  return lines;
}

export function describe(p: ProfileView, history?: ProfileHistory): string {
  const a = p.attributes;
  const name = [a.firstName, a.lastName].filter(Boolean).join(' ') || a.companyName || '(no name)';
  const lines = [
    `${name}  ${p.profileId}${p.requestedId ? ` (merged from ${p.requestedId})` : ''}`,
    `  identifiers  ${p.identifiers.join(', ')}`,
    `  lifecycle    ${p.lifecycle}, score ${p.score}, ${p.recordCount} record(s) from ${p.sources.join(', ')}, ${p.firstSeenAt.slice(0, 10)} to ${p.lastSeenAt.slice(0, 10)}`,
  ];
  const gender = a.gender && ({ F: 'female', M: 'male', X: 'other' } as Record<string, string>)[a.gender];
  const person = [a.birthDate && `born ${a.birthDate}`, gender, a.language && `language ${a.language}`].filter(Boolean).join(', ');
  if (person) lines.push(`  person       ${person}`);
  // The company line names the company again only where the profile is a person's (its name is the heading otherwise).
  const named = a.firstName || a.lastName;
  const company = [
    named ? a.companyName : undefined,
    a.companyVatNumber && `VAT ${a.companyVatNumber}`,
    a.role,
    a.companySector && `sector ${a.companySector}`,
    a.companySize && `size ${a.companySize}`,
  ].filter(Boolean).join(', ');
  if (company) lines.push(`  company      ${company}`);
  const place = [a.line1, a.line2, a.postalCode, a.city, a.province && `(${a.province})`, a.country].filter(Boolean).join(' ');
  if (place) lines.push(`  address      ${place}`);
  // A file's own columns (`attributes.<name>` in its mapping), one a line, a long note cut (--json has it whole).
  for (const [k, v] of Object.entries(a)) {
    if (k.startsWith('attr.')) {
      const one = v.replace(/\s+/g, ' ');
      lines.push(`  attribute    ${k.slice(5)}: ${one.length > 80 ? `${one.slice(0, 79)}…` : one}`);
    }
  }
  if (p.orders.count > 0) lines.push(`  orders       ${p.orders.count}, revenue ${p.orders.revenue.toFixed(2)}, last ${p.orders.lastAt?.slice(0, 10) ?? '-'}`);
  for (const [purpose, c] of Object.entries(p.consents)) lines.push(`  consent      ${purpose}: ${c.granted ? 'granted' : 'withdrawn'} ${c.undated ? `(no date given; record of ${c.at.slice(0, 10)})` : c.at.slice(0, 10)} (${c.source})`);
  if (p.restricted) lines.push(`  restricted   since ${p.restricted.at.slice(0, 10)} (kept; out of marketing counts and activation exports)`);
  if (p.lead) lines.push(`  lead source  ${[p.lead.source, p.lead.medium, p.lead.campaign].filter(Boolean).join(' / ')}`);
  if (p.keptApartFrom) lines.push(`  kept apart   from ${p.keptApartFrom.join(', ')} (unmerged, or dismissed as a duplicate)`);
  if (history) lines.push(...describeHistory(history));
  return lines.join('\n');
}

/** `cdp profiles get --email E | --phone P | --id ID`. */
export async function runProfilesGet(out: Output, target: Target, flags: ProfileFlags): Promise<number> {
  const store = profileStore(target);
  const config = identityConfig();
  let profiles: ProfileView[];
  if (flags.id) {
    const p = await profileById(store, config, flags.id);
    profiles = p ? [p] : [];
  } else if (flags.email || flags.phone) {
    const cleaned = flags.email ? normaliseEmail(flags.email) : normalisePhone(flags.phone!);
    if (!cleaned.ok) throw new UsageError(`Not a valid ${flags.email ? 'e-mail address' : 'phone number'} (${cleaned.reason})`);
    profiles = await profilesByIdentifier(store, config, `${flags.email ? 'email' : 'phone'}:${cleaned.value}`);
  } else throw new UsageError('Usage: cdp profiles get --email E | --phone P | --id ID [--history [--events N]]');
  const events = historyEvents(flags);
  const shown: (ProfileView & { history?: ProfileHistory })[] = [];
  for (const p of profiles) shown.push(events === undefined ? p : { ...p, history: await profileHistory(store, p.profileId, events) });
  out.result(flags.id ? (shown[0] ?? null) : shown, () => (shown.length === 0 ? 'No profile found.' : shown.map((p) => describe(p, p.history)).join('\n\n')));
  return profiles.length === 0 ? 1 : 0;
}

/** `cdp profiles export --format ndjson`: one profile a line, with the lineage of every record merged in. */
export async function runProfilesExport(out: Output, target: Target, flags: ProfileFlags): Promise<number> {
  if ((flags.format ?? 'ndjson') !== 'ndjson') throw new UsageError('Only --format ndjson is supported');
  const store = profileStore(target);
  let n = 0;
  for await (const { view, lineage } of exportProfiles(store, identityConfig())) {
    if (flags.activation && view.restricted) continue;
    // Consents as they stand per purpose (granted or withdrawn, when, from which source): what a marketing tool must
    // honour. Without them, an activation export handed over everyone who had never said yes.
    const consents = Object.fromEntries(Object.entries(view.consents).map(([purpose, c]) => [purpose, { granted: c.granted, at: c.at, ...(c.undated ? { undated: true } : {}), source: c.source }]));
    process.stdout.write(`${JSON.stringify({ profileId: view.profileId, identifiers: view.identifiers, attributes: view.attributes, consents, lifecycle: view.lifecycle, score: view.score, orders: view.orders, ...(view.restricted ? { restricted: true } : {}), lineage })}\n`);
    if (++n % 500 === 0) out.progress(`${n} profiles exported`);
  }
  out.progress(`${n} profiles exported`);
  return 0;
}

const IDENTIFIER_TYPES = ['email', 'phone', 'externalId', 'taxCode', 'vatNumber', 'loyaltyCard'];
const UNMERGE_USAGE = 'Usage: cdp profiles unmerge <profileId> --identifier <type:value>   (as `cdp profiles get` lists it, e.g. email:anna@example.it)';

/** The key an identifier is stored under, from `type:value` as a person types it (e-mails and phones cleaned). */
export function identifierKeyOf(raw: string): string {
  const at = raw.indexOf(':');
  const type = at > 0 ? raw.slice(0, at) : '';
  const value = raw.slice(at + 1).trim();
  if (!IDENTIFIER_TYPES.includes(type) || !value) throw new UsageError(`Not an identifier: expected <type:value> with type one of ${IDENTIFIER_TYPES.join(', ')}`);
  if (type === 'email' || type === 'phone') {
    const cleaned = type === 'email' ? normaliseEmail(value) : normalisePhone(value);
    if (!cleaned.ok) throw new UsageError(`Not a valid ${type === 'email' ? 'e-mail address' : 'phone number'} (${cleaned.reason})`);
    return `${type}:${cleaned.value}`;
  }
  return `${type}:${type === 'taxCode' || type === 'vatNumber' ? value.toUpperCase() : value}`;
}

/** `cdp profiles unmerge <id> --identifier <type:value>`: takes one identifier's links out of a profile. */
export async function runProfilesUnmerge(out: Output, target: () => Promise<Target>, profileId: string | undefined, identifier: string | undefined): Promise<number> {
  if (!profileId || !identifier) throw new UsageError(UNMERGE_USAGE);
  const key = identifierKeyOf(identifier);
  const r = await unmergeProfile(profileStore(await target()), identityConfig(), profileId, key);
  out.result(r, () => {
    switch (r.result) {
      case 'split':
        return [
          `Split ${r.profileId} into ${r.profiles.length} profiles, kept apart from now on:`,
          ...r.profiles.map((p) => `  ${p.profileId}  ${p.records} record(s)${p.profileId === r.profileId ? ' (keeps the id)' : ''}`),
        ].join('\n');
      case 'unchanged':
        return `Nothing to unmerge: the ${r.records} record(s) of ${r.profileId} are still one person without that identifier (they share other identifiers, or match on their names and dates).`;
      case 'notFound':
        return `No profile ${profileId}.`;
      case 'notOnProfile':
        return `Profile ${r.profileId} has no such identifier (\`cdp profiles get --id ${r.profileId}\` lists them).`;
      case 'tooLarge':
        return `Profile ${r.profileId} has ${r.records} records; an unmerge handles at most ${r.limit}.`;
      case 'tooManyGroups':
        return `Without that identifier, profile ${r.profileId} would fall into ${r.groups} profiles; an unmerge creates at most ${r.limit}.`;
    }
  });
  return r.result === 'split' ? 0 : 1;
}
