import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseEmail, normaliseName, normalisePhone } from '../../lambdas/domain/normalise.ts';

describe('normaliseEmail', () => {
  it('trims, lower-cases and keeps a valid address', () => {
    expect(normaliseEmail('  Mario.Rossi@Example.IT ')).toEqual({ ok: true, value: 'mario.rossi@example.it' });
  });
  it('converts an internationalised domain to ASCII', () => {
    expect(normaliseEmail('anna@caffè.it')).toEqual({ ok: true, value: 'anna@xn--caff-8oa.it' });
  });
  it('strips a mailto: prefix', () => {
    expect(normaliseEmail('mailto:a@b.it')).toEqual({ ok: true, value: 'a@b.it' });
  });
  it.each([
    ['', 'email.empty'],
    ['non-una-email', 'email.syntax'],
    ['a@', 'email.syntax'],
    ['a..b@example.it', 'email.syntax'],
    ['a@localhost', 'email.domain'],
    ['a@1.2.3.4', 'email.domain'],
  ])('rejects %j with %s', (raw, reason) => {
    expect(normaliseEmail(raw)).toEqual({ ok: false, reason });
  });
  it('is idempotent and never throws (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.emailAddress(), fc.string()), (raw) => {
        const once = normaliseEmail(raw);
        if (once.ok) {
          expect(normaliseEmail(once.value)).toEqual(once);
          expect(once.value).toBe(once.value.toLowerCase());
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('normalisePhone', () => {
  it.each([
    ['333 123 4567', '+393331234567'],
    ['+39 333 1234567', '+393331234567'],
    ['0039 347 2223344', '+393472223344'],
    ['(+39) 320-5556677', '+393205556677'],
    ['02 1234 5678', '+390212345678'],
    ['+44 20 7946 0958', '+442079460958'],
  ])('reads %j as %s', (raw, e164) => {
    expect(normalisePhone(raw)).toEqual({ ok: true, value: e164 });
  });
  it('rejects what is not a phone number', () => {
    expect(normalisePhone('123')).toEqual({ ok: false, reason: 'phone.syntax' });
    expect(normalisePhone('ciao')).toEqual({ ok: false, reason: 'phone.syntax' });
    expect(normalisePhone('+39 000 0000000')).toEqual({ ok: false, reason: 'phone.invalid' });
  });
  it('yields E.164 that normalises to itself (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^(\+39|0039)? ?3[0-9]{2}[ -]?[0-9]{6,7}$/), (raw) => {
        const once = normalisePhone(raw);
        if (once.ok) {
          expect(once.value).toMatch(/^\+[1-9]\d{6,14}$/);
          expect(normalisePhone(once.value)).toEqual(once);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('normaliseName', () => {
  it.each([
    ['ROSSI MARIO', 'Rossi Mario'],
    ["d'angelo", "D'Angelo"],
    ["Niccolo'", 'Niccolò'],
    ['maria de luca', 'Maria de Luca'],
    ['  anna   maria  ', 'Anna Maria'],
  ])('cases %j as %j', (raw, clean) => {
    expect(normaliseName(raw)).toEqual({ ok: true, value: clean });
  });
  it('rejects names with digits or symbols', () => {
    expect(normaliseName('Mario2')).toEqual({ ok: false, reason: 'name.characters' });
  });
});
