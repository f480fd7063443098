import { describe, expect, it } from 'vitest';
import { DEFAULT_IDENTITY_CONFIG, parseIdentityConfig } from '../../lambdas/domain/identity-config.ts';
import { DEFAULT_LEAD_SCORE_RULES, leadScore, type LeadScoreRule } from '../../lambdas/domain/lead-score.ts';
import { emptyProfile, type ProfileState } from '../../lambdas/domain/profile.ts';

const AS_OF = '2026-06-30T12:00:00.000Z';

const profile = (over: Partial<ProfileState> = {}): ProfileState => ({
  ...emptyProfile('p1', '2026-01-10T09:00:00.000Z'),
  lastSeenAt: '2026-06-01T09:00:00.000Z',
  ...over,
});

const consent = (granted: boolean) => ({ granted, at: '2026-01-10T09:00:00.000Z', source: 'webform', r: 'r1' });

/** A customer with e-mail and phone, a marketing consent, 4 orders worth 2,345.60, 9 records, from a Google ad. */
const customer = profile({
  identifiers: ['email:giulia@example.it', 'phone:+393331234567'],
  consents: { marketing_email: consent(true), profiling: consent(false) },
  orders: { count: 4, revenue: 2345.6, firstAt: '2026-02-01T00:00:00.000Z', lastAt: '2026-05-01T00:00:00.000Z' },
  recordCount: 9,
  sources: ['shopify', 'webform'],
  lead: { source: 'Google', medium: 'cpc', campaign: 'saldi-estivi', at: '2026-01-10T09:00:00.000Z', r: 'r1' },
  attributes: { companyName: 'Ferri S.r.l.' },
});

const score = (rules: LeadScoreRule[], state: ProfileState = customer) => leadScore(state, rules, AS_OF);

describe('lead score', () => {
  it('scores by the default rules when none are configured', () => {
    expect(DEFAULT_IDENTITY_CONFIG.leadScore.rules).toEqual(DEFAULT_LEAD_SCORE_RULES);
    // e-mail 15, phone 10, a consent 15, orders 30 (capped), revenue 15 (capped), touches 15 (capped): 100.
    expect(leadScore(customer, DEFAULT_LEAD_SCORE_RULES, AS_OF)).toBe(100);
    // A bare lead: e-mail only.
    expect(leadScore(profile({ identifiers: ['email:a@b.it'] }), DEFAULT_LEAD_SCORE_RULES, AS_OF)).toBe(15);
  });

  it('counts orders, revenue and touches per occurrence, up to their max', () => {
    expect(score([{ when: 'orders', points: 7 }])).toBe(28);
    expect(score([{ when: 'orders', points: 7, max: 20 }])).toBe(20);
    // 2,345.60 holds 4 whole 500s.
    expect(score([{ when: 'revenue', every: 500, points: 5 }])).toBe(20);
    // 9 records: 8 touches after the first.
    expect(score([{ when: 'touches', points: 2 }])).toBe(16);
    expect(score([{ when: 'touches', points: 2 }], profile())).toBe(0);
  });

  it('reads identifiers, consents by purpose, sources, the lead source and attributes', () => {
    expect(score([{ when: 'identifier', type: 'phone', points: 20 }])).toBe(20);
    expect(score([{ when: 'identifier', type: 'taxCode', points: 20 }])).toBe(0);
    expect(score([{ when: 'consent', purpose: 'marketing_email', granted: true, points: 30 }])).toBe(30);
    expect(score([{ when: 'consent', purpose: 'newsletter', granted: true, points: 30 }])).toBe(0);
    expect(score([{ when: 'source', equals: 'webform', points: 10 }])).toBe(10);
    expect(score([{ when: 'source', equals: 'erp', points: 10 }])).toBe(0);
    // Any case: UTM values are typed by hand.
    expect(score([{ when: 'lead', field: 'source', equals: 'google', points: 12 }])).toBe(12);
    expect(score([{ when: 'lead', field: 'medium', equals: 'email', points: 12 }])).toBe(0);
    expect(score([{ when: 'attribute', field: 'companyName', points: 8 }])).toBe(8);
    expect(score([{ when: 'attribute', field: 'companyVatNumber', points: 8 }])).toBe(0);
  });

  it('takes points away, and keeps the sum within 0-100', () => {
    // A refused profiling consent.
    expect(score([{ when: 'orders', points: 10 }, { when: 'consent', purpose: 'profiling', granted: false, points: -25 }])).toBe(15);
    expect(score([{ when: 'consent', granted: false, points: -25 }])).toBe(0);
    expect(score([{ when: 'orders', points: 40 }])).toBe(100);
    // A negative counted rule is capped by its max too.
    // 160 orders' points less 30 (8 touches at -10, capped at 30) is still past 100.
    expect(score([{ when: 'orders', points: 40 }, { when: 'touches', points: -10, max: 30 }])).toBe(100);
    expect(score([{ when: 'identifier', type: 'email', points: 50 }, { when: 'touches', points: -10, max: 30 }])).toBe(20);
  });

  it('scores a recent profile by the time it is read, not when it was written', () => {
    const rule: LeadScoreRule[] = [{ when: 'recent', days: 30, points: 25 }];
    expect(leadScore(customer, rule, '2026-06-30T12:00:00.000Z')).toBe(25);
    expect(leadScore(customer, rule, '2026-07-01T09:00:00.000Z')).toBe(25);
    expect(leadScore(customer, rule, '2026-07-01T09:00:01.000Z')).toBe(0);
    // The lake's snapshot date is a day.
    expect(leadScore(customer, rule, '2026-06-15')).toBe(25);
  });

  it('refuses a rule it cannot read, naming where it is', () => {
    const bad = (rules: unknown[]) => () => parseIdentityConfig({ leadScore: { rules } });
    expect(bad([{ when: 'birthday', points: 5 }])).toThrow(/leadScore/);
    expect(bad([{ when: 'orders' }])).toThrow(/points/);
    expect(bad([{ when: 'revenue', every: 0, points: 1 }])).toThrow(/every/);
    expect(bad([{ when: 'recent', days: 1.5, points: 1 }])).toThrow(/days/);
    expect(bad([{ when: 'identifier', type: 'fax', points: 1 }])).toThrow(/type/);
    expect(bad([{ when: 'source', equals: 'erp', points: 1, weight: 2 }])).toThrow(/weight/);
    // A configuration that names rules replaces the defaults.
    expect(parseIdentityConfig({ leadScore: { rules: [{ when: 'orders', points: 5 }] } }).leadScore.rules).toEqual([{ when: 'orders', points: 5 }]);
    // A consent rule grants by default.
    expect(parseIdentityConfig({ leadScore: { rules: [{ when: 'consent', points: 5 }] } }).leadScore.rules).toEqual([{ when: 'consent', granted: true, points: 5 }]);
  });
});
