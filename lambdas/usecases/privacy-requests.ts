import { randomBytes } from 'node:crypto';
import { type Identifier, identifierKey } from '../domain/canonical.ts';
import { stableHash } from '../domain/hash.ts';
import type { IdentityConfig } from '../domain/identity-config.ts';
import { normaliseEmail, normalisePhone } from '../domain/normalise.ts';
import { suppressionHash } from '../domain/privacy/hash.ts';
import { cleanRectification } from '../domain/privacy/rectification.ts';
import { applyEvent, isOpen, type RequestEvent, type RequestState, type RequestType } from '../domain/privacy/request.ts';
import type { DeadLetterRecords, LakeEraser, ObjectVault, RequestLog, SaltSource, SuppressionList, WorkQueue } from '../ports/privacy.ts';
import type { ProfileStore } from '../ports/profiles.ts';
import { CdpError } from '../shared/errors.ts';

/**
 * Data-subject requests as callers make them (the privacy API, `cdp dsr`, vendors' webhooks): validated, recorded as
 * the first event of their log, handed to the worker. Light on purpose: the API function bundles only this.
 */
export interface PrivacyDeps {
  readonly log: RequestLog;
  readonly suppression: SuppressionList;
  readonly salt: SaltSource;
  readonly work: WorkQueue;
  readonly profiles: ProfileStore;
  readonly config: IdentityConfig;
  readonly vault: ObjectVault;
  readonly buckets: { readonly landing: string; readonly raw: string; readonly exports: string };
  /** Where the curated tables are, and what removes an erased person's pseudonymous rows from them. */
  readonly lake?: { readonly bucket: string; readonly erase: LakeEraser };
  /** The records queue's dead letters, which an erasure scrubs too. */
  readonly deadLetters?: DeadLetterRecords;
  readonly now: () => Date;
  /** How long an access bundle's link is valid (default 24 hours). */
  readonly linkSeconds?: number;
  /** How long a worker holds a request it started (default 15 minutes, the worker's timeout). */
  readonly leaseMs?: number;
}

/** What recording requests needs (the privacy API has nothing more). */
export type RequestDeps = Pick<PrivacyDeps, 'log' | 'salt' | 'work' | 'now'>;

/** A request the caller got wrong: answered 400 / exit 2 with this message (never personal data). */
export class InvalidRequestError extends CdpError {}

/** The subject cannot be told apart (a household e-mail): the request is rejected with the reason. */
export class SubjectError extends CdpError {}

export interface Submission {
  readonly type: RequestType;
  readonly email?: string;
  readonly phone?: string;
  readonly profileId?: string;
  /** Identifiers as a vendor sends them (Shopify's customer id, e-mail, phone), already normalised. */
  readonly identifiers?: readonly Identifier[];
  readonly reference?: string;
  readonly requester: string;
  readonly origin: string;
  readonly scope?: 'subject' | 'source';
  readonly scopeSource?: string;
  /** Rectification: field -> corrected value. */
  readonly changes?: Readonly<Record<string, string>>;
  readonly at?: string;
}

