import { strToU8, zipSync } from 'fflate';
import { identifierKey } from '../domain/canonical.ts';
import { type AccessBundle, BASE_PURPOSES, bundleFiles, type RawRow } from '../domain/privacy/bundle.ts';
import { IllegalTransitionError, isOpen, type LocatedObject, mayStart, type RequestEvent, type RequestState } from '../domain/privacy/request.ts';
import { jsonMentionsSubject, rowMentionsSubject, type SubjectValues, subjectValues, suppressionHash, valueIsSubject } from '../domain/privacy/subject.ts';
import { isPlaceholderKey, isRoleKey } from '../domain/identity-config.ts';
import { profileNameKeys, suppressionCheckKeys, suppressionEntries } from '../domain/privacy/suppression.ts';
import { lifecycleOf, rectify, restrict } from '../domain/profile.ts';
import { otherSheetRows, pickRows, type ReadAs, rewriteWithout } from '../formats/rewrite.ts';
import type { SourceRow } from '../formats/types.ts';
import type { PrivacyWork } from '../ports/privacy.ts';
import { holdersOf, type StoredProfile, type TimelineEntry } from '../ports/profiles.ts';
import { CdpError, ContentionError } from '../shared/errors.ts';
import { findReading, parseReading, readingKey, reportKey } from './import-keys.ts';
import { type PrivacyDeps, record, SubjectError } from './privacy-requests.ts';
import { activeProfile, amendProfile, finishMerge, mergesUnderWay } from './resolve-record.ts';

export { extendRequest, InvalidRequestError, type PrivacyDeps, type Submission, submitRequest } from './privacy-requests.ts';

/**
 * Works one request: finds the subject, does what the request asks, and records the outcome with its evidence.
 * Idempotent: a request already completed is left alone, and an erasure resumes from what it located.
 */
export async function processWork(deps: PrivacyDeps, work: PrivacyWork): Promise<RequestState | undefined> {
  const lease = deps.leaseMs ?? DEFAULT_LEASE_MS;
  let state = await deps.log.read(work.requestId);
  // Take the request: the append is conditional on the log as read, so of two workers at once only one starts it.
  for (;;) {
    if (!state) return state;
    if (!mayStart(state, deps.now(), lease)) {
      // Open, and leased by a worker that is still at it or died at it. Dropping this order would leave a dead
      // worker's request in progress for ever; waiting on it would hold the queue for the whole lease. So it is
      // posted again for when the lease ends: by then the request is done (and the order a no-op) or may be resumed.
      if (isOpen(state)) {
        const leaseEnds = new Date(state.startedAt ?? deps.now().toISOString()).getTime() + lease;
        await deps.work.send(work, { delaySeconds: Math.max(1, Math.ceil((leaseEnds - deps.now().getTime()) / 1000) + 5) });
      }
      return state;
    }
    const taken = await deps.log.append(state, { type: 'started', at: deps.now().toISOString() });
    if (taken !== 'conflict') {
      state = taken;
      break;
    }
    state = await deps.log.read(work.requestId);
  }
  try {
    let evidence: Record<string, unknown>;
    if (state.scope === 'source') evidence = await eraseSource(deps, state);
    else if (state.requestType === 'access') evidence = await access(deps, state, work.identifiers);
    else if (state.requestType === 'erasure') evidence = await erase(deps, state, work.identifiers);
    else evidence = await amend(deps, state, work);
    return await finish(deps, state, { type: 'completed', at: deps.now().toISOString(), evidence });
  } catch (e) {
    if (e instanceof SubjectError) return finish(deps, state, { type: 'rejected', at: deps.now().toISOString(), reason: e.message });
    await record(deps, state, { type: 'failed', at: deps.now().toISOString(), reason: (e as Error).name || 'Error' }).catch(() => undefined);
    throw e;
  }
}

/** The worker's lease on a request: its function's timeout (a duplicate work order within it is re-checked after). */
const DEFAULT_LEASE_MS = 15 * 60_000;

/** Records the outcome; when another worker's attempt already ended the request, its outcome stands. */
async function finish(deps: PrivacyDeps, state: RequestState, event: Extract<RequestEvent, { type: 'completed' | 'rejected' }>): Promise<RequestState> {
  try {
    return await record(deps, state, event);
  } catch (e) {
    if (e instanceof IllegalTransitionError) return (await deps.log.read(state.requestId))!;
    throw e;
  }
}

/**
 * The profiles the identifiers name, as they are now (merged ones followed). With several identifiers, the profiles
 * all of them name; more than one person is ambiguous and refused, so no one receives or loses another's data.
 */
