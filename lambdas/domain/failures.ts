import { stableHash } from './hash.ts';

/**
 * Why a queue message failed, as `cdp dlq list` shows it: the error's name and its message with every value masked
 * (messages from SDKs and parsers may quote keys, addresses or numbers), the function and the receive count.
 */
export interface FailureNote {
  readonly error: string;
  readonly detail: string;
  readonly fn: string;
  readonly receiveCount: number;
  readonly at: string;
}

const DETAIL_MAX = 160;

/** The error's name and a masked, shortened message: no e-mail, quoted value, long number or long token survives. */
export function describeFailure(e: unknown): { error: string; detail: string } {
  const error = e instanceof Error ? (e.name === 'Error' ? e.constructor.name : e.name) : typeof e;
  const message = e instanceof Error ? e.message : '';
  const detail = message
    .replace(/[^\s@'"]+@[^\s@'"]+/g, '<email>')
    .replace(/(["'`])(?:(?!\1).){0,500}\1/g, '<value>')
    .replace(/\+?\d[\d .-]{4,}\d/g, '<number>')
    .replace(/[A-Za-z0-9_\-+/=]{25,}/g, '<token>')
    .replace(/\s+/g, ' ')
    .trim();
  return { error: error.slice(0, 80), detail: detail.length > DETAIL_MAX ? `${detail.slice(0, DETAIL_MAX - 1)}…` : detail };
}

/**
 * A message's key in the failure log: a hash of its body. The body is the same in the queue and in its dead-letter
 * queue (message ids are not kept by every SQS implementation), and identical bodies fail for the same reason.
 */
export const messageKey = (body: string): string => stableHash('queue-message', body);
