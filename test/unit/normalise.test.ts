import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import {
  hasTimeOfDay,
  normaliseAmount,
  normaliseEmail,
  normaliseName,
  normalisePhone,
  normaliseBoolean,
  normaliseConsent,
  normaliseOrderStatus,
  normaliseCity,
  isBusinessName,
  normaliseCompanyName,
  normaliseCountry,
  normaliseDate,
  normaliseGender,
  normalisePostalCode,
  normaliseProvince,
  normaliseTimeOfDay,
  normaliseTimestamp,
} from '../../lambdas/domain/normalise.ts';

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
    ['a@a.a', 'email.domain'],
    // Masked, as some exports show an address: every m… at the provider.
    ['m***@gmail.com', 'email.masked'],
    ['ma****i@libero.it', 'email.masked'],
    ['m•••@gmail.com', 'email.masked'],
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
    // Meta's lead downloads prefix their phones so a spreadsheet keeps them as text.
    ['p:+393331234567', '+393331234567'],
    ['p:3387654321', '+393387654321'],
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

describe('normalisePhone fast path', () => {
  it('agrees with the full libphonenumber parse on Italian numbers (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('', '+39', '0039', '+39 '), fc.stringMatching(/^[0-9]{6,11}$/), (prefix, digits) => {
        const raw = `${prefix}${digits}`;
        const full = parsePhoneNumberFromString(raw.replace(/^0039/, '+39').replace(/\s/g, ''), 'IT');
        const expected = full?.isValid() ? full.number : undefined;
        const got = normalisePhone(raw);
        expect(got.ok ? got.value : undefined).toBe(expected);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('normaliseDate', () => {
  it.each([
    ['01/12/1980', '1980-12-01'],
    ['1/2/1980', '1980-02-01'],
    ['12.03.1975', '1975-03-12'],
    ['12-03-1975', '1975-03-12'],
    ['1975-03-12', '1975-03-12'],
    ['29/02/2000', '2000-02-29'],
    ['36526', '2000-01-01'],
  ])('reads %j as %s', (raw, iso) => {
    expect(normaliseDate(raw)).toEqual({ ok: true, value: iso });
  });
  it('reads two-digit years as the latest not after the pivot year', () => {
    expect(normaliseDate('01/12/80', 'auto', 2026)).toEqual({ ok: true, value: '1980-12-01' });
    expect(normaliseDate('01/12/05', 'auto', 2026)).toEqual({ ok: true, value: '2005-12-01' });
  });
  it.each([
    ['3 marzo 2026', '2026-03-03'],
    ['1° gennaio 2026', '2026-01-01'],
    ['martedì 3 marzo 2026', '2026-03-03'],
    ['03-mar-26', '2026-03-03'],
    ['15 Ago 2025', '2025-08-15'],
    ['March 3, 2026', '2026-03-03'],
    ['Sept 30, 2025', '2025-09-30'],
    ['Tue, 3 Mar 2026', '2026-03-03'],
    ['Tuesday, March 3rd, 2026', '2026-03-03'],
  ])('reads %j, a date with its month named, as %s', (raw, iso) => {
    expect(normaliseDate(raw)).toEqual({ ok: true, value: iso });
    // Unambiguous whatever the mapping says of numeric dates.
    expect(normaliseDate(raw, 'MM/dd/yyyy')).toEqual({ ok: true, value: iso });
  });
  it('rejects a named month that is no month, and a day the month has not', () => {
    expect(normaliseDate('3 foo 2026')).toEqual({ ok: false, reason: 'date.format' });
    // A word every object answers to is no month either.
    expect(normaliseDate('3 constructor 2026')).toEqual({ ok: false, reason: 'date.format' });
    expect(normaliseDate('31 febbraio 2026')).toEqual({ ok: false, reason: 'date.impossible' });
    expect(normaliseDate('Mar 2026')).toEqual({ ok: false, reason: 'date.format' });
  });
  it('follows the mapping for month-first dates', () => {
    expect(normaliseDate('03/12/1975', 'MM/dd/yyyy')).toEqual({ ok: true, value: '1975-03-12' });
    // An ISO date says its own order, whichever the file's numeric dates are in.
    expect(normaliseDate('1975-03-12', 'MM/dd/yyyy')).toEqual({ ok: true, value: '1975-03-12' });
    expect(normaliseDate('1975-03-12', 'dd/MM/yyyy')).toEqual({ ok: true, value: '1975-03-12' });
  });
  it.each([
    ['31/02/2000', 'date.impossible'],
    ['29/02/1900', 'date.impossible'],
    ['13/13/2000', 'date.impossible'],
    ['ieri', 'date.format'],
  ])('rejects %j (%s)', (raw, reason) => {
    expect(normaliseDate(raw)).toEqual({ ok: false, reason });
  });
  it('never rolls an impossible date over (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 31 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1900, max: 2100 }), (d, m, y) => {
        const res = normaliseDate(`${d}/${m}/${y}`);
        const real = new Date(Date.UTC(y, m - 1, d)).getUTCMonth() === m - 1;
        expect(res.ok).toBe(real);
        if (res.ok) expect(res.value).toBe(`${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
      }),
      { numRuns: 3000 },
    );
  });
  it('reads a time on the 12-hour clock, after a comma or an `at`, and after a named month', () => {
    expect(normaliseTimestamp('06/05/2024 3:20 PM')).toEqual({ ok: true, value: '2024-05-06T15:20:00.000Z' });
    expect(normaliseTimestamp('06/05/2024, 10:15:00 AM')).toEqual({ ok: true, value: '2024-05-06T10:15:00.000Z' });
    // Calendly's; midnight and noon as the 12-hour clock names them.
    expect(normaliseTimestamp('2024-05-06 12:30 am')).toEqual({ ok: true, value: '2024-05-06T00:30:00.000Z' });
    expect(normaliseTimestamp('2024-05-06 12:30 p.m.')).toEqual({ ok: true, value: '2024-05-06T12:30:00.000Z' });
    expect(normaliseTimestamp('May 6, 2024 at 10:00 AM', 'auto', 'Europe/Rome')).toEqual({ ok: true, value: '2024-05-06T08:00:00.000Z' });
    expect(normaliseTimestamp('6 maggio 2024 ore 10:15')).toEqual({ ok: true, value: '2024-05-06T10:15:00.000Z' });
    expect(normaliseTimestamp('06/05/2024 13:20 PM')).toEqual({ ok: false, reason: 'date.impossible' });
    expect(hasTimeOfDay('May 6, 2024 at 10:00 AM')).toBe(true);
    expect(hasTimeOfDay('May 6, 2024')).toBe(false);
  });
  it('converts times to UTC instants', () => {
    expect(normaliseTimestamp('2024-05-06T10:20:30+02:00')).toEqual({ ok: true, value: '2024-05-06T08:20:30.000Z' });
    expect(normaliseTimestamp('06/05/2024 10:20')).toEqual({ ok: true, value: '2024-05-06T10:20:00.000Z' });
    // Shopify's exports put a space before the offset; other tools name UTC.
    expect(normaliseTimestamp('2024-05-06 10:20:30 +0200')).toEqual({ ok: true, value: '2024-05-06T08:20:30.000Z' });
    expect(normaliseTimestamp('2024-05-06 10:20:30 -0500')).toEqual({ ok: true, value: '2024-05-06T15:20:30.000Z' });
    expect(normaliseTimestamp('2024-05-06 10:20:30 UTC')).toEqual({ ok: true, value: '2024-05-06T10:20:30.000Z' });
    expect(normaliseTimestamp('2024-05-06 10:20:30 +2')).toEqual({ ok: false, reason: 'date.format' });
  });
  it("reads a time without an offset in the source's time zone, and a date alone as its day", () => {
    const rome = (raw: string) => normaliseTimestamp(raw, 'auto', 'Europe/Rome');
    // Winter (CET, +01:00) and summer (CEST, +02:00) time.
    expect(rome('03/11/2025 10:15')).toEqual({ ok: true, value: '2025-11-03T09:15:00.000Z' });
    expect(rome('15/07/2025 10:15')).toEqual({ ok: true, value: '2025-07-15T08:15:00.000Z' });
    expect(rome('2025-10-03 09:14:22')).toEqual({ ok: true, value: '2025-10-03T07:14:22.000Z' });
    // Just after midnight in Rome is the day before in UTC.
    expect(rome('01/01/2026 00:30')).toEqual({ ok: true, value: '2025-12-31T23:30:00.000Z' });
    // A time that states its offset is that instant, whatever the zone; a date alone is its day.
    expect(rome('2025-07-01 09:00:00 +0000')).toEqual({ ok: true, value: '2025-07-01T09:00:00.000Z' });
    expect(rome('2025-07-01T09:00:00Z')).toEqual({ ok: true, value: '2025-07-01T09:00:00.000Z' });
    expect(rome('15/07/2025')).toEqual({ ok: true, value: '2025-07-15T00:00:00.000Z' });
    // The clocks go forward at 02:00 on 29 March 2026: 02:30 does not exist, and reads as 03:30 summer time.
    expect(rome('29/03/2026 01:59')).toEqual({ ok: true, value: '2026-03-29T00:59:00.000Z' });
    expect(rome('29/03/2026 02:30')).toEqual({ ok: true, value: '2026-03-29T01:30:00.000Z' });
    expect(rome('29/03/2026 03:00')).toEqual({ ok: true, value: '2026-03-29T01:00:00.000Z' });
    // They go back at 03:00 on 25 October 2026: 02:30 comes twice, and reads as the first (summer time).
    expect(rome('25/10/2026 02:30')).toEqual({ ok: true, value: '2026-10-25T00:30:00.000Z' });
    expect(rome('25/10/2026 03:30')).toEqual({ ok: true, value: '2026-10-25T02:30:00.000Z' });
    // Another hemisphere, another half hour.
    expect(normaliseTimestamp('15/01/2026 12:00', 'auto', 'America/Sao_Paulo')).toEqual({ ok: true, value: '2026-01-15T15:00:00.000Z' });
    expect(normaliseTimestamp('15/01/2026 12:00', 'auto', 'Asia/Kolkata')).toEqual({ ok: true, value: '2026-01-15T06:30:00.000Z' });
    expect(rome('03/11/2025 25:15')).toEqual({ ok: false, reason: 'date.impossible' });
  });
  it('reads every wall time of a year in Rome back as itself (property)', () => {
    const wall = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Rome', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2024, 0, 1) / 60_000, max: Date.UTC(2027, 0, 1) / 60_000 }), (minute) => {
        const instant = new Date(minute * 60_000);
        const [date, time] = wall.format(instant).split(' ');
        const read = normaliseTimestamp(`${date} ${time}`, 'auto', 'Europe/Rome');
        expect(read.ok).toBe(true);
        // The hour seen twice in October reads as its first occurrence, an hour before the second.
        if (read.ok) expect([0, -3_600_000]).toContain(Date.parse(read.value) - instant.getTime());
        if (read.ok && Date.parse(read.value) !== instant.getTime()) expect(instant.getUTCMonth()).toBe(9);
      }),
      { numRuns: 3000 },
    );
  });
  it('reads a time of day kept in a column of its own', () => {
    expect(normaliseTimeOfDay('10:15')).toEqual({ ok: true, value: '10:15:00' });
    expect(normaliseTimeOfDay(' 9.05 ')).toEqual({ ok: true, value: '09:05:00' });
    expect(normaliseTimeOfDay('16:40:12')).toEqual({ ok: true, value: '16:40:12' });
    expect(normaliseTimeOfDay('3:20 PM')).toEqual({ ok: true, value: '15:20:00' });
    expect(normaliseTimeOfDay('12:05 am')).toEqual({ ok: true, value: '00:05:00' });
    // A spreadsheet keeps a time as the fraction of a day.
    expect(normaliseTimeOfDay('0.4270833333')).toEqual({ ok: true, value: '10:15:00' });
    expect(normaliseTimeOfDay('24:00')).toEqual({ ok: false, reason: 'time.impossible' });
    expect(normaliseTimeOfDay('13:00 pm')).toEqual({ ok: false, reason: 'time.impossible' });
    expect(normaliseTimeOfDay('mattina')).toEqual({ ok: false, reason: 'time.format' });
  });
});

describe('normaliseAmount', () => {
  it.each([
    ['1.234,56', 1234.56],
    ['1,234.56', 1234.56],
    ['€ 12,50', 12.5],
    ['12.5', 12.5],
    ['1.234', 1234],
    ['1.234.567', 1234567],
    ['-3,5', -3.5],
    ['(10,00)', -10],
    ['EUR 99', 99],
  ])('reads %j as %d', (raw, value) => {
    expect(normaliseAmount(raw)).toEqual({ ok: true, value });
  });
  it('follows a mapping that says the decimal separator is a point', () => {
    expect(normaliseAmount('1,234', '.')).toEqual({ ok: true, value: 1234 });
    expect(normaliseAmount('1.234', '.')).toEqual({ ok: true, value: 1.234 });
  });
  it.each(['1.2.3,4,5', 'abc', '12,34,56,7', '1..2'])('rejects %j', (raw) => {
    expect(normaliseAmount(raw).ok).toBe(false);
  });
  it('reads back any amount written the Italian or the English way (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999 }), fc.boolean(), (cents, italian) => {
        const value = cents / 100;
        const text = value.toLocaleString(italian ? 'it-IT' : 'en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: true });
        expect(normaliseAmount(text)).toEqual({ ok: true, value });
      }),
      { numRuns: 3000 },
    );
  });
});

describe('booleans, places, companies', () => {
  it.each([
    ['Sì', true],
    ['SI', true],
    ['si', true],
    ['x', true],
    ['1', true],
    ['yes', true],
    ['on', true],
    ['No', false],
    ['0', false],
    ['false', false],
    // Klaviyo's consent states.
    ['SUBSCRIBED', true],
    ['NEVER_SUBSCRIBED', false],
    ['UNSUBSCRIBED', false],
  ])('reads consent %j as %s', (raw, value) => {
    expect(normaliseBoolean(raw)).toEqual({ ok: true, value });
  });
  it('rejects a consent it cannot read', () => {
    expect(normaliseBoolean('forse')).toEqual({ ok: false, reason: 'boolean.unknown' });
  });
  it.each([
    // A ticked box writes its label: the form's own wording of the consent.
    ['Acconsento', true],
    ["Sì, acconsento al trattamento dei miei dati personali ai sensi dell'art. 13 GDPR", true],
    ['Desidero ricevere la newsletter (facoltativo)', true],
    ["Dichiaro di aver letto l'informativa privacy", true],
    ['I agree to receive marketing emails', true],
    ['Accepted', true],
    // A refusal, at the start or within (an aside in brackets says nothing).
    ['Non acconsento', false],
    ['No, grazie', false],
    ['Dichiaro di non voler ricevere comunicazioni commerciali', false],
    ['I do not agree', false],
    ['Acconsento (non obbligatorio)', true],
    ['Acconsento, anche se non obbligatorio', true],
    ['Sì (facoltativo)', true],
    ['No [opzionale]', false],
    // And as normaliseBoolean.
    ['Sì', true],
    ['no', false],
  ])("reads a form's consent %j as %s", (raw, value) => {
    expect(normaliseConsent(raw)).toEqual({ ok: true, value });
  });
  it('reads no consent where a form says neither', () => {
    expect(normaliseConsent('Forse più avanti')).toEqual({ ok: false, reason: 'boolean.unknown' });
    // No answer is no refusal: read as one, it would withdraw a consent given elsewhere.
    for (const none of ['Non specificato', 'Non indicata', 'No answer', 'Not set', 'Non so']) {
      expect(normaliseConsent(none)).toEqual({ ok: false, reason: 'boolean.unknown' });
    }
    expect(normaliseConsent('  ')).toEqual({ ok: false, reason: 'boolean.empty' });
    // Only a consent reads a sentence so: a yes-or-no column elsewhere does not.
    expect(normaliseBoolean('Acconsento')).toEqual({ ok: false, reason: 'boolean.unknown' });
  });
  it("names an order's status: WooCommerce's stored form by its name, and WooCommerce's pending (never paid) so, not Shopify's", () => {
    expect(normaliseOrderStatus(' Completed ')).toBe('completed');
    expect(normaliseOrderStatus('wc-cancelled')).toBe('cancelled');
    expect(normaliseOrderStatus('wc-on-hold')).toBe('on-hold');
    expect(normaliseOrderStatus('wc-pending')).toBe('pending payment');
    expect(normaliseOrderStatus('pending', 'woocommerce')).toBe('pending payment');
    expect(normaliseOrderStatus('Pending  payment')).toBe('pending payment');
    // Shopify's financial status: a sale awaiting a bank transfer or cash on delivery.
    expect(normaliseOrderStatus('pending')).toBe('pending');
    // A cancellation, whoever made it (Airbnb's, Booking.com's, an Italian shop's), is one.
    expect(normaliseOrderStatus('Canceled by guest')).toBe('canceled');
    expect(normaliseOrderStatus('cancelled_by_hotel')).toBe('cancelled');
    expect(normaliseOrderStatus("Annullato dall'ospite")).toBe('annullato');
    expect(normaliseOrderStatus('Cancellata dal cliente')).toBe('cancellata');
    expect(normaliseOrderStatus('Cancellation requested')).toBe('cancellation requested');
  });
  it.each([
    ['Italia', 'IT'],
    ['Italy', 'IT'],
    ['ITA', 'IT'],
    ['it', 'IT'],
    ['Germania', 'DE'],
    ['Svizzera', 'CH'],
    ['UK', 'GB'],
  ])('reads country %j as %s', (raw, code) => {
    expect(normaliseCountry(raw)).toEqual({ ok: true, value: code });
  });
  it.each([
    ['MI', 'MI', 'Lombardia'],
    ['(mi)', 'MI', 'Lombardia'],
    ['Milano', 'MI', 'Lombardia'],
    ["Forli'-Cesena", 'FC', 'Emilia-Romagna'],
    ['Forlì Cesena', 'FC', 'Emilia-Romagna'],
    ["Reggio nell'Emilia", 'RE', 'Emilia-Romagna'],
    ['Monza e Brianza', 'MB', 'Lombardia'],
    ['Bolzano/Bozen', 'BZ', 'Trentino-Alto Adige'],
    ['Provincia di Bari', 'BA', 'Puglia'],
  ])('reads province %j as %s (%s)', (raw, code, region) => {
    expect(normaliseProvince(raw)).toEqual({ ok: true, value: { code, region } });
  });
  it('rejects an unknown province', () => {
    expect(normaliseProvince('XX')).toEqual({ ok: false, reason: 'province.unknown' });
  });
  it('restores the leading zeros spreadsheets drop from a CAP', () => {
    expect(normalisePostalCode('184', 'IT')).toEqual({ ok: true, value: '00184' });
    expect(normalisePostalCode('20121', undefined)).toEqual({ ok: true, value: '20121' });
    expect(normalisePostalCode('2012A', 'IT')).toEqual({ ok: false, reason: 'postalCode.syntax' });
    expect(normalisePostalCode('sw1a 1aa', 'GB')).toEqual({ ok: true, value: 'SW1A 1AA' });
  });
  it.each([
    ['ROSSI IMPIANTI SRL', 'Rossi Impianti S.r.l.'],
    ['Bianchi s.r.l.', 'Bianchi S.r.l.'],
    ['ACME S.P.A.', 'Acme S.p.A.'],
    ['Verdi & Figli snc', 'Verdi & Figli S.n.c.'],
    ['Alfa srls', 'Alfa S.r.l.s.'],
    ['IBM Italia S.p.A.', 'IBM Italia S.p.A.'],
  ])('normalises the legal form of %j', (raw, clean) => {
    expect(normaliseCompanyName(raw)).toEqual({ ok: true, value: clean });
  });
  it('tells a business by the legal form its name ends in, and no person by a surname that spells one', () => {
    for (const name of ['ROSSI IMPIANTI SRL', 'Acme, S.p.A.', 'Verdi & Figli snc', 'Rossi & C. S.a.s.', 'Bianchi Ltd', 'Alfa srls'])
      expect(isBusinessName(name), name).toBe(true);
    for (const name of ['Rossi Mario', 'Spa', 'Sas', 'S.r.l. Rossi', 'Anna Sassi', 'Mario Spadoni', 'Maria Assunta'])
      expect(isBusinessName(name), name).toBe(false);
  });
  it('cases shouted cities and keeps particles lower case', () => {
    expect(normaliseCity('MILANO')).toEqual({ ok: true, value: 'Milano' });
    expect(normaliseCity("REGGIO NELL'EMILIA")).toEqual({ ok: true, value: "Reggio nell'Emilia" });
    expect(normaliseCity('San Giovanni in Persiceto')).toEqual({ ok: true, value: 'San Giovanni in Persiceto' });
  });
  it('reads gender as people write it', () => {
    expect(normaliseGender('Femmina')).toEqual({ ok: true, value: 'F' });
    expect(normaliseGender('M')).toEqual({ ok: true, value: 'M' });
    // An address book's answer for every contact without one is no value, not an unreadable one.
    for (const none of ['Unspecified', 'Non specificato', 'N/D']) expect(normaliseGender(none)).toEqual({ ok: false, reason: 'gender.empty' });
    expect(normaliseGender('forse')).toEqual({ ok: false, reason: 'gender.unknown' });
  });
});