async function findSubject(deps: PrivacyDeps, keys: readonly string[]): Promise<{ id: string; profile: StoredProfile }[]> {
  const sets: Map<string, StoredProfile>[] = [];
  for (const key of keys) {
    let found = new Map<string, StoredProfile>();
    // Twice when an unmerge was finished on the way: it re-points the identifier.
    for (let attempt = 0, split = true; split && attempt < 2; attempt++) {
      split = false;
      found = new Map();
      // Every profile holding the value, linked by it or not (an `info@` a person gave is theirs to ask about).
      const owners = key.startsWith('profile:') ? [key.slice(8)] : holdersOf((await deps.profiles.getIdentities([key])).get(key));
      for (const owner of owners) {
        const a = await activeProfile(deps.profiles, deps.config, owner);
        if (a.split) split = true;
        if (a.profile) found.set(a.id, a.profile);
      }
    }
    if (found.size > 0) sets.push(found);
  }
  if (sets.length === 0) return [];
  let ids = [...sets[0]!.keys()].filter((id) => sets.every((s) => s.has(id)));
  if (ids.length === 0) ids = [...new Set(sets.flatMap((s) => [...s.keys()]))];
  if (ids.length > 1) throw new SubjectError(`The identifiers given belong to ${ids.length} different people; name the person by profile id`);
  return ids.map((id) => ({ id, profile: sets.find((s) => s.has(id))!.get(id)! }));
}

const fileEntries = (timeline: readonly TimelineEntry[]) => timeline.filter((t) => !t.lineage.deliveryId && t.channel !== 'webhook');
const webhookEntries = (timeline: readonly TimelineEntry[]) => timeline.filter((t) => t.lineage.deliveryId || t.channel === 'webhook');

/** A row is the subject's when it is where the lineage says and still holds the record's key or an identifier. */
function belongs(row: SourceRow, recordKey: string | undefined, subject: SubjectValues): boolean {
  if (rowMentionsSubject(row.cells, subject)) return true;
  if (!recordKey || recordKey.startsWith('row:')) return false;
  const cells = new Set(row.cells.map((c) => c.trim()));
  return recordKey.split('|').every((part) => cells.has(part));
}

/**
 * How the import read an export: as its import noted (readingKey), so a mapping changed since does not move a person's
 * row; for an export imported before imports noted it, from the mapping beside it (the file's, else its source's). A
 * file with no header row has a person on its first line, a named sheet is the one imported. The mapping is read for
 * its format alone (findReading): one that is not JSON failed that import, and the file is read as unmapped.
 */
async function readingFor(deps: PrivacyDeps, objectKey: string): Promise<ReadAs> {
  const read = async (bucket: string, key: string) => {
    const obj = await deps.vault.get(bucket, key);
    return obj && new TextDecoder().decode(obj.bytes);
  };
  const noted = parseReading(await read(deps.buckets.raw, readingKey(objectKey)));
  if (noted) return noted;
  return findReading((key) => read(deps.buckets.landing, key), objectKey.split('/')[1] ?? '', objectKey);
}

function groupByObject(entries: readonly TimelineEntry[]): Map<string, Map<number, string>> {
  const out = new Map<string, Map<number, string>>();
  for (const t of entries) {
    const lines = out.get(t.lineage.objectKey) ?? new Map<number, string>();
    if (t.lineage.line !== undefined) lines.set(t.lineage.line, t.lineage.recordKey);
    out.set(t.lineage.objectKey, lines);
  }
  return out;
}

function parseBody(bytes: Uint8Array): unknown {
  const text = Buffer.from(bytes).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return Object.fromEntries(new URLSearchParams(text));
  }
}

