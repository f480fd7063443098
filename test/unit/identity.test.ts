import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CanonicalRecord, Identifier } from '../../lambdas/domain/canonical.ts';
import { identifierKey } from '../../lambdas/domain/canonical.ts';
import { codiceFiscaleCheck } from '../../lambdas/domain/italy.ts';
import { VOID_STATUSES_SQL } from '../../lambdas/domain/kpi/definitions.ts';
import { blockedReason, DEFAULT_IDENTITY_CONFIG, isPlaceholderKey, parseIdentityConfig } from '../../lambdas/domain/identity-config.ts';
import { applyRecord, emptyProfile, isSale, lifecycleOf, mergeStates, ordersOf, orderTotals, orderVersion, personKeyOfProfile } from '../../lambdas/domain/profile.ts';
import { conflict, type IdentifierView, newProfileIdFor, personKeyOf, planResolution } from '../../lambdas/domain/resolution.ts';
import { sameGivenName } from '../../lambdas/domain/nicknames.ts';
import { compatibleBirthDates, compatibleFirstNames, jaroWinkler } from '../../lambdas/domain/similarity.ts';

const config = DEFAULT_IDENTITY_CONFIG;
let n = 0;
const rec = (over: Partial<CanonicalRecord> = {}): CanonicalRecord => ({
  recordId: `r${++n}`,
  source: 'erp',
  channel: 'file',
  kind: 'contact',
  occurredAt: '2026-01-01T00:00:00.000Z',
  receivedAt: '2026-12-01T00:00:00.000Z',
  lineage: { objectKey: 'imports/erp/a.csv', recordKey: String(n) },
  identifiers: [],
  ...over,
});
const key = (p: { firstNames?: string[]; lastNames?: string[]; birthDates?: string[]; taxCodes?: string[] }) => ({
  firstNames: p.firstNames ?? [],
  lastNames: p.lastNames ?? [],
  birthDates: p.birthDates ?? [],
  taxCodes: p.taxCodes ?? [],
});
const view = (identifier: Identifier, owners: { profileId: string; person: ReturnType<typeof key> }[] = []): IdentifierView => ({
  identifier,
  key: identifierKey(identifier),
  owners,
});

describe('similarity', () => {
  it('scores Jaro-Winkler like the reference examples', () => {
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.961, 3);
    expect(jaroWinkler('dwayne', 'duane')).toBeCloseTo(0.84, 2);
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
  });
  it('treats initials, second names and near spellings as one first name', () => {
    expect(compatibleFirstNames('M.', 'Mario')).toBe(true);
    expect(compatibleFirstNames('Anna', 'Anna Maria')).toBe(true);
    expect(compatibleFirstNames('Nicolo', 'Niccolò')).toBe(true);
    expect(compatibleFirstNames('Anna', 'Marco')).toBe(false);
  });
  it('keeps brothers and sisters apart (Mario/Maria, Giulio/Giulia)', () => {
    expect(compatibleFirstNames('Mario', 'Maria')).toBe(false);
    expect(compatibleFirstNames('Giulio', 'Giulia')).toBe(false);
    expect(compatibleFirstNames('Daniele', 'Daniela')).toBe(false);
  });
  it('reads a birth date one digit off, or with day and month swapped, as a typo', () => {
    expect(compatibleBirthDates('1971-06-24', '1971-05-24')).toBe(true);
    expect(compatibleBirthDates('1980-03-04', '1980-04-03')).toBe(true);
    expect(compatibleBirthDates('1980-01-01', '1981-01-01')).toBe(true);
    expect(compatibleBirthDates('1980-01-01', '1990-02-01')).toBe(false);
    expect(compatibleBirthDates('1980-01-01', '1980-01-25')).toBe(false);
  });
});

