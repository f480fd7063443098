import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoProfileStore } from '../lambdas/adapters/dynamo-profile-store.ts';
import { type IdentityConfig, parseIdentityConfig } from '../lambdas/domain/identity-config.ts';
import { normaliseEmail, normalisePhone } from '../lambdas/domain/normalise.ts';
import { type ProfileView, profileById, profilesByIdentifier, viewOf } from '../lambdas/usecases/read-profiles.ts';
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
}

function describe(p: ProfileView): string {
  const a = p.attributes;
  const name = [a.firstName, a.lastName].filter(Boolean).join(' ') || a.companyName || '(no name)';
  const lines = [
    `${name}  ${p.profileId}${p.requestedId ? ` (merged from ${p.requestedId})` : ''}`,
    `  identifiers  ${p.identifiers.join(', ')}`,
    `  lifecycle    ${p.lifecycle}, score ${p.score}, ${p.recordCount} record(s) from ${p.sources.join(', ')}, ${p.firstSeenAt.slice(0, 10)} to ${p.lastSeenAt.slice(0, 10)}`,
  ];
  const place = [a.line1, a.postalCode, a.city, a.province && `(${a.province})`, a.country].filter(Boolean).join(' ');
  if (place) lines.push(`  address      ${place}`);
  if (p.orders.count > 0) lines.push(`  orders       ${p.orders.count}, revenue ${p.orders.revenue.toFixed(2)}, last ${p.orders.lastAt?.slice(0, 10) ?? '-'}`);
  for (const [purpose, c] of Object.entries(p.consents)) lines.push(`  consent      ${purpose}: ${c.granted ? 'granted' : 'withdrawn'} ${c.at.slice(0, 10)} (${c.source})`);
  if (p.restricted) lines.push(`  restricted   since ${p.restricted.at.slice(0, 10)} (kept; out of marketing counts and activation exports)`);
  if (p.lead) lines.push(`  lead source  ${[p.lead.source, p.lead.medium, p.lead.campaign].filter(Boolean).join(' / ')}`);
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
  } else throw new UsageError('Usage: cdp profiles get --email E | --phone P | --id ID');
  out.result(flags.id ? (profiles[0] ?? null) : profiles, () => (profiles.length === 0 ? 'No profile found.' : profiles.map(describe).join('\n\n')));
  return profiles.length === 0 ? 1 : 0;
}

/** `cdp profiles export --format ndjson`: one profile a line, with the lineage of every record merged in. */
export async function runProfilesExport(out: Output, target: Target, flags: ProfileFlags): Promise<number> {
  if ((flags.format ?? 'ndjson') !== 'ndjson') throw new UsageError('Only --format ndjson is supported');
  const store = profileStore(target);
  let n = 0;
  for await (const p of store.listProfiles()) {
    if (flags.activation && p.state.restricted) continue;
    const view = viewOf(p.state);
    const lineage = (await store.listLineage(view.profileId)).map(({ source, recordKey, line }) => ({ source, recordKey, ...(line !== undefined ? { line } : {}) }));
    process.stdout.write(`${JSON.stringify({ profileId: view.profileId, identifiers: view.identifiers, attributes: view.attributes, lifecycle: view.lifecycle, orders: view.orders, ...(view.restricted ? { restricted: true } : {}), lineage })}\n`);
    if (++n % 500 === 0) out.progress(`${n} profiles exported`);
  }
  out.progress(`${n} profiles exported`);
  return 0;
}