async function access(deps: PrivacyDeps, state: RequestState, keys: readonly string[]): Promise<Record<string, unknown>> {
  const found = await findSubject(deps, keys);
  const generatedAt = deps.now().toISOString();
  const profiles: AccessBundle['profiles'][number][] = [];
  const timeline: Record<string, unknown>[] = [];
  const orders: Record<string, unknown>[] = [];
  const consents: Record<string, unknown>[] = [];
  const rawRows: RawRow[] = [];
  const unavailable: { objectKey: string; reason: string }[] = [];
  let mismatched = 0;
  for (const { id, profile } of found) {
    const s = profile.state;
    const { lifecycle, score } = lifecycleOf(s, deps.config.leadScore, generatedAt);
    profiles.push({
      profileId: id,
      attributes: s.attributes,
      values: Object.fromEntries(Object.entries(s.values).map(([f, list]) => [f, list.map(({ v, s: src, t }) => ({ v, s: src, t }))])),
      identifiers: s.identifiers,
      sources: s.sources,
      orders: s.orders,
      ...(s.lead ? { lead: { source: s.lead.source, medium: s.lead.medium, campaign: s.lead.campaign, at: s.lead.at } } : {}),
      ...(s.restricted ? { restricted: { at: s.restricted.at } } : {}),
      lifecycle,
      leadScore: score,
    });
    const entries = await deps.profiles.timeline(id);
    for (const t of entries) {
      timeline.push({ profileId: id, occurredAt: t.occurredAt, source: t.source, kind: t.kind, channel: t.channel, interaction: t.interaction, order: t.order, lead: t.lead });
    }
    for (const item of await deps.profiles.listItems(id)) {
      const { sk, ...rest } = item;
      if (sk.startsWith('ORDER#')) orders.push({ profileId: id, ...rest });
      if (sk.startsWith('CONSENT#')) consents.push({ profileId: id, ...rest });
    }
    const subject = subjectValues([...keys.filter((k) => !k.startsWith('profile:')), ...s.identifiers]);
    for (const [objectKey, lines] of groupByObject(fileEntries(entries))) {
      const obj = await deps.vault.get(deps.buckets.landing, objectKey);
      if (!obj) {
        unavailable.push({ objectKey, reason: 'the export has expired or was removed' });
        continue;
      }
      const source = objectKey.split('/')[1] ?? '';
      const readAs = await readingFor(deps, objectKey);
      for (const row of await pickRows(obj.bytes, objectKey, (line) => lines.has(line), readAs)) {
        const cells = Object.values(row.values);
        if (!belongs({ cells, line: row.line }, lines.get(row.line), subject)) {
          mismatched++; // the file was replaced since: that line is someone else's now
          continue;
        }
        rawRows.push({ source, channel: 'file', objectKey, line: row.line, values: row.values });
      }
      // A workbook's sheets the import did not read: their rows that hold the person's identifiers.
      for (const row of otherSheetRows(obj.bytes, objectKey, (cells) => rowMentionsSubject(cells, subject), readAs)) {
        rawRows.push({ source, channel: 'file', objectKey, sheet: row.sheet, line: row.line, values: row.values });
      }
    }
    for (const t of webhookEntries(entries)) {
      const obj = await deps.vault.get(deps.buckets.raw, t.lineage.objectKey);
      if (!obj) unavailable.push({ objectKey: t.lineage.objectKey, reason: 'the webhook body has expired' });
      else if (!rawRows.some((r) => r.objectKey === t.lineage.objectKey)) {
        rawRows.push({ source: t.source, channel: 'webhook', objectKey: t.lineage.objectKey, ...(t.lineage.deliveryId ? { deliveryId: t.lineage.deliveryId } : {}), values: parseBody(obj.bytes) });
      }
    }
  }
  // Rows an import rejected (and webhook bodies no format could read) are on no profile, but the quarantine keeps them:
  // they are the person's data too.
  const everyone = subjectValues([...keys.filter((k) => !k.startsWith('profile:')), ...found.flatMap((f) => f.profile.state.identifiers)]);
  for (const r of await rejectedRowsOf(deps, everyone)) {
    // A delivery's body already shown for a record it made (one of its records was taken, another rejected).
    if (r.objectKey !== undefined && r.channel === 'webhook' && rawRows.some((x) => x.objectKey === r.objectKey)) continue;
    rawRows.push({
      source: r.source,
      channel: r.channel,
      objectKey: r.objectKey ?? r.quarantineKey,
      ...(r.line !== undefined ? { line: r.line } : {}),
      ...(r.deliveryId ? { deliveryId: r.deliveryId } : {}),
      values: r.raw,
      rejected: r.reasons,
    });
  }
  const sources = [...new Set(profiles.flatMap((p) => p.sources))].sort();
  const purposes = [...BASE_PURPOSES, ...new Set(consents.filter((c) => c.granted === true).map((c) => `${String(c.purpose)} (consent, Art. 6(1)(a))`))];
  const bundle: AccessBundle = {
    requestId: state.requestId,
    generatedAt,
    profiles,
    timeline,
    orders,
    consents,
    sources: sources.map((source) => ({ source, purposes })),
    rawRows,
    leadScoreRules: deps.config.leadScore.rules,
  };
  const files = bundleFiles(bundle);
  const zip = zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])));
  const key = `dsr/${state.requestId}/access-bundle.zip`;
  await deps.vault.put(deps.buckets.exports, key, zip, 'application/zip');
  const seconds = deps.linkSeconds ?? 24 * 3600;
  const link = await deps.vault.link(deps.buckets.exports, key, seconds);
  return {
    profiles: profiles.length,
    timeline: timeline.length,
    orders: orders.length,
    consents: consents.length,
    rawRows: rawRows.length,
    ...(unavailable.length > 0 ? { unavailable } : {}),
    ...(mismatched > 0 ? { rowsNoLongerTheSubjects: mismatched } : {}),
    bundleKey: key,
    files: Object.keys(files),
    link,
    linkExpiresAt: new Date(deps.now().getTime() + seconds * 1000).toISOString(),
  };
}

interface ErasureTally {
  profiles: number;
  dynamodbItems: number;
  records: number;
  identities: number;
  sharedIdentitiesKept: number;
  files: { bucket: string; key: string; rowsRemoved: number }[];
  deleted: { bucket: string; key: string }[];
  oldVersionsDeleted: number;
  conflictsRetried: number;
  /** Identifiers suppressed for profiles found merging into the person's after the list was written. */
  lateSuppressed: number;
}

const REWRITE_ATTEMPTS = 4;

/**
 * Rewrites one object without the rows `remove` picks, only if it did not change since it was read; a change means
 * read again and decide again (the concurrent writer's rows are kept). Then its old versions go.
 */