describe('guards', () => {
  it.each([
    ['email', 'info@rossi.it', 'email.role'],
    ['email', 'noreply@shop.it', 'email.role'],
    // An Italian firm's offices, and a role written with separators.
    ['email', 'commerciale@ditta.it', 'email.role'],
    ['email', 'prenotazioni@hotel.it', 'email.role'],
    ['email', 'no.reply@shop.it', 'email.role'],
    ['email', 'servizio.clienti@ditta.it', 'email.role'],
    ['email', 'servizioclienti@ditta.it', 'email.role'],
    ['email', 'customer_care@shop.com', 'email.role'],
    ['email', 'test@test.com', 'identifier.placeholder'],
    ['email', 'no@no.it', 'identifier.placeholder'],
    ['email', 'n.d@nd.it', 'identifier.placeholder'],
    ['email', 'nessuno@gmail.com', 'identifier.placeholder'],
    ['email', 'asdf@asdf.it', 'identifier.placeholder'],
    ['phone', '+390000000000', 'identifier.placeholder'],
    ['phone', '+391234567890', 'identifier.placeholder'],
    // A real prefix, then one digit over and over.
    ['phone', '+393330000000', 'identifier.placeholder'],
    ['phone', '+393471111111', 'identifier.placeholder'],
    ['phone', '+390200000000', 'identifier.placeholder'],
    ['phone', '+39060000000', 'identifier.placeholder'],
    ['vatNumber', '01234567897', 'identifier.notLinking'],
  ])('never links %s %s (%s)', (type, value, reason) => {
    expect(blockedReason(type as never, value, config)).toBe(reason);
  });
  it('links personal addresses and real numbers', () => {
    expect(blockedReason('email', 'mario.rossi@libero.it', config)).toBeUndefined();
    expect(blockedReason('email', 'team.rossi@libero.it', config)).toBeUndefined();
    expect(blockedReason('phone', '+393331234567', config)).toBeUndefined();
    expect(blockedReason('phone', '+33612345678', config)).toBeUndefined();
    expect(blockedReason('phone', '+390212345678', config)).toBeUndefined();
    // A round number a business chose (`02 4000 0005`, `333 3000000`) is a number.
    expect(blockedReason('phone', '+390240000005', config)).toBeUndefined();
    expect(blockedReason('phone', '+393333000000', config)).toBeUndefined();
  });
  it('knows a placeholder from a role address by its key (erasure suppresses the one, never the other)', () => {
    expect(isPlaceholderKey('email:nessuna@email.it', config)).toBe(true);
    expect(isPlaceholderKey('phone:+390000000000', config)).toBe(true);
    expect(isPlaceholderKey('email:info@contifoto.it', config)).toBe(false);
    expect(isPlaceholderKey('email:mario.rossi@libero.it', config)).toBe(false);
    expect(isPlaceholderKey('externalId:erp:C1', config)).toBe(false);
  });
  it('tells apart people who share an e-mail or a phone', () => {
    expect(conflict(key({ firstNames: ['Anna'], lastNames: ['Rossi'] }), key({ firstNames: ['Marco'], lastNames: ['Rossi'] }))).toBe('conflict.firstName');
    expect(conflict(key({ birthDates: ['1980-01-01'] }), key({ birthDates: ['1975-06-12'] }))).toBe('conflict.birthDate');
    expect(conflict(key({ taxCodes: ['A'] }), key({ taxCodes: ['B'] }))).toBe('conflict.taxCode');
    expect(conflict(key({ firstNames: ['Mario'], lastNames: ['Rossi'] }), key({ firstNames: ['Rossi'], lastNames: ['Mario'] }))).toBeUndefined();
    expect(conflict(key({ firstNames: ['Mario'] }), key({ lastNames: ['Rossi'] }))).toBeUndefined();
    // Behind one account (a customer id, a tax code) only the birth dates may disagree.
    expect(conflict(key({ birthDates: ['1980-01-01'] }), key({ birthDates: ['1975-06-12'] }), true)).toBeUndefined();
    expect(conflict(key({ firstNames: ['Anna'] }), key({ firstNames: ['Marco'] }), true)).toBe('conflict.firstName');
    expect(conflict(key({ taxCodes: ['A'] }), key({ taxCodes: ['B'] }), true)).toBe('conflict.taxCode');
  });

  it('takes a short form for the name it stands for, in English and Italian', () => {
    for (const [a, b] of [['Bill', 'William'], ['Peggy', 'Margaret'], ['Beppe', 'Giuseppe'], ['Gigi', 'Luigi'], ['Nino', 'Antonio'], ['Nino', 'Giovanni'], ['Anna Maria', 'Annie']]) {
      expect(compatibleFirstNames(a!, b!)).toBe(true);
    }
    // A short form of two names does not make those names one.
    expect(sameGivenName('giovanni', 'antonio')).toBe(false);
    expect(compatibleFirstNames('Giovanni', 'Antonio')).toBe(false);
  });
});

