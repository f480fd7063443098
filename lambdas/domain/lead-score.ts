import * as z from 'zod/mini';
import type { ProfileState } from './profile.ts';

/**
 * The rule-based lead score (0-100) of a profile, from the facts it holds (pure). A business lists its rules under
 * `leadScore` in `config/identity.json`; each adds its points when its signal holds, per occurrence where it counts
 * (orders, revenue, touches) up to its `max`; points may be negative (a withdrawn consent); the sum is rounded and kept
 * within 0-100.
 */

const points = z.number();
/** The most a counted rule adds (or, with negative points, takes away). */
const max = z.optional(z.number().check(z.nonnegative()));

export const leadScoreRuleSchema = z.discriminatedUnion('when', [
  /** The profile holds an identifier of this type (an e-mail, a phone: someone to reach). */
  z.strictObject({ when: z.literal('identifier'), type: z.enum(['email', 'phone', 'taxCode', 'externalId', 'loyaltyCard', 'vatNumber']), points }),
  /** A consent granted (or, with `granted: false`, refused or withdrawn) for the purpose, or for any purpose. */
  z.strictObject({ when: z.literal('consent'), purpose: z.optional(z.string()), granted: z._default(z.boolean(), true), points }),
  /** Per order that is a sale. */
  z.strictObject({ when: z.literal('orders'), points, max }),
  /** Per whole `every` of revenue (in the orders' currency). */
  z.strictObject({ when: z.literal('revenue'), every: z.number().check(z.positive()), points, max }),
  /** Per record after the first: each further touch (a form, an order, an export's row). */
  z.strictObject({ when: z.literal('touches'), points, max }),
  /** A record of the profile came from this source (`webform`, `shopify`). */
  z.strictObject({ when: z.literal('source'), equals: z.string(), points }),
  /** The lead source's (first touch) `source`, `medium` or `campaign` is this value (any case). */
  z.strictObject({ when: z.literal('lead'), field: z._default(z.enum(['source', 'medium', 'campaign']), 'source'), equals: z.string(), points }),
  /** The profile has a value for this attribute (`companyName`: a business customer). */
  z.strictObject({ when: z.literal('attribute'), field: z.string(), points }),
  /** The profile's last record is at most this many days old. */
  z.strictObject({ when: z.literal('recent'), days: z.int().check(z.positive()), points }),
]);

export type LeadScoreRule = z.infer<typeof leadScoreRuleSchema>;

/**
 * The rules when none are configured: reachable by e-mail 15 and by phone 10, a consent 15, 10 an order up to 30, 1 per
 * 100 of revenue up to 15, 3 a further touch up to 15.
 */
export const DEFAULT_LEAD_SCORE_RULES: readonly LeadScoreRule[] = [
  { when: 'identifier', type: 'email', points: 15 },
  { when: 'identifier', type: 'phone', points: 10 },
  { when: 'consent', granted: true, points: 15 },
  { when: 'orders', points: 10, max: 30 },
  { when: 'revenue', every: 100, points: 1, max: 15 },
  { when: 'touches', points: 3, max: 15 },
];

export const leadScoreSchema = z.strictObject({ rules: z.array(leadScoreRuleSchema) });

/** The rules a score follows: `leadScore` of the identity config. */
export interface LeadScoring {
  readonly rules: readonly LeadScoreRule[];
}

const DAY_MS = 86_400_000;

/** What one rule adds. */
function pointsOf(rule: LeadScoreRule, state: ProfileState, asOf: string): number {
  const counted = (n: number, cap: number | undefined) => {
    const raw = rule.points * Math.max(0, n);
    return cap === undefined ? raw : Math.sign(raw) * Math.min(Math.abs(raw), cap);
  };
  const once = (holds: boolean) => (holds ? rule.points : 0);
  switch (rule.when) {
    case 'identifier':
      return once(state.identifiers.some((k) => k.startsWith(`${rule.type}:`)));
    case 'consent':
      return once(Object.entries(state.consents).some(([purpose, c]) => (rule.purpose === undefined || purpose === rule.purpose) && c.granted === rule.granted));
    case 'orders':
      return counted(state.orders.count, rule.max);
    case 'revenue':
      return counted(Math.floor(state.orders.revenue / rule.every), rule.max);
    case 'touches':
      return counted(state.recordCount - 1, rule.max);
    case 'source':
      return once(state.sources.includes(rule.equals));
    case 'lead': {
      const value = state.lead?.[rule.field];
      return once(value !== undefined && value.toLowerCase() === rule.equals.toLowerCase());
    }
    case 'attribute':
      return once(Boolean(state.attributes[rule.field]));
    case 'recent':
      return once(Date.parse(asOf) - Date.parse(state.lastSeenAt) <= rule.days * DAY_MS);
  }
}

/** The profile's lead score under the rules, as of a time (for `recent`). */
export function leadScore(state: ProfileState, rules: readonly LeadScoreRule[], asOf: string): number {
  const sum = rules.reduce((s, rule) => s + pointsOf(rule, state, asOf), 0);
  return Math.max(0, Math.min(100, Math.round(sum)));
}