async function rewriteObject(deps: PrivacyDeps, bucket: string, key: string, requestId: string, remove: (row: SourceRow) => boolean, tally: ErasureTally, elsewhere?: (cells: readonly string[]) => boolean): Promise<void> {
  const readAs = bucket === deps.buckets.landing ? await readingFor(deps, key) : {};
  for (let attempt = 0; attempt < REWRITE_ATTEMPTS; attempt++) {
    const obj = await deps.vault.get(bucket, key);
    if (!obj) return;
    const out = await rewriteWithout(obj.bytes, key, remove, readAs, elsewhere);
    const rowsRemoved = out.removed.length + out.removedElsewhere;
    if (rowsRemoved === 0) return;
    if ((await deps.vault.replace(bucket, key, out.bytes, obj, { 'cdp-erasure': requestId })) === 'changed') {
      tally.conflictsRetried++;
      continue;
    }
    tally.files.push({ bucket: bucketName(deps, bucket), key, rowsRemoved });
    tally.oldVersionsDeleted += await deps.vault.purgeOldVersions(bucket, key);
    return;
  }
  throw new CdpError('An export kept changing while it was being rewritten');
}

const bucketName = (deps: PrivacyDeps, physical: string): string =>
  (Object.entries(deps.buckets).find(([, v]) => v === physical)?.[0] ?? physical);

async function deleteObject(deps: PrivacyDeps, bucket: string, key: string, tally: ErasureTally): Promise<void> {
  await deps.vault.delete(bucket, key);
  tally.deleted.push({ bucket: bucketName(deps, bucket), key });
  tally.oldVersionsDeleted += await deps.vault.purgeOldVersions(bucket, key);
}

/** Everything of these profiles: their rows in exports, their webhook bodies, their items. Returns the identifier keys seen. */
async function eraseProfiles(deps: PrivacyDeps, state: RequestState, ids: readonly string[], requestKeys: readonly string[], tally: ErasureTally): Promise<{ state: RequestState; keys: Set<string> }> {
  const keys = new Set(requestKeys.filter((k) => !k.startsWith('profile:')));
  const perProfile: { id: string; entries: TimelineEntry[]; identifiers: readonly string[]; names: ReadonlySet<string> }[] = [];
  const queue = [...ids];
  const late: string[] = [];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    const p = await deps.profiles.beginErasure(id);
    // An unmerge is moving its items: erase once it is done (the request is retried, and finds the groups then).
    if (!p && (await deps.profiles.getProfiles([id])).get(id)?.status === 'splitting') throw new ContentionError('The profile is being unmerged; retry');
    for (const k of p?.state.identifiers ?? []) keys.add(k);
    // A merge into it begun after the subject was found can no longer complete (the profile is erasing): the merging
    // profile is the same person's, half moved, and goes too.
    for (const other of await mergesUnderWay(deps.profiles, p?.incoming)) {
      if (queue.includes(other)) continue;
      queue.push(other);
      late.push(other);
    }
    perProfile.push({ id, entries: await deps.profiles.timeline(id), identifiers: p?.state.identifiers ?? [], names: profileNameKeys(p?.state.values ?? {}) });
  }
  if (late.length > 0) {
    // Their identifiers join the suppression list as the subject's did.
    const lateKeys = perProfile.filter((e) => late.includes(e.id)).flatMap((e) => e.identifiers);
    const salt = await deps.salt.get();
    const suppressed = await exclusiveKeys(deps, lateKeys, new Set(queue));
    const names = new Set(perProfile.flatMap((e) => [...e.names]));
    await deps.suppression.add(listed(deps, suppressed, names).map((k) => suppressionHash(salt, k)), state.requestId, deps.now().toISOString());
    tally.lateSuppressed += suppressed.length;
  }
  // Where the data is, recorded before anything is removed: a retry after the items are gone still knows.
  const objects = new Map<string, LocatedObject>();
  for (const o of state.located?.objects ?? []) objects.set(`${o.bucket}/${o.key}`, o);
  const recordKeys = new Map<string, Map<number, string>>();
  for (const { entries } of perProfile) {
    for (const [key, lines] of groupByObject(fileEntries(entries))) {
      const prior = objects.get(`landing/${key}`);
      const importIds = [...new Set([...(prior?.importIds ?? []), ...entries.filter((e) => e.lineage.objectKey === key && e.lineage.importId).map((e) => e.lineage.importId!)])];
      objects.set(`landing/${key}`, { bucket: 'landing', key, lines: [...new Set([...(prior?.lines ?? []), ...lines.keys()])].sort((a, b) => a - b), importIds });
      recordKeys.set(key, new Map([...(recordKeys.get(key) ?? []), ...lines]));
    }
    for (const t of webhookEntries(entries)) objects.set(`raw/${t.lineage.objectKey}`, { bucket: 'raw', key: t.lineage.objectKey });
  }
  // The subject's rows an import rejected (quarantined) are in its export too, with no lineage: found by content.
  const subject = subjectValues(keys);
  for (const { objectKey: key, line } of await rejectedRowsOf(deps, subject)) {
    if (key === undefined || line === undefined) continue;
    const prior = objects.get(`landing/${key}`);
    objects.set(`landing/${key}`, { ...prior, bucket: 'landing', key, lines: [...new Set([...(prior?.lines ?? []), line])].sort((a, b) => a - b) });
  }
  const profileIds = [...new Set([...(state.located?.profileIds ?? []), ...queue])];
  state = await record(deps, state, { type: 'located', at: deps.now().toISOString(), profileIds, objects: [...objects.values()] });

  for (const o of objects.values()) {
    if (o.bucket === 'landing') {
      const lines = new Set(o.lines ?? []);
      const rk = recordKeys.get(o.key);
      // A workbook's other sheets were never imported: their rows that hold the person's identifiers go too.
      await rewriteObject(deps, deps.buckets.landing, o.key, state.requestId, (row) => lines.has(row.line) && belongs(row, rk?.get(row.line), subject), tally, (cells) => rowMentionsSubject(cells, subject));
      // The report of the import that read the original: without it, uploading the original again imports it again
      // (and counts the person as suppressed) rather than answering with the old report.
      for (const importId of o.importIds ?? []) await deps.vault.delete(deps.buckets.raw, reportKey(importId));
    } else if (o.bucket === 'raw') await deleteObject(deps, deps.buckets.raw, o.key, tally);
  }
  for (const { id, entries, identifiers } of perProfile) {
    const filed = entries.flatMap((e) => (e.blocks?.length ? [{ recordId: e.recordId, blocks: e.blocks }] : []));
    const erased = await deps.profiles.eraseProfile(id, entries.map((e) => e.recordId), identifiers, filed);
    tally.profiles++;
    tally.dynamodbItems += erased.items;
    tally.records += erased.records;
    tally.identities += erased.identities;
    tally.sharedIdentitiesKept += erased.sharedIdentities;
  }
  return { state, keys };
}