describe('planResolution', () => {
  const email = { type: 'email', value: 'casa@rossi.it' } as const;
  const phone = { type: 'phone', value: '+393331234567' } as const;

  it('creates a profile from the record when nobody owns its identifiers, and claims them all', () => {
    const r = rec({ identifiers: [email, phone] });
    expect(planResolution(r, [view(email), view(phone)], config)).toEqual({
      target: newProfileIdFor(r),
      isNew: true,
      merge: [],
      claim: ['email:casa@rossi.it', 'phone:+393331234567'],
      blocked: [],
    });
  });

  it('joins the household member whose name matches, and records the blocked link to the other', () => {
    const anna = { profileId: 'p_b', person: key({ firstNames: ['Anna'], lastNames: ['Rossi'] }) };
    const marco = { profileId: 'p_a', person: key({ firstNames: ['Marco'], lastNames: ['Rossi'] }) };
    const r = rec({ identifiers: [email], person: { firstName: 'Anna', lastName: 'Rossi' } });
    const plan = planResolution(r, [view(email, [marco, anna])], config);
    expect(plan).toMatchObject({ target: 'p_b', isNew: false, merge: [], claim: [] });
    expect(plan.blocked).toEqual([{ key: 'email:casa@rossi.it', reason: 'conflict.firstName', profileId: 'p_a' }]);
  });

  it('merges the profiles a record proves to be one person into the oldest id', () => {
    const a = { profileId: 'p_a', person: key({ firstNames: ['Mario'] }) };
    const b = { profileId: 'p_b', person: key({ firstNames: ['Mario'] }) };
    const r = rec({ identifiers: [email, phone], person: { firstName: 'Mario' } });
    expect(planResolution(r, [view(email, [b]), view(phone, [a])], config)).toMatchObject({ target: 'p_a', merge: ['p_b'], claim: ['email:casa@rossi.it'] });
  });

  it('does not let one value join more people than allowed', () => {
    const owners = ['p_1', 'p_2', 'p_3'].map((profileId, i) => ({ profileId, person: key({ firstNames: [['Ada', 'Bea', 'Cloe'][i]!] }) }));
    const r = rec({ identifiers: [email], person: { firstName: 'Dora' } });
    const plan = planResolution(r, [view(email, owners)], config);
    expect(plan.isNew).toBe(true);
    expect(plan.claim).toEqual([]);
    expect(plan.blocked.map((b) => b.reason)).toContain('identifier.tooManyPeople');
  });

  it('joins one customer id or tax code whatever its birth dates say, but not one e-mail', () => {
    const account = { type: 'externalId', namespace: 'shop', value: '1042' } as const;
    const owner = { profileId: 'p_a', person: key({ firstNames: ['Mario'], lastNames: ['Rossi'], birthDates: ['1971-06-24'] }) };
    const person = { firstName: 'Mario', lastName: 'Rossi', birthDate: '1977-11-02' };
    // One account is one customer: the shop has a date mistyped, not a second Mario.
    expect(planResolution(rec({ identifiers: [account], person }), [view(account, [owner])], config)).toMatchObject({ target: 'p_a', merge: [], blocked: [] });
    // A family e-mail is not an account: the dates keep the two apart.
    expect(planResolution(rec({ identifiers: [email], person }), [view(email, [owner])], config).blocked).toEqual([{ key: 'email:casa@rossi.it', reason: 'conflict.birthDate', profileId: 'p_a' }]);
    // Names still tell apart the contacts a company keeps under one customer code.
    expect(planResolution(rec({ identifiers: [account], person: { ...person, firstName: 'Luca' } }), [view(account, [owner])], config).isNew).toBe(true);
  });

  it('never links a role address', () => {
    const info = { type: 'email', value: 'info@rossi.it' } as const;
    const plan = planResolution(rec({ identifiers: [info] }), [view(info, [{ profileId: 'p_x', person: key({}) }])], config);
    expect(plan).toMatchObject({ isNew: true, claim: [], blocked: [{ key: 'email:info@rossi.it', reason: 'email.role' }] });
  });
});