const PROFILE_ID = /^p_[0-9a-f]{20}$/;
const REFERENCE = /^[\w.:/#@-]{1,128}$/;

/** The subject's identifiers as keys; the request's own validation. */
export function subjectKeys(s: Submission): string[] {
  const keys: string[] = [];
  if (s.email !== undefined) {
    const e = normaliseEmail(s.email);
    if (!e.ok) throw new InvalidRequestError(`The e-mail address is not valid (${e.reason})`);
    keys.push(`email:${e.value}`);
  }
  if (s.phone !== undefined) {
    const p = normalisePhone(s.phone);
    if (!p.ok) throw new InvalidRequestError(`The phone number is not valid (${p.reason})`);
    keys.push(`phone:${p.value}`);
  }
  if (s.profileId !== undefined) {
    if (!PROFILE_ID.test(s.profileId)) throw new InvalidRequestError('A profile id looks like p_ followed by 20 hexadecimal digits');
    keys.push(`profile:${s.profileId}`);
  }
  for (const id of s.identifiers ?? []) keys.push(identifierKey(id));
  return [...new Set(keys)];
}

function validateChanges(changes: Readonly<Record<string, string>> | undefined): Readonly<Record<string, string>> {
  const r = cleanRectification(changes ?? {});
  if (!r.ok) throw new InvalidRequestError(r.error);
  return r.changes;
}

export interface Submitted {
  readonly requestId: string;
  readonly status: RequestState['status'];
  readonly deadline: string;
  readonly created: boolean;
}

/**
 * Records a request (its `received` event) and hands it to the worker. The same reference for the same subject is
 * the same request: a vendor's redelivery, or a privacy officer's second click, does not open a second one.
 */
export async function submitRequest(deps: RequestDeps, s: Submission): Promise<Submitted> {
  const scope = s.scope ?? 'subject';
  if (s.reference !== undefined && !REFERENCE.test(s.reference)) throw new InvalidRequestError('A reference is 1-128 letters, digits or . : / # @ - _');
  const keys = subjectKeys(s);
  if (scope === 'subject' && keys.length === 0) throw new InvalidRequestError('Name the subject: --email, --phone or --id');
  if (scope === 'source' && (!s.scopeSource || s.type !== 'erasure')) throw new InvalidRequestError('A source-wide request is an erasure of one source');
  const changes = validateChanges(s.changes);
  if (s.type === 'rectification' && Object.keys(changes).length === 0) throw new InvalidRequestError('A rectification needs the corrected values (--set field=value)');
  if (s.type !== 'rectification' && Object.keys(changes).length > 0) throw new InvalidRequestError('Only a rectification takes corrected values');
  const salt = await deps.salt.get();
  const subject = keys.map((k) => ({ kind: k.slice(0, k.indexOf(':')), hash: suppressionHash(salt, k) }));
  const requestId = s.reference
    ? `dsr_${stableHash(s.type, scope, s.scopeSource ?? '', s.reference, ...subject.map((x) => x.hash).sort()).slice(0, 20)}`
    : `dsr_${randomBytes(10).toString('hex')}`;
  const at = s.at ?? deps.now().toISOString();
  const received: Extract<RequestEvent, { type: 'received' }> = {
    type: 'received',
    at,
    requestType: s.type,
    subject,
    ...(s.reference ? { reference: s.reference } : {}),
    requester: s.requester,
    origin: s.origin,
    scope,
    ...(s.scopeSource ? { scopeSource: s.scopeSource } : {}),
  };
  const created = await deps.log.create(requestId, received);
  // A new request's state is its first event; an existing one is read.
  const state = created === 'created' ? applyEvent(undefined, received, requestId) : (await deps.log.read(requestId))!;
  // A new request, or an open one whose work order may be lost (a failed hand-over, a local twin killed under it):
  // (re)send the work. The worker is idempotent, and leaves a request another worker holds to its lease.
  if (created === 'created' || isOpen(state)) await deps.work.send({ requestId, identifiers: keys, ...(Object.keys(changes).length > 0 ? { changes } : {}) });
  return { requestId, status: state.status, deadline: state.deadline, created: created === 'created' };
}

/** Appends an event, re-reading and retrying when another writer came first. */
export async function record(deps: RequestDeps, state: RequestState, event: RequestEvent): Promise<RequestState> {
  let current = state;
  for (let attempt = 0; attempt < 5; attempt++) {
    const next = await deps.log.append(current, event);
    if (next !== 'conflict') return next;
    current = (await deps.log.read(state.requestId))!;
  }
  throw new CdpError('The request log stayed contended');
}

/** Art. 12(3): extends the deadline once, by one or two months, with the reason the subject is told. */
export async function extendRequest(deps: RequestDeps, requestId: string, months: 1 | 2, reason: string): Promise<RequestState> {
  const state = await deps.log.read(requestId);
  if (!state) throw new InvalidRequestError('No such request');
  return record(deps, state, { type: 'extended', at: deps.now().toISOString(), months, reason });
}