/** What the suppression list takes for these identifier keys of a person with these names (see suppressionEntries). */
const listed = (deps: PrivacyDeps, keys: readonly string[], names: ReadonlySet<string>): string[] => suppressionEntries(keys, names, (k) => isRoleKey(k, deps.config));

/** Identifier keys no one but the erased profiles holds: those the suppression list takes. */
async function exclusiveKeys(deps: PrivacyDeps, keys: Iterable<string>, erased: ReadonlySet<string>): Promise<string[]> {
  const out: string[] = [];
  // A placeholder (`nessuna@email.it`) names nobody: suppressed, it would drop every stranger's record that carries it.
  const list = [...keys].filter((k) => !k.startsWith('profile:') && !isPlaceholderKey(k, deps.config));
  const items = await deps.profiles.getIdentities(list);
  for (const key of list) {
    // A value another profile carries unlinked (a colleague's `info@`) is shared too: suppressing it would drop their records.
    const owners = holdersOf(items.get(key));
    let shared = false;
    for (const owner of owners) {
      if (erased.has(owner)) continue;
      const a = await activeProfile(deps.profiles, deps.config, owner);
      if (a.profile && !erased.has(a.id)) shared = true;
    }
    if (!shared) out.push(key);
  }
  return out;
}

/** A quarantine file's line (one rejected row: its import, export, line, reasons and raw values), parsed. */
interface QuarantineEntry {
  readonly importId?: string;
  readonly objectKey?: string;
  readonly line?: number;
  readonly reasons?: unknown;
  readonly raw?: unknown;
}

/** A JSON object's fields; undefined for anything else (another JSON value, or text that is not JSON). */
function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const entryMentionsSubject = (line: string, subject: SubjectValues): boolean => {
  const entry = jsonObject(line);
  return entry ? jsonMentionsSubject(entry.raw ?? entry, subject) : textMentionsSubject(line, subject);
};

/**
 * A row an import rejected that names the subject: where it was read (when known), why, and its values as kept. Or a
 * webhook body (`channel: 'webhook'`): one that could not be read, kept in quarantine as it came, or one whose records
 * were rejected, archived where every delivery's is (its `objectKey`).
 */
interface RejectedRow {
  readonly source: string;
  readonly channel: 'file' | 'webhook';
  readonly quarantineKey: string;
  readonly deliveryId?: string;
  readonly objectKey?: string;
  readonly line?: number;
  readonly reasons: readonly string[];
  readonly raw: unknown;
}

/**
 * The subject's rows imports rejected, from the quarantine (they have no lineage: found by content). Each names its
 * export: the entry's own (imports note it), else its import report's. And the webhook bodies kept there unread, and
 * those the quarantine's notes of rejected records name.
 */
async function rejectedRowsOf(deps: PrivacyDeps, subject: SubjectValues): Promise<RejectedRow[]> {
  const out: RejectedRow[] = [];
  const exportOf = new Map<string, string | undefined>();
  for await (const { key } of deps.vault.list(deps.buckets.raw, 'quarantine/')) {
    if (key.endsWith('.body')) {
      const body = await unreadBody(deps, key, subject);
      if (body) out.push(body);
      continue;
    }
    if (isWebhookNote(key)) {
      const body = await rejectedDelivery(deps, key, subject);
      if (body) out.push(body);
      continue;
    }
    if (!key.endsWith('.ndjson')) continue;
    const obj = await deps.vault.get(deps.buckets.raw, key);
    if (!obj) continue;
    for (const line of Buffer.from(obj.bytes).toString('utf8').split('\n')) {
      if (!line.trim() || !entryMentionsSubject(line, subject)) continue;
      const entry = jsonObject(line) as QuarantineEntry | undefined;
      if (!entry) continue;
      let objectKey = entry.objectKey;
      if (objectKey === undefined && typeof entry.importId === 'string') {
        if (!exportOf.has(entry.importId)) {
          const report = await deps.vault.get(deps.buckets.raw, reportKey(entry.importId));
          const objectKeyOf = report && jsonObject(new TextDecoder().decode(report.bytes))?.objectKey;
          exportOf.set(entry.importId, typeof objectKeyOf === 'string' ? objectKeyOf : undefined);
        }
        objectKey = exportOf.get(entry.importId);
      }
      const known = typeof objectKey === 'string' && objectKey.startsWith('imports/');
      out.push({
        source: key.split('/')[1] ?? '',
        channel: 'file',
        quarantineKey: key,
        ...(known ? { objectKey } : {}),
        ...(known && typeof entry.line === 'number' ? { line: entry.line } : {}),
        reasons: Array.isArray(entry.reasons) ? entry.reasons.map(String) : [],
        raw: entry.raw ?? null,
      });
    }
  }
  return out;
}