describe('profile state', () => {
  const arb = fc.array(
    fc.record({
      source: fc.constantFrom('erp', 'shop', 'newsletter'),
      day: fc.integer({ min: 1, max: 28 }),
      firstName: fc.constantFrom('Mario', 'M.', 'Mario Luigi'),
      city: fc.option(fc.constantFrom('Milano', 'Roma'), { nil: undefined }),
      consent: fc.option(fc.boolean(), { nil: undefined }),
      // A file's decision without its own date (it ranks apart: see supersedes).
      undated: fc.boolean(),
      utm: fc.option(fc.constantFrom('google', 'facebook'), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 12 },
  );
  const build = (xs: { source: string; day: number; firstName: string; city?: string; consent?: boolean; undated: boolean; utm?: string }[]) =>
    xs.map((x, i) =>
      rec({
        recordId: `r-${i}`,
        source: x.source,
        occurredAt: `2026-01-${String(x.day).padStart(2, '0')}T00:00:00.000Z`,
        identifiers: [{ type: 'email', value: 'm@example.it' }],
        person: { firstName: x.firstName },
        ...(x.city ? { address: { city: x.city } } : {}),
        ...(x.consent !== undefined ? { consents: [{ purpose: 'marketing_email', granted: x.consent, at: `2026-01-${String(x.day).padStart(2, '0')}T00:00:00.000Z`, ...(x.undated ? { undated: true as const } : {}) }] } : {}),
        ...(x.utm ? { lead: { source: x.utm } } : {}),
      }),
    );
  const fold = (records: CanonicalRecord[]) =>
    records.reduce((s, r) => applyRecord(s, r, r.identifiers.map(identifierKey), { ...config, sourcePriority: ['erp'] }), emptyProfile('p', records[0]!.occurredAt));

  it('ends in the same state whatever order the records arrive in (property)', () => {
    fc.assert(
      fc.property(arb, fc.integer(), (xs, seed) => {
        const records = build(xs);
        const shuffled = [...records].sort((a, b) => ((a.recordId.charCodeAt(2) * 31 + seed) % 7) - ((b.recordId.charCodeAt(2) * 31 + seed) % 7) || a.recordId.localeCompare(b.recordId));
        expect(fold(shuffled)).toEqual(fold(records));
      }),
      { numRuns: 500 },
    );
  });

  it('merging two halves equals folding all records (property)', () => {
    fc.assert(
      fc.property(arb, fc.nat(), (xs, cut) => {
        const records = build(xs);
        const k = cut % records.length;
        const left = records.slice(0, k);
        const right = records.slice(k);
        if (left.length === 0) return;
        const all = fold(records);
        const merged = mergeStates(fold(left), { ...fold(right), profileId: 'q' }, { ...config, sourcePriority: ['erp'] }, all.orders);
        expect(merged).toEqual(all);
      }),
      { numRuns: 500 },
    );
  });

  it('survives the priority source first, then the most recent value; keeps every value with provenance', () => {
    const s = fold([
      rec({ recordId: 'a', source: 'shop', occurredAt: '2026-03-01T00:00:00.000Z', address: { city: 'Roma' } }),
      rec({ recordId: 'b', source: 'erp', occurredAt: '2026-01-01T00:00:00.000Z', address: { city: 'Milano' } }),
      rec({ recordId: 'c', source: 'newsletter', occurredAt: '2026-05-01T00:00:00.000Z', address: { city: 'Torino' } }),
    ]);
    expect(s.attributes.city).toBe('Milano');
    expect(s.values.city?.map((v) => [v.v, v.s])).toEqual([
      ['Milano', 'erp'],
      ['Torino', 'newsletter'],
      ['Roma', 'shop'],
    ]);
  });

  it('ranks a record dated after it reached the product as of its arrival: a later correction still wins', () => {
    // A salon's next appointment (the row's date) exported on 10 May, then a newsletter sign-up of 20 May.
    const ahead = rec({ recordId: 'appt', source: 'shop', occurredAt: '2026-09-15T10:00:00.000Z', receivedAt: '2026-05-10T08:00:00.000Z', address: { city: 'Roma' }, lead: { source: 'salone' } });
    const later = rec({ recordId: 'news', source: 'shop', occurredAt: '2026-05-20T08:00:00.000Z', receivedAt: '2026-05-20T08:00:00.000Z', address: { city: 'Milano' } });
    for (const order of [[ahead, later], [later, ahead]]) {
      const s = order.reduce((x, r) => applyRecord(x, r, [], { ...config, sourcePriority: [] }), emptyProfile('p', order[0]!.occurredAt));
      expect(s.attributes.city).toBe('Milano');
      expect(s.values.city?.find((v) => v.v === 'Roma')?.t).toBe('2026-05-10T08:00:00.000Z');
      expect([s.firstSeenAt, s.lastSeenAt]).toEqual(['2026-05-10T08:00:00.000Z', '2026-05-20T08:00:00.000Z']);
      expect(s.lead).toMatchObject({ source: 'salone', at: '2026-05-10T08:00:00.000Z' });
    }
  });

  it("survives a field by its own source priority where one is configured, the profile's elsewhere, in folds and merges alike", () => {
    const own = parseIdentityConfig({ sourcePriority: ['erp'], fieldSourcePriority: { firstName: ['newsletter', 'shop'], 'attr.size': ['shop'] } });
    const shop = rec({ recordId: 'a', source: 'shop', occurredAt: '2026-03-01T00:00:00.000Z', person: { firstName: 'Gianni' }, address: { city: 'Roma' }, attributes: { size: 'L' } });
    const erp = rec({ recordId: 'b', source: 'erp', occurredAt: '2026-01-01T00:00:00.000Z', person: { firstName: 'Giovanni' }, address: { city: 'Milano' }, attributes: { size: 'M' } });
    const letter = rec({ recordId: 'c', source: 'newsletter', occurredAt: '2026-02-01T00:00:00.000Z', person: { firstName: 'Giò' } });
    const apply = (s: ReturnType<typeof emptyProfile>, r: CanonicalRecord) => applyRecord(s, r, [], own);
    const s = [shop, erp, letter].reduce(apply, emptyProfile('p', shop.occurredAt));
    // The newsletter is the first name's best source, the shop the size's; the ERP still wins the city.
    expect(s.attributes).toMatchObject({ firstName: 'Giò', city: 'Milano', 'attr.size': 'L' });
    expect(s.values.firstName?.map((v) => v.s)).toEqual(['newsletter', 'shop', 'erp']);
    // The same by a merge of two profiles, whichever is the survivor.
    const left = [shop].reduce(apply, emptyProfile('p', shop.occurredAt));
    const right = [erp, letter].reduce(apply, emptyProfile('q', erp.occurredAt));
    for (const [a, b] of [[left, right], [right, left]] as const) {
      expect(mergeStates(a, b, own, { count: 0, revenue: 0 }).attributes).toEqual(s.attributes);
    }
    // Without the field's own list, the profile's priority decides the first name too.
    expect([shop, erp, letter].reduce((x, r) => applyRecord(x, r, [], { ...own, fieldSourcePriority: {} }), emptyProfile('p', shop.occurredAt)).attributes.firstName).toBe('Giovanni');
  });

  it('refuses a field source priority for a field no profile survives, naming it', () => {
    expect(() => parseIdentityConfig({ fieldSourcePriority: { colour: ['erp'] } })).toThrow(/fieldSourcePriority[\s\S]*colour|colour[\s\S]*fieldSourcePriority/);
    expect(() => parseIdentityConfig({ fieldSourcePriority: { city: 'erp' } })).toThrow();
  });

  it('keeps a withdrawal over a grant of the same moment, whichever record comes first or which profile holds it', () => {
    const at = '2026-05-01T00:00:00.000Z';
    const consent = (recordId: string, granted: boolean) =>
      rec({ recordId, identifiers: [{ type: 'email', value: 'm@example.it' }], consents: [{ purpose: 'marketing_email', granted, at }] });
    // The grant's record id sorts after the withdrawal's: before, the record id alone broke the tie, for the grant.
    const [no, yes] = [consent('r-a', false), consent('r-z', true)];
    expect(fold([no, yes]).consents.marketing_email).toMatchObject({ granted: false, r: 'r-a' });
    expect(fold([yes, no]).consents.marketing_email).toMatchObject({ granted: false, r: 'r-a' });
    const merged = mergeStates(fold([yes]), { ...fold([no]), profileId: 'q' }, config, { count: 0, revenue: 0 });
    expect(merged.consents.marketing_email).toMatchObject({ granted: false, r: 'r-a' });
    // A later grant still replaces a withdrawal.
    const later = rec({ recordId: 'r-0', identifiers: [{ type: 'email', value: 'm@example.it' }], consents: [{ purpose: 'marketing_email', granted: true, at: '2026-05-02T00:00:00.000Z' }] });
    expect(fold([no, yes, later]).consents.marketing_email).toMatchObject({ granted: true, r: 'r-0' });
  });

  it("keeps a withdrawal or a dated decision over a file's grant without its date, whatever the order and the import's date", () => {
    const m = [{ type: 'email' as const, value: 'm@example.it' }];
    const consent = (recordId: string, granted: boolean, at: string, undated?: true) =>
      rec({ recordId, identifiers: m, consents: [{ purpose: 'marketing_email', granted, at, ...(undated ? { undated } : {}) }] });
    // 10 May: she unsubscribes (the newsletter tool's webhook). 20 May: a shop export taken before that is uploaded and
    // says `Newsletter: Sì`, dated by its import. Before, the import's date made it the later word: she was subscribed again.
    const unsubscribed = consent('r-w', false, '2026-05-10T09:00:00.000Z');
    const staleExport = consent('r-g', true, '2026-05-20T08:00:00.000Z', true);
    // An export's own `No` (undated too) is a withdrawal as well, and a form's dated grant a decision.
    const exportNo = consent('r-n', false, '2026-05-01T08:00:00.000Z', true);
    const formYes = consent('r-f', true, '2026-04-01T08:00:00.000Z');
    const olderExportYes = consent('r-o', true, '2026-04-15T08:00:00.000Z', true);
    const permutations = <T,>(xs: T[]): T[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p])));
    for (const order of permutations([unsubscribed, staleExport, olderExportYes])) expect(fold(order).consents.marketing_email).toMatchObject({ granted: false, r: 'r-w' });
    for (const order of permutations([exportNo, staleExport])) expect(fold(order).consents.marketing_email).toMatchObject({ granted: false, r: 'r-n' });
    // A dated grant stands over an undated one, even an earlier one: it is the decision that can be shown.
    for (const order of permutations([formYes, staleExport])) expect(fold(order).consents.marketing_email).toMatchObject({ granted: true, r: 'r-f' });
    // Alone, grants without a date stand, the later import's the word shown; and one still counts for the lead score.
    for (const order of permutations([olderExportYes, staleExport])) expect(fold(order).consents.marketing_email).toMatchObject({ granted: true, undated: true, r: 'r-g' });
    // A later dated grant (she subscribes again on a form) replaces the withdrawal.
    const again = consent('r-a', true, '2026-05-25T00:00:00.000Z');
    for (const order of permutations([unsubscribed, staleExport, again])) expect(fold(order).consents.marketing_email).toMatchObject({ granted: true, r: 'r-a' });
    // Merging profiles decides as one profile does, whichever holds which.
    for (const [a, b] of [[staleExport, unsubscribed], [unsubscribed, staleExport]] as const) {
      const merged = mergeStates(fold([a]), { ...fold([b]), profileId: 'q' }, config, { count: 0, revenue: 0 });
      expect(merged.consents.marketing_email).toMatchObject({ granted: false, r: 'r-w' });
    }
  });

  it('takes the order totals the store recounts, and derives lifecycle and score', () => {
    let s = emptyProfile('p', '2026-01-01T00:00:00.000Z');
    const r1 = rec({ identifiers: [{ type: 'email', value: 'a@b.it' }], consents: [{ purpose: 'marketing_email', granted: true, at: '2026-01-01T00:00:00.000Z' }] });
    s = applyRecord(s, r1, ['email:a@b.it'], config, { count: 1, revenue: 120, firstAt: '2026-01-02T00:00:00.000Z', lastAt: '2026-01-02T00:00:00.000Z' });
    s = applyRecord(s, rec(), [], config, { count: 2, revenue: 200, firstAt: '2026-01-02T00:00:00.000Z', lastAt: '2026-02-02T00:00:00.000Z' });
    s = applyRecord(s, rec(), [], config);
    expect(s.orders).toEqual({ count: 2, revenue: 200, firstAt: '2026-01-02T00:00:00.000Z', lastAt: '2026-02-02T00:00:00.000Z' });
    expect(lifecycleOf(s, config.leadScore, '2026-03-01T00:00:00.000Z')).toEqual({ lifecycle: 'repeat', score: 15 + 15 + 20 + 2 + 6 });
  });

  it('counts only the orders that are a sale: cancelled, refunded, voided and failed ones (any case, Italian too) count toward nothing', () => {
    const at = (d: string) => `2026-0${d}-01T00:00:00.000Z`;
    const totals = orderTotals([
      { total: 100, status: 'paid', placedAt: at('3'), occurredAt: at('3') },
      { total: 999, status: 'refunded', placedAt: at('1'), occurredAt: at('1') },
      { total: 50, status: ' Annullato ', placedAt: at('9'), occurredAt: at('9') },
      { total: 20, status: 'voided', occurredAt: at('8') },
      { total: 35.5, status: 'partially_refunded', placedAt: at('4'), occurredAt: at('4') },
      { total: 10, occurredAt: at('2') },
    ]);
    expect(totals).toEqual({ count: 3, revenue: 145.5, firstAt: at('2'), lastAt: at('4') });
    expect(orderTotals([{ total: 80, status: 'cancelled', occurredAt: at('1') }])).toEqual({ count: 0, revenue: 0 });
    expect(['cancelled', 'canceled', 'refunded', 'voided', 'failed', 'annullato', 'rimborsato', 'stornato'].every((s) => !isSale(s))).toBe(true);
    // WooCommerce: a checkout left half-way and an order put in the bin were never sales; a return is a refund.
    expect(['trash', 'checkout-draft', 'returned', 'Reso', 'Errore di pagamento'].every((s) => !isSale(s))).toBe(true);
    // WooCommerce's order placed and never paid (an abandoned checkout stays so), and its Italian labels.
    expect(['pending payment', 'In attesa di pagamento', 'Cancellato', 'Fallito', 'Bozza'].every((s) => !isSale(s))).toBe(true);
    expect(['paid', 'pending', 'processing', 'on-hold', 'completed', 'evaso', 'In lavorazione', 'In sospeso', 'Completato', undefined].every((s) => isSale(s))).toBe(true);
  });

  it("counts PrestaShop's order awaiting its payment as no sale, as PrestaShop's statistics do, and as a sale once paid", () => {
    const at = (d: string) => `2026-0${d}-01T00:00:00.000Z`;
    const awaiting = [
      'Awaiting bank wire payment', 'Awaiting check payment', 'Awaiting Cash On Delivery validation', 'On backorder (not paid)',
      'In attesa di pagamento con bonifico bancario', 'In attesa di bonifico bancario', 'In attesa del pagamento con assegno',
      'In attesa di validazione contrassegno', 'In attesa di rifornimento (non pagato)', 'In attesa di pagamento con PayPal',
    ];
    for (const status of awaiting) expect([status, isSale(status)]).toEqual([status, false]);
    // Paid, whatever comes next: PrestaShop's other states are sales.
    const paid = ['Payment accepted', 'Pagamento accettato', 'Remote payment accepted', 'Pagamento remoto accettato', 'Preparazione in corso', 'Spedito', 'Consegnato', 'In attesa di rifornimento (pagato)', 'On backorder (paid)'];
    for (const status of paid) expect([status, isSale(status)]).toEqual([status, true]);
    // The same order counts once the wire arrives (its next version says so).
    const order = { source: 'prestashop', orderId: 'XKBKNABJK', total: 61.5 };
    const placed = { ...order, status: 'in attesa di bonifico bancario', placedAt: at('1'), occurredAt: at('1') };
    expect(orderTotals([placed])).toEqual({ count: 0, revenue: 0 });
    expect(orderTotals([{ ...placed, status: 'pagamento accettato', occurredAt: at('2') }])).toEqual({ count: 1, revenue: 61.5, firstAt: at('1'), lastAt: at('1') });
    // The SQL of the KPI tables leaves out the same states.
    expect(VOID_STATUSES_SQL).toContain("'in attesa di bonifico bancario'");
    expect(VOID_STATUSES_SQL).not.toContain("'on-hold'");
  });

  it("counts a credit note (a negative total) off the revenue, as no order: it makes nobody a customer, nor a repeat one", () => {
    const at = (d: string) => `2026-0${d}-01T00:00:00.000Z`;
    const invoice = { source: 'fatture', orderId: '1/2026', total: 1220, placedAt: at('1'), occurredAt: at('1') };
    const credit = { source: 'fatture', orderId: 'Nota di credito 1/2026', total: -122, placedAt: at('2'), occurredAt: at('2') };
    const totals = orderTotals([invoice, credit]);
    expect(totals).toEqual({ count: 1, revenue: 1098, firstAt: at('1'), lastAt: at('1') });
    expect(orderTotals([credit])).toEqual({ count: 0, revenue: -122 });
    const state = { ...emptyProfile('p1', at('1')), orders: totals };
    expect(lifecycleOf(state, config.leadScore, at('3')).lifecycle).toBe('customer');
    // A quote, a pro forma and a delivery note (an invoicing tool's documents that sell nothing) count toward nothing,
    // as a payment app's payouts, fees and adjustments do.
    expect(['preventivo', 'proforma', 'ddt', 'payout', 'fee', 'adjustment'].every((s) => !isSale(s))).toBe(true);
  });

  it("takes a refund off once when the payment app marks its sale refunded and lists the refund with the sale's id", () => {
    const at = (d: string) => `2026-0${d}-01T00:00:00.000Z`;
    const sale = (orderId: string, total: number, status: string) => ({ source: 'cassa', orderId, total, status, placedAt: at('1'), occurredAt: at('1') });
    const refund = (orderId: string, total: number) => ({ source: 'cassa', orderId, total, status: 'Completata', placedAt: at('2'), occurredAt: at('2') });
    const kept = sale('TX-1', 50, 'Pagato');
    const items = [kept, sale('TX-2', 40, 'Rimborsato'), refund('Rimborso TX-2', -40)];
    expect(orderTotals(items)).toEqual({ count: 1, revenue: 50, firstAt: at('1'), lastAt: at('1') });
    expect(orderTotals([...items].reverse())).toEqual(orderTotals(items));
    // The refund stays listed, counting toward nothing, as its sale.
    expect(ordersOf(items).find((o) => o.orderId === 'Rimborso TX-2')).toMatchObject({ total: -40, status: 'Rimborsato' });
    // In English, the sale's lines marked refunded as well.
    const lines = [{ source: 'cassa', orderId: 'ch_9', line: '1', total: 30, status: 'refunded', occurredAt: at('1') }, { ...refund('refund ch_9', -30) }];
    expect(orderTotals([kept, ...lines])).toMatchObject({ count: 1, revenue: 50 });
    // A sale still counted (partly refunded), a refund with an id of its own, another source's sale: a credit as before.
    expect(orderTotals([kept, sale('TX-3', 40, 'Parzialmente rimborsato'), refund('Rimborso TX-3', -10)]).revenue).toBe(80);
    expect(orderTotals([kept, sale('TX-2', 40, 'Rimborsato'), refund('Rimborso TX-9', -40)]).revenue).toBe(10);
    expect(orderTotals([kept, sale('TX-2', 40, 'Rimborsato'), { ...refund('Rimborso TX-2', -40), source: 'banca' }]).revenue).toBe(10);
    // An invoicing tool's credit note is of its own series: invoice 1/2026 reversed (stornata) is not credit note 1/2026's.
    const invoice = { source: 'fatture', orderId: '1/2026', total: 100, status: 'stornata', placedAt: at('1'), occurredAt: at('1') };
    expect(orderTotals([kept, invoice, { source: 'fatture', orderId: 'Nota di credito 1/2026', total: -30, placedAt: at('2'), occurredAt: at('2') }]).revenue).toBe(20);
  });

  it("counts an order's lines as one order at their sum: void only when every line is, and the whole order's version first", () => {
    const at = (d: string) => `2026-0${d}-01T00:00:00.000Z`;
    const line = (orderId: string, line: string, total: number, status = 'evaso', d = '3') => ({ source: 'erp', orderId, line, total, status, placedAt: at(d), occurredAt: at(d) });
    const items = [line('A', '1', 182), line('A', '2', 1250, 'evaso', '2'), line('B', '1', 79.8, 'annullato', '5'), line('B', '2', 20, 'evaso', '5'), line('C', '1', 91, 'annullato', '6')];
    expect(orderTotals(items)).toEqual({ count: 2, revenue: 1452, firstAt: at('2'), lastAt: at('5') });
    expect(orderTotals([...items].reverse())).toEqual(orderTotals(items));
    // The same order id from another source is another order.
    expect(orderTotals([...items, { ...line('A', '1', 10), source: 'shop' }]).count).toBe(3);
    // An export of the whole order (its total) beside its lines: the order is counted once, at the order's total.
    expect(orderTotals([...items, { source: 'erp', orderId: 'A', total: 1400, placedAt: at('2'), occurredAt: at('2') }])).toMatchObject({ count: 2, revenue: 1420 });
    // A lines export's header row (number, date and state, no amount) hides no line, and lends its state to lines without one.
    const header = (status?: string) => ({ source: 'erp', orderId: 'D', placedAt: at('7'), occurredAt: at('7'), recordId: 'h', ...(status ? { status } : {}) });
    const bare = [{ source: 'erp', orderId: 'D', line: '1', total: 30, occurredAt: at('7') }, { source: 'erp', orderId: 'D', line: '2', total: 12.5, occurredAt: at('7') }];
    expect(orderTotals([header(), ...bare])).toEqual({ count: 1, revenue: 42.5, firstAt: at('7'), lastAt: at('7') });
    expect(orderTotals([...bare, header('annullato')])).toEqual({ count: 0, revenue: 0 });
    expect(orderTotals([header('annullato'), bare[0]!, { ...bare[1]!, status: 'evaso' }])).toMatchObject({ count: 1, revenue: 12.5 });
    // Lines without an amount (a price left blank, flagged at import): the order counts, its total is unknown, not 0.
    const unpriced = [{ source: 'erp', orderId: 'E', line: '1', status: 'pagato', occurredAt: at('8') }];
    expect(ordersOf(unpriced)[0]).not.toHaveProperty('total');
    expect(orderTotals(unpriced)).toMatchObject({ count: 1, revenue: 0 });
    expect(ordersOf([...unpriced, { ...unpriced[0]!, line: '2', total: 5 }])[0]).toMatchObject({ total: 5 });
  });

  it('counts no test order, whatever its status says; the lines of one count as a test only when every line is one', () => {
    const at = (d: string) => `2026-0${d}-01T00:00:00.000Z`;
    const paid = { source: 'shopify', total: 100, status: 'paid', placedAt: at('3'), occurredAt: at('3') };
    expect(orderTotals([{ ...paid, orderId: '#1' }, { ...paid, orderId: '#2', total: 999, test: true, placedAt: at('8') }])).toEqual({ count: 1, revenue: 100, firstAt: at('3'), lastAt: at('3') });
    expect(orderTotals([{ ...paid, orderId: '#2', test: true }])).toEqual({ count: 0, revenue: 0 });
    expect(orderTotals([{ ...paid, orderId: '#2', test: false }])).toMatchObject({ count: 1, revenue: 100 });
    const line = (n: string, total: number, test?: boolean) => ({ source: 'erp', orderId: 'A', line: n, total, placedAt: at('4'), occurredAt: at('4'), ...(test ? { test } : {}) });
    expect(orderTotals([line('1', 30, true), line('2', 12, true)])).toEqual({ count: 0, revenue: 0 });
    expect(orderTotals([line('1', 30, true), line('2', 12)])).toMatchObject({ count: 1, revenue: 12 });
  });

  it("orders an order's versions by time, then arrival; one that says nothing of the order as a whole comes before any that does", () => {
    const v = (occurredAt: string, receivedAt: string, recordId: string, order: { total?: number; status?: string } = { total: 10 }) => orderVersion({ occurredAt, receivedAt, recordId, ...order });
    expect(v('2026-01-02', '2026-01-01', 'a') > v('2026-01-01', '2026-01-09', 'z')).toBe(true);
    expect(v('2026-01-01', '2026-01-09', 'a') > v('2026-01-01', '2026-01-02', 'z')).toBe(true);
    expect(v('2026-01-01', '2026-01-02', 'z') > v('2026-01-01', '2026-01-02', 'a')).toBe(true);
    // A later line of the order, with neither total nor status, is older than its first line, even dated after it.
    expect(v('2026-03-01', '2026-03-01', 'z', {}) < v('2026-01-01', '2026-01-01', 'a')).toBe(true);
    expect(v('2026-03-01', '2026-03-01', 'z', { status: 'paid' }) > v('2026-01-01', '2026-01-01', 'a')).toBe(true);
    expect(v('2026-03-01', '2026-03-01', 'z', {}) > v('2026-01-01', '2026-01-01', 'a', {})).toBe(true);
  });

  it("knows a person's birth date by the codice fiscale that spells their name, when no source states one", () => {
    const code = `RSSMRA55C12F205${codiceFiscaleCheck('RSSMRA55C12F205')}`;
    const email: Identifier = { type: 'email', value: 'famiglia.rossi@gmail.com' };
    // A father's invoices (his code) and his son's shop sign-up (his date), behind one family e-mail.
    const father = rec({ person: { firstName: 'Mario', lastName: 'Rossi' }, identifiers: [email, { type: 'taxCode', value: code }] });
    const son = rec({ person: { firstName: 'Mario', lastName: 'Rossi', birthDate: '1985-04-02' }, identifiers: [email] });
    expect(personKeyOf(father).birthDates).toEqual(['1955-03-12']);
    expect(personKeyOfProfile(fold([father])).birthDates).toEqual(['1955-03-12']);
    expect(conflict(personKeyOf(father), personKeyOf(son))).toBe('conflict.birthDate');
    expect(conflict(personKeyOfProfile(fold([father])), personKeyOf(son))).toBe('conflict.birthDate');
    // The father signing up himself, with his own date: one person.
    expect(conflict(personKeyOfProfile(fold([father])), personKeyOf(rec({ person: { firstName: 'Mario', lastName: 'Rossi', birthDate: '1955-03-12' }, identifiers: [email] })))).toBeUndefined();
    // A stated date comes first, and a code that spells someone else (the son's account under his father's code) states nothing.
    expect(personKeyOf(rec({ person: { firstName: 'Mario', lastName: 'Rossi', birthDate: '1955-03-13' }, identifiers: [{ type: 'taxCode', value: code }] })).birthDates).toEqual(['1955-03-13']);
    expect(personKeyOf(rec({ person: { firstName: 'Luca', lastName: 'Rossi' }, identifiers: [{ type: 'taxCode', value: code }] })).birthDates).toEqual([]);
  });

  it('knows its person by every name and birth date seen', () => {
    const s = fold([rec({ person: { firstName: 'Mario', birthDate: '1980-01-01' } }), rec({ person: { firstName: 'M.' }, identifiers: [{ type: 'taxCode', value: 'X' }] })]);
    const k = personKeyOfProfile(s);
    expect({ ...k, firstNames: [...k.firstNames].sort() }).toEqual({ firstNames: ['M.', 'Mario'], lastNames: [], birthDates: ['1980-01-01'], taxCodes: ['X'] });
  });
});
