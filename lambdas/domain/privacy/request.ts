/**
 * A data-subject request (GDPR Art. 15-21) and its lifecycle: an append-only log of events folded into the request's
 * state by a pure reducer. Illegal transitions are refused, so the log is always a history that could have happened.
 * No personal data: the subject is known by salted hashes of its identifiers.
 */

export const REQUEST_TYPES = ['access', 'erasure', 'rectification', 'restriction'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export type RequestStatus = 'received' | 'in_progress' | 'completed' | 'failed' | 'rejected';

/** What a completed request did: counts and object keys, never personal data. */
export type Evidence = Readonly<Record<string, unknown>>;

export type RequestEvent =
  | {
      readonly type: 'received';
      readonly at: string;
      readonly requestType: RequestType;
      /** Salted hashes of the identifiers the subject was named by (`email`, `phone`, `profile`, ...). */
      readonly subject: readonly { readonly kind: string; readonly hash: string }[];
      readonly reference?: string;
      readonly requester: string;
      /** `api`, `cli`, or `webhook:<source>`. */
      readonly origin: string;
      /** `subject` (one person) or `source` (everything received from one source: Shopify's shop/redact). */
      readonly scope: 'subject' | 'source';
      readonly scopeSource?: string;
    }
  | { readonly type: 'extended'; readonly at: string; readonly months: 1 | 2; readonly reason: string }
  | { readonly type: 'started'; readonly at: string }
  /** Where the subject's data was found, recorded before anything is removed (a retry resumes from it). */
  | { readonly type: 'located'; readonly at: string; readonly profileIds: readonly string[]; readonly objects: readonly LocatedObject[] }
  | { readonly type: 'completed'; readonly at: string; readonly evidence: Evidence }
  | { readonly type: 'failed'; readonly at: string; readonly reason: string }
  | { readonly type: 'rejected'; readonly at: string; readonly reason: string };

export interface LocatedObject {
  readonly bucket: 'landing' | 'raw' | 'exports' | 'lake';
  readonly key: string;
  /** Rows of the subject (files), or undefined when the whole object is the subject's (a webhook body, a bundle). */
  readonly lines?: readonly number[];
  /** Imports that read the object (their reports are dropped, so the original file can be imported again). */
  readonly importIds?: readonly string[];
}

export interface RequestState {
  readonly requestId: string;
  readonly requestType: RequestType;
  readonly status: RequestStatus;
  readonly scope: 'subject' | 'source';
  readonly scopeSource?: string;
  readonly subject: readonly { readonly kind: string; readonly hash: string }[];
  readonly reference?: string;
  readonly requester: string;
  readonly origin: string;
  readonly receivedAt: string;
  /** Art. 12(3): one month from receipt, extended by up to two further months with a reason. */
  readonly deadline: string;
  readonly extension?: { readonly months: 1 | 2; readonly reason: string; readonly at: string };
  readonly attempts: number;
  /** When the current attempt started (a worker holds the request until its lease runs out). */
  readonly startedAt?: string;
  readonly located?: { readonly profileIds: readonly string[]; readonly objects: readonly LocatedObject[] };
  readonly completedAt?: string;
  readonly evidence?: Evidence;
  readonly failure?: string;
  readonly rejection?: string;
  readonly events: number;
}

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: RequestStatus | 'none',
    readonly event: RequestEvent['type'],
  ) {
    super(`A ${event} event is not allowed when the request is ${from}`);
    this.name = 'IllegalTransitionError';
  }
}

/** The same calendar day `months` later (the last day of the month when it has no such day), in UTC. */
export function addMonths(iso: string, months: number): string {
  const d = new Date(iso);
  const day = d.getUTCDate();
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target.toISOString();
}

const OPEN: readonly RequestStatus[] = ['received', 'in_progress', 'failed'];

/** One event applied to the state; throws IllegalTransitionError when the event cannot happen now. */
export function applyEvent(state: RequestState | undefined, event: RequestEvent, requestId: string): RequestState {
  if (!state) {
    if (event.type !== 'received') throw new IllegalTransitionError('none', event.type);
    return {
      requestId,
      requestType: event.requestType,
      status: 'received',
      scope: event.scope,
      ...(event.scopeSource ? { scopeSource: event.scopeSource } : {}),
      subject: event.subject,
      ...(event.reference ? { reference: event.reference } : {}),
      requester: event.requester,
      origin: event.origin,
      receivedAt: event.at,
      deadline: addMonths(event.at, 1),
      attempts: 0,
      events: 1,
    };
  }
  const next = { ...state, events: state.events + 1 };
  const illegal = () => new IllegalTransitionError(state.status, event.type);
  switch (event.type) {
    case 'received':
      throw illegal();
    case 'extended':
      // Art. 12(3): once, by at most two months, before the deadline, with the reason given to the subject.
      if (!OPEN.includes(state.status) || state.extension || event.at > state.deadline || event.reason.trim() === '') throw illegal();
      return { ...next, extension: { months: event.months, reason: event.reason, at: event.at }, deadline: addMonths(state.deadline, event.months) };
    case 'started':
      if (state.status !== 'received' && state.status !== 'failed' && state.status !== 'in_progress') throw illegal();
      return { ...next, status: 'in_progress', attempts: state.attempts + 1, startedAt: event.at };
    case 'located':
      if (state.status !== 'in_progress') throw illegal();
      return { ...next, located: { profileIds: event.profileIds, objects: event.objects } };
    case 'completed':
      if (state.status !== 'in_progress') throw illegal();
      return { ...next, status: 'completed', completedAt: event.at, evidence: event.evidence };
    case 'failed':
      if (state.status !== 'in_progress') throw illegal();
      return { ...next, status: 'failed', failure: event.reason };
    case 'rejected':
      if (state.status !== 'in_progress' && state.status !== 'received') throw illegal();
      return { ...next, status: 'rejected', rejection: event.reason, completedAt: event.at };
  }
}

/** The request as its log says it is. */
export function foldRequest(requestId: string, events: readonly RequestEvent[]): RequestState | undefined {
  let state: RequestState | undefined;
  for (const e of events) state = applyEvent(state, e, requestId);
  return state;
}

export const isOpen = (s: RequestState): boolean => OPEN.includes(s.status);

/**
 * Whether a worker may take the request now: it is open, and not in progress under another worker's lease (a
 * duplicate work order is skipped; an attempt whose worker died is resumed once its lease has run out).
 */
export function mayStart(s: RequestState, now: Date, leaseMs: number): boolean {
  if (!isOpen(s)) return false;
  if (s.status !== 'in_progress' || !s.startedAt) return true;
  return new Date(s.startedAt).getTime() + leaseMs <= now.getTime();
}
export const isOverdue = (s: RequestState, now: Date): boolean => isOpen(s) && s.deadline < now.toISOString();

/** `cdp dsr list`: overdue first, then by deadline, then by receipt. */
export function listOrder(now: Date): (a: RequestState, b: RequestState) => number {
  return (a, b) =>
    Number(isOverdue(b, now)) - Number(isOverdue(a, now)) ||
    Number(isOpen(b)) - Number(isOpen(a)) ||
    (a.deadline < b.deadline ? -1 : a.deadline > b.deadline ? 1 : 0) ||
    (a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : 0);
}