/**
 * A webhook body no vendor's format could read (not JSON, a broken form), when it names the subject: its text as it
 * came, and the reason from the note beside it (`<deliveryId>.json`).
 */
async function unreadBody(deps: PrivacyDeps, key: string, subject: SubjectValues): Promise<RejectedRow | undefined> {
  const obj = await deps.vault.get(deps.buckets.raw, key);
  const text = obj && Buffer.from(obj.bytes).toString('utf8');
  if (!text || !textMentionsSubject(text, subject)) return undefined;
  const noteObj = await deps.vault.get(deps.buckets.raw, key.replace(/\.body$/, '.json'));
  const note = noteObj ? jsonObject(Buffer.from(noteObj.bytes).toString('utf8')) : undefined;
  return {
    source: key.split('/')[1] ?? '',
    channel: 'webhook',
    quarantineKey: key,
    ...(typeof note?.deliveryId === 'string' ? { deliveryId: note.deliveryId } : {}),
    reasons: typeof note?.reason === 'string' ? [note.reason] : [],
    raw: text,
  };
}

const isWebhookNote = (key: string): boolean => /^quarantine\/[^/]+\/webhooks\/.+\.json$/.test(key);

/** A body's JSON or, failing that, its text, names the subject. */
function bodyMentionsSubject(text: string, subject: SubjectValues): boolean {
  try {
    return jsonMentionsSubject(JSON.parse(text), subject);
  } catch {
    return textMentionsSubject(text, subject);
  }
}

/**
 * A delivery's records the import rejected (an order without its number): the note in quarantine names the body,
 * archived under `webhooks/` as every delivery is, which no record's lineage reaches. Its archive key when the body
 * names the subject; the note itself holds no one's data (record keys and reasons).
 */
async function rejectedDeliveryBody(deps: PrivacyDeps, noteText: string, subject: SubjectValues): Promise<{ rawKey: string; text: string; note: Record<string, unknown> } | undefined> {
  const note = jsonObject(noteText);
  const rawKey = note?.rawKey;
  if (!note || typeof rawKey !== 'string' || !rawKey.startsWith('webhooks/') || !Array.isArray(note.rejected)) return undefined;
  const body = await deps.vault.get(deps.buckets.raw, rawKey);
  const text = body && Buffer.from(body.bytes).toString('utf8');
  return text && bodyMentionsSubject(text, subject) ? { rawKey, text, note } : undefined;
}

async function rejectedDelivery(deps: PrivacyDeps, noteKey: string, subject: SubjectValues): Promise<RejectedRow | undefined> {
  const noteObj = await deps.vault.get(deps.buckets.raw, noteKey);
  const found = noteObj && (await rejectedDeliveryBody(deps, Buffer.from(noteObj.bytes).toString('utf8'), subject));
  if (!found) return undefined;
  const { rawKey, text, note } = found;
  const reasons = (note.rejected as unknown[]).flatMap((r) => {
    const given = (r as { reasons?: unknown } | null)?.reasons;
    return Array.isArray(given) ? given.map(String) : [];
  });
  return {
    source: noteKey.split('/')[1] ?? '',
    channel: 'webhook',
    quarantineKey: noteKey,
    objectKey: rawKey,
    ...(typeof note.deliveryId === 'string' ? { deliveryId: note.deliveryId } : {}),
    reasons: [...new Set(reasons)],
    raw: parseBody(Buffer.from(text)),
  };
}

/** Quarantined rows and bodies that name the subject (rejected rows have no lineage: they are found by content). */
async function scrubQuarantine(deps: PrivacyDeps, requestId: string, subject: SubjectValues, tally: ErasureTally): Promise<number> {
  let scanned = 0;
  for await (const { key } of deps.vault.list(deps.buckets.raw, 'quarantine/')) {
    scanned++;
    const obj = await deps.vault.get(deps.buckets.raw, key);
    if (!obj) continue;
    if (key.endsWith('.ndjson')) {
      const text = Buffer.from(obj.bytes).toString('utf8');
      const lines = text.split('\n');
      const kept = lines.filter((line) => !line.trim() || !entryMentionsSubject(line, subject));
      if (kept.length === lines.length) continue;
      if ((await deps.vault.replace(deps.buckets.raw, key, Buffer.from(kept.join('\n')), obj, { 'cdp-erasure': requestId })) === 'changed') throw new CdpError('A quarantine file changed while it was being rewritten');
      tally.files.push({ bucket: 'raw', key, rowsRemoved: lines.length - kept.length });
      tally.oldVersionsDeleted += await deps.vault.purgeOldVersions(deps.buckets.raw, key);
    } else {
      const text = Buffer.from(obj.bytes).toString('utf8');
      const rejected = isWebhookNote(key) ? await rejectedDeliveryBody(deps, text, subject) : undefined;
      if (rejected) await deleteObject(deps, deps.buckets.raw, rejected.rawKey, tally);
      if (bodyMentionsSubject(text, subject)) await deleteObject(deps, deps.buckets.raw, key, tally);
    }
  }
  return scanned;
}

const PHONE_IN_TEXT = /\+?\d[\d\s()./-]{5,20}\d/g;
function textMentionsSubject(text: string, subject: SubjectValues): boolean {
  const lower = text.toLowerCase();
  for (const e of subject.emails) if (lower.includes(e) || lower.includes(encodeURIComponent(e))) return true;
  for (const m of text.matchAll(PHONE_IN_TEXT)) if (valueIsSubject(m[0], subject)) return true;
  for (const token of text.split(/[^\w@.+-]+/)) if (token && valueIsSubject(decodeURIComponent(token.replace(/\+/g, ' ')), subject)) return true;
  return false;
}

/** Access bundles issued earlier for the same person: they are copies too. */
async function deleteEarlierBundles(deps: PrivacyDeps, state: RequestState, tally: ErasureTally): Promise<number> {
  const mine = new Set(state.subject.map((s) => s.hash));
  let n = 0;
  for (const other of await deps.log.list()) {
    if (other.requestId === state.requestId || other.requestType !== 'access') continue;
    if (!other.subject.some((s) => mine.has(s.hash))) continue;
    for await (const { key } of deps.vault.list(deps.buckets.exports, `dsr/${other.requestId}/`)) {
      await deleteObject(deps, deps.buckets.exports, key, tally);
      n++;
    }
  }
  return n;
}

const PITR_DAYS = 35;

async function erase(deps: PrivacyDeps, state: RequestState, keys: readonly string[]): Promise<Record<string, unknown>> {
  const tally: ErasureTally = { profiles: 0, dynamodbItems: 0, records: 0, identities: 0, sharedIdentitiesKept: 0, files: [], deleted: [], oldVersionsDeleted: 0, conflictsRetried: 0, lateSuppressed: 0 };
  let found = await findSubject(deps, keys);
  // Merges into the person's profile that have begun are finished first: what they bring is the person's too, and
  // their identifiers join the suppression list below.
  for (let round = 0; round < 3; round++) {
    const pending = await mergesUnderWay(deps.profiles, found.flatMap((f) => f.profile.incoming ?? []));
    if (pending.length === 0) break;
    for (const other of pending) await finishMerge(deps.profiles, deps.config, other);
    found = await findSubject(deps, keys);
  }
  const ids = new Set([...found.map((f) => f.id), ...(state.located?.profileIds ?? [])]);
  const subjectKeySet = new Set(keys.filter((k) => !k.startsWith('profile:')));
  for (const f of found) for (const k of f.profile.state.identifiers) subjectKeySet.add(k);
  // The suppression list first: from now on no import, webhook or resolver re-creates the person.
  const salt = await deps.salt.get();
  const suppressed = await exclusiveKeys(deps, subjectKeySet, ids);
  // The person's names, from their profiles whatever their state (an attempt that died may have marked them erasing).
  const names = new Set([...(await deps.profiles.getProfiles([...ids])).values()].flatMap((p) => [...profileNameKeys(p.state.values)]));
  // A retry once the profiles are gone has no names: the attempt that found them listed their role addresses (the list
  // is written before anything is located or removed), and listing one alone now would drop a colleague's records.
  const toList = names.size === 0 && state.located ? suppressed.filter((k) => !isRoleKey(k, deps.config)) : suppressed;
  await deps.suppression.add(listed(deps, toList, names).map((k) => suppressionHash(salt, k)), state.requestId, deps.now().toISOString());

  const erased = await eraseProfiles(deps, state, [...ids], keys, tally);
  state = erased.state;
  // A record that passed the check just before the list was written may have made a new profile: sweep for it.
  for (let sweep = 0; sweep < 3; sweep++) {
    const again = new Set<string>();
    const items = await deps.profiles.getIdentities(suppressed);
    for (const [key, item] of items) {
      for (const owner of holdersOf(item)) {
        const a = await activeProfile(deps.profiles, deps.config, owner);
        if (!a.profile) continue;
        // A role address brings in only a profile of the person's name, or of none: someone else's stays (see
        // suppressionEntries).
        if (names.size > 0 && isRoleKey(key, deps.config)) {
          const theirs = profileNameKeys(a.profile.state.values);
          if (theirs.size > 0 && ![...theirs].some((n) => names.has(n))) continue;
        }
        again.add(a.id);
      }
    }
    if (again.size === 0) break;
    state = (await eraseProfiles(deps, state, [...again], suppressed, tally)).state;
  }
  const subject = subjectValues(erased.keys);
  const quarantineScanned = await scrubQuarantine(deps, state.requestId, subject, tally);
  // Records the resolver failed wait in the dead-letter queue for a redrive (which would drop them now) or their
  // retention's end: the person's are taken out now. A record that has the person's role address and names someone
  // else is a colleague's, as the suppression check reads it: it stays for its redrive.
  const theirs = new Set(listed(deps, [...subject.keys], names));
  const deadLetters = deps.deadLetters
    ? await deps.deadLetters.scrub((r) => suppressionCheckKeys(r.identifiers.map(identifierKey), r.person, (k) => isRoleKey(k, deps.config)).some((k) => theirs.has(k)))
    : undefined;
  const bundles = await deleteEarlierBundles(deps, state, tally);
  const lake = deps.lake ? await deps.lake.erase(deps.vault, deps.lake.bucket, state.requestId, new Set(state.located?.profileIds ?? ids)) : undefined;
  if (lake) tally.oldVersionsDeleted += lake.oldVersionsDeleted;
  const pitrAgesOutAt = new Date(deps.now().getTime() + PITR_DAYS * 86_400_000).toISOString().slice(0, 10);
  return {
    profiles: tally.profiles,
    dynamodb: { items: tally.dynamodbItems, appliedRecordMarkers: tally.records, identifiers: tally.identities, sharedIdentifiersKept: tally.sharedIdentitiesKept },
    filesRewritten: tally.files,
    objectsDeleted: tally.deleted,
    quarantineObjectsScanned: quarantineScanned,
    ...(deadLetters ? { deadLetterRecords: { messagesScanned: deadLetters.messagesScanned, removed: deadLetters.recordsRemoved } } : {}),
    earlierBundlesDeleted: bundles,
    ...(lake ? { lake: { filesScanned: lake.filesScanned, filesRewritten: lake.filesRewritten } } : {}),
    oldVersionsDeleted: tally.oldVersionsDeleted,
    rewriteConflictsRetried: tally.conflictsRetried,
    suppressedIdentifiers: suppressed.length + tally.lateSuppressed,
    backups: { dynamodbPitr: `point-in-time backups age out by ${pitrAgesOutAt}; re-apply this erasure after any restore` },
  };
}

/** Shopify's shop/redact: everything received from one source goes. */
async function eraseSource(deps: PrivacyDeps, state: RequestState): Promise<Record<string, unknown>> {
  const source = state.scopeSource!;
  const tally: ErasureTally = { profiles: 0, dynamodbItems: 0, records: 0, identities: 0, sharedIdentitiesKept: 0, files: [], deleted: [], oldVersionsDeleted: 0, conflictsRetried: 0, lateSuppressed: 0 };
  for (const [bucket, prefix] of [
    [deps.buckets.raw, `webhooks/${source}/`],
    [deps.buckets.raw, `quarantine/${source}/`],
    [deps.buckets.landing, `imports/${source}/`],
  ] as const) {
    for await (const { key } of deps.vault.list(bucket, prefix)) await deleteObject(deps, bucket, key, tally);
  }
  const only: string[] = [];
  let mixed = 0;
  for await (const p of deps.profiles.listProfiles()) {
    // A profile merging into another is the survivor's: erased with it or kept with it.
    if (p.status !== 'active' || !p.state.sources.includes(source)) continue;
    if (p.state.sources.length === 1) only.push(p.state.profileId);
    else mixed++;
  }
  for (const id of only) state = (await eraseProfiles(deps, state, [id], [], tally)).state;
  const lake = deps.lake && only.length > 0 ? await deps.lake.erase(deps.vault, deps.lake.bucket, state.requestId, new Set(only)) : undefined;
  return {
    source,
    profiles: tally.profiles,
    dynamodb: { items: tally.dynamodbItems, identifiers: tally.identities },
    objectsDeleted: tally.deleted.length,
    oldVersionsDeleted: tally.oldVersionsDeleted,
    profilesAlsoFromOtherSourcesKept: mixed,
    ...(lake ? { lakeFilesRewritten: lake.filesRewritten.length } : {}),
  };
}

/** Rectification and restriction: the profile's state changed at the version read. */
async function amend(deps: PrivacyDeps, state: RequestState, work: PrivacyWork): Promise<Record<string, unknown>> {
  const found = await findSubject(deps, work.identifiers);
  if (found.length === 0) throw new SubjectError('No profile holds these identifiers');
  const at = deps.now().toISOString();
  const amended = await amendProfile(deps.profiles, deps.config, found[0]!.id, (_id, current) =>
    state.requestType === 'rectification' ? rectify(current, work.changes ?? {}, state.requestId, at) : restrict(current, state.requestId, at),
  );
  if (amended === 'gone') throw new SubjectError('The profile no longer exists');
  if (amended === 'contended') throw new CdpError('The profile stayed contended');
  return state.requestType === 'rectification' ? { profileId: amended.id, fieldsRectified: Object.keys(work.changes ?? {}) } : { profileId: amended.id, restricted: true };
}
