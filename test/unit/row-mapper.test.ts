import { describe, expect, it } from 'vitest';
import { compilePlan, parseMapping, type RowPlan } from '../../lambdas/domain/mapping.ts';
import { isSale } from '../../lambdas/domain/profile.ts';
import { type AlikeLines, MAX_TALLIED_LINES, mapRow, numberAlikeLine } from '../../lambdas/domain/row-mapper.ts';

const ctx = { source: 'erp', objectKey: 'imports/erp/clienti.csv', importId: 'imp_1', receivedAt: '2026-01-01T00:00:00.000Z' };
function planOf(headers: string[], mapping?: unknown): RowPlan {
  const parsed = mapping === undefined ? undefined : parseMapping(mapping);
  if (parsed && !parsed.ok) throw new Error(parsed.errors.join(';'));
  const plan = compilePlan(headers, 'erp', parsed?.mapping);
  if (!plan.ok) throw new Error(plan.error);
  return plan.plan;
}

const IT_HEADERS = ['Codice cliente', 'Ragione sociale', 'Nome', 'Cognome', 'E-mail', 'Cellulare', 'Indirizzo', 'CAP', 'Città', 'Provincia', 'Data di nascita', 'Codice fiscale', 'Consenso marketing'];

describe('mapRow', () => {
  it("keeps a row's record id while it is read the same way, and changes it under another mapping", () => {
    const headers = ['email', 'Nome', 'Interesse'];
    const row = ['anna@example.it', 'Anna', 'divani'];
    const idOf = (plan: RowPlan, c: Parameters<typeof mapRow>[3] = ctx) => {
      const out = mapRow(row, 2, plan, c);
      if (!out.accepted) throw new Error(out.reasons.join());
      return out.record.recordId;
    };
    const plain = idOf(planOf(headers));
    // Another upload, another import, the same file read the same way: the same record (a daily full export adds nothing).
    expect(idOf(planOf(headers), { ...ctx, importId: 'imp_2', receivedAt: '2026-02-01T00:00:00.000Z' })).toBe(plain);
    // Headers worded otherwise that mean the same: the same record.
    expect(idOf(planOf(['E-mail', 'NOME', 'Interessi']))).toBe(plain);
    // A column mapped since: another record, which the resolver applies.
    expect(idOf(planOf(headers, { fields: { 'attributes.interesse': 'Interesse' } }))).not.toBe(plain);
    expect(idOf(planOf(headers, { fields: { 'attributes.interesse': 'Interesse' } }))).toBe(idOf(planOf(headers, { fields: { 'attributes.interesse': 'Interesse' } })));
  });
  it("dates a call log's row by its date and its time of day, and a ticket by when it was opened", () => {
    const calls = planOf(['Data', 'Ora', 'Cliente', 'Telefono', 'Esito', 'Note']);
    const at = (row: string[], plan = calls) => {
      const out = mapRow(row, 2, plan, ctx);
      if (!out.accepted) throw new Error(out.reasons.join());
      return out.record;
    };
    expect(at(['03/11/2025', '10:15', 'Rossi Mario', '333 1234567', 'Richiamare', 'Chiede preventivo']).occurredAt).toBe('2025-11-03T10:15:00.000Z');
    // A date with a time of its own keeps it; a time that cannot be read is flagged, and the row keeps its date.
    expect(at(['03/11/2025 09:00', '10:15', 'Rossi Mario', '333 1234567', '', '']).occurredAt).toBe('2025-11-03T09:00:00.000Z');
    const unread = at(['03/11/2025', 'pomeriggio', 'Rossi Mario', '333 1234567', '', '']);
    expect(unread.occurredAt).toBe('2025-11-03T00:00:00.000Z');
    expect(unread.flags).toEqual({ 'occurredAt.time': 'time.format' });
    const tickets = planOf(['Ticket ID', 'Subject', 'Status', 'Source', 'Type', 'Created time', 'Requester Name', 'Requester Email']);
    const ticket = at(['1001', 'Ordine non arrivato', 'Closed', 'Email', 'Question', '2025-10-03 09:14:22', 'Mario Rossi', 'mario.rossi@example.it'], tickets);
    expect(ticket).toMatchObject({
      kind: 'interaction',
      occurredAt: '2025-10-03T09:14:22.000Z',
      person: { firstName: 'Mario', lastName: 'Rossi' },
      identifiers: [{ type: 'email', value: 'mario.rossi@example.it' }],
      interaction: { subject: 'Ordine non arrivato', type: 'question', touchpoint: 'email' },
    });
    expect(ticket.lead).toBeUndefined();
    expect(ticket.address).toBeUndefined();
    // Zendesk's tickets export: `Via` is the channel, not the requester's street; the bare `Id` is the ticket's.
    const zendesk = planOf(['Id', 'Requester', 'Requester id', 'Requester email', 'Subject', 'Status', 'Via', 'Ticket type', 'Created at']);
    const viaForm = at(['4711', 'Giulia Ferri', '369854712', 'giulia.ferri@example.it', 'Reso', 'solved', 'Web form', 'question', '2025-10-03T09:14:22Z'], zendesk);
    expect(viaForm).toMatchObject({
      kind: 'interaction',
      lineage: { recordKey: '369854712' },
      identifiers: expect.arrayContaining([{ type: 'externalId', namespace: 'erp', value: '369854712' }]),
      interaction: { subject: 'Reso', type: 'question', touchpoint: 'web form' },
    });
    expect(viaForm.address).toBeUndefined();
  });
  it("reads a row's times in the time zone its mapping names, except a column that says UTC", () => {
    const at = (headers: string[], row: string[], mapping?: unknown) => {
      const out = mapRow(row, 2, planOf(headers, mapping), ctx);
      if (!out.accepted) throw new Error(out.reasons.join());
      return out.record;
    };
    const rome = { format: { timeZone: 'Europe/Rome' } };
    const calls = ['Data', 'Ora', 'Cliente', 'Telefono'];
    expect(at(calls, ['03/11/2025', '10:15', 'Rossi Mario', '333 1234567'], rome).occurredAt).toBe('2025-11-03T09:15:00.000Z');
    expect(at(calls, ['15/07/2025', '10:15', 'Rossi Mario', '333 1234567'], rome).occurredAt).toBe('2025-07-15T08:15:00.000Z');
    // A date with a time of its own keeps it, even one at midnight (it was taken for a day without a time).
    expect(at(calls, ['03/11/2025 00:00', '10:15', 'Rossi Mario', '333 1234567']).occurredAt).toBe('2025-11-03T00:00:00.000Z');
    expect(at(calls, ['03/11/2025 01:00', '10:15', 'Rossi Mario', '333 1234567'], rome).occurredAt).toBe('2025-11-03T00:00:00.000Z');
    // A day without a time stays its day.
    expect(at(calls, ['03/11/2025', '', 'Rossi Mario', '333 1234567'], rome).occurredAt).toBe('2025-11-03T00:00:00.000Z');
    // An order's date and a consent's, as the occurredAt.
    const orders = ['Numero ordine', 'Data ordine', 'Totale', 'Email', 'Data consenso newsletter', 'Newsletter'];
    const order = at(orders, ['A1', '01/01/2026 00:30', '10,00', 'anna@example.it', '31/12/2025 18:00', 'Sì'], rome);
    expect(order.order?.placedAt).toBe('2025-12-31T23:30:00.000Z');
    expect(order.consents?.[0]?.at).toBe('2025-12-31T17:00:00.000Z');
    // Stripe's export names its zone: its column stays UTC under a mapping that says Rome.
    const stripe = ['id', 'Description', 'Email', 'Created (UTC)'];
    const customer = ['cus_1', 'Anna Bianchi', 'anna@example.it', '2025-07-15 10:15'];
    expect(at(stripe, customer, rome).occurredAt).toBe('2025-07-15T10:15:00.000Z');
    expect(at(stripe, customer, { format: { timeZone: 'Europe/Rome' }, fields: { occurredAt: { column: 'Created (UTC)', timeZone: 'Europe/Rome' } } }).occurredAt).toBe('2025-07-15T08:15:00.000Z');
    // Typeform's and Wix's headers note UTC too; one that notes another offset is read at it, whatever the source's
    // zone (before, `UTC+1` was read in Rome's summer time, or as UTC where no zone was named); a half hour is not.
    expect(at(['Email', 'Submit Date (UTC)'], ['anna@example.it', '2025-07-15 10:15:00'], rome).occurredAt).toBe('2025-07-15T10:15:00.000Z');
    expect(at(['Email', 'Created At (UTC+0)'], ['anna@example.it', '2025-07-15 10:15:00'], rome).occurredAt).toBe('2025-07-15T10:15:00.000Z');
    expect(at(['Email', 'Created At (UTC+1)'], ['anna@example.it', '2025-07-15 10:15:00'], rome).occurredAt).toBe('2025-07-15T09:15:00.000Z');
    expect(at(['Email', 'Created At (UTC+1)'], ['anna@example.it', '2025-07-15 10:15:00']).occurredAt).toBe('2025-07-15T09:15:00.000Z');
    expect(at(['Email', 'Data (GMT+01:00)'], ['anna@example.it', '15/07/2025 10:15'], rome).occurredAt).toBe('2025-07-15T09:15:00.000Z');
    expect(at(['Email', 'Created (UTC-5)'], ['anna@example.it', '2025-07-15 10:15:00']).occurredAt).toBe('2025-07-15T15:15:00.000Z');
    expect(at(['Email', 'Created At (UTC+5:30)'], ['anna@example.it', '2025-07-15 10:15:00'], rome).occurredAt).toBe('2025-07-15T08:15:00.000Z');
    // Read in another zone, a row is another record; read as before (no zone named), the same one.
    const id = (mapping?: unknown) => at(calls, ['03/11/2025', '10:15', 'Rossi Mario', '333 1234567'], mapping).recordId;
    expect(id(rome)).not.toBe(id());
    expect(id({ format: {} })).toBe(id());
  });
  it('cleans an Italian ERP row into a canonical record', () => {
    const out = mapRow(
      ['C1', 'ROSSI IMPIANTI SRL', 'MARIO', 'ROSSI', ' Mario.Rossi@Example.IT', '333 123 4567', 'Via Roma  1', '184', 'ROMA', 'Roma', '01/01/1980', 'rssmra80a01h501u', 'Sì'],
      7,
      planOf(IT_HEADERS),
      ctx,
    );
    expect(out.accepted).toBe(true);
    if (!out.accepted) return;
    const r = out.record;
    expect(r.identifiers).toEqual([
      { type: 'externalId', value: 'C1', namespace: 'erp' },
      { type: 'email', value: 'mario.rossi@example.it' },
      { type: 'taxCode', value: 'RSSMRA80A01H501U' },
      // Phones are cleaned last, with the row's country once it is known.
      { type: 'phone', value: '+393331234567' },
    ]);
    expect(r.person).toEqual({ firstName: 'Mario', lastName: 'Rossi', birthDate: '1980-01-01' });
    expect(r.company).toEqual({ name: 'Rossi Impianti S.r.l.' });
    expect(r.address).toEqual({ line1: 'Via Roma 1', postalCode: '00184', city: 'Roma', province: 'RM', region: 'Lazio' });
    // The file gives no date of the decision: it is dated by the import, and said to be undated.
    expect(r.consents).toEqual([{ purpose: 'marketing_email', granted: true, at: ctx.receivedAt, undated: true, proof: { form: 'import:erp' } }]);
    expect(r.lineage).toEqual({ objectKey: ctx.objectKey, importId: 'imp_1', recordKey: 'C1', line: 7 });
    expect(r.flags).toBeUndefined();
  });

  it('withdraws a consent where an opt-out column says yes, whatever a consent column says; its no is no consent', () => {
    const consentsOf = (headers: string[], cells: string[]) => {
      const out = mapRow(cells, 2, planOf(headers), ctx);
      if (!out.accepted) throw new Error(out.reasons.join());
      return out.record.consents?.map((c) => [c.purpose, c.granted, c.at]);
    };
    // A CRM's contacts (Salesforce's `Email Opt Out`, `Do Not Call`).
    const crm = ['First Name', 'Last Name', 'Email', 'Phone', 'Email Opt Out', 'Do Not Call'];
    expect(consentsOf(crm, ['Giorgio', 'Neri', 'g@example.it', '3331112233', '1', '0'])).toEqual([['marketing_email', false, ctx.receivedAt]]);
    expect(consentsOf(crm, ['Paola', 'Blu', 'p@example.it', '', 'false', 'true'])).toEqual([['marketing_phone', false, ctx.receivedAt]]);
    expect(consentsOf(crm, ['Anna', 'Rosa', 'a@example.it', '', 'No', 'No'])).toBeUndefined();
    // An opt-out beside a consent column of the same purpose: the withdrawal stands.
    expect(consentsOf(['Email', 'Disiscritto', 'Consenso newsletter'], ['g@example.it', 'Sì', 'Sì'])).toEqual([['marketing_email', false, ctx.receivedAt]]);
    expect(consentsOf(['Email', 'Newsletter'], ['g@example.it', 'Disiscritto'])).toEqual([['marketing_email', false, ctx.receivedAt]]);
    expect(consentsOf(['Email', 'Newsletter'], ['g@example.it', 'Iscritta'])).toEqual([['marketing_email', true, ctx.receivedAt]]);
    // A newsletter list's `Stato` (Italian for a country, and for a state) is the subscriber's; a country stays one.
    const list = ['Email', 'Nome', 'Cognome', 'Stato'];
    expect(consentsOf(list, ['g@example.it', 'Giulia', 'Ferri', 'Disiscritto'])).toEqual([['marketing_email', false, ctx.receivedAt]]);
    expect(consentsOf(list, ['g@example.it', 'Giulia', 'Ferri', 'Iscritta'])).toEqual([['marketing_email', true, ctx.receivedAt]]);
    const abroad = mapRow(['g@example.it', 'Giulia', 'Ferri', 'Svizzera'], 2, planOf(list), ctx);
    expect(abroad.accepted && [abroad.record.address?.country, abroad.record.consents, abroad.record.flags]).toEqual(['CH', undefined, undefined]);
    const subscribed = mapRow(['g@example.it', 'Giulia', 'Ferri', 'Iscritto'], 2, planOf(list), ctx);
    expect(subscribed.accepted && [subscribed.record.address, subscribed.record.flags]).toEqual([undefined, undefined]);
    // Mailchimp's unsubscribed members: withdrawn when they left, not granted when they joined.
    const unsub = ['Email Address', 'First Name', 'MEMBER_RATING', 'OPTIN_TIME', 'UNSUB_TIME', 'UNSUB_REASON'];
    expect(consentsOf(unsub, ['g@example.it', 'Giorgio', '2', '2021-03-01 10:00:00', '2025-06-30 08:15:00', 'No longer interested'])).toEqual([
      ['marketing_email', false, '2025-06-30T08:15:00.000Z'],
    ]);
    // Its cleaned members (the address bounced): nothing of consent.
    expect(consentsOf(['Email Address', 'MEMBER_RATING', 'OPTIN_TIME', 'CLEAN_TIME'], ['g@example.it', '2', '2021-03-01 10:00:00', '2025-06-30 08:15:00'])).toBeUndefined();
  });

  it("reads a Name column beside a Surname one as the first name, the surname taken off if it is in it", () => {
    const person = (headers: string[], cells: string[]) => {
      const out = mapRow(cells, 2, planOf(headers), ctx);
      if (!out.accepted) throw new Error(out.reasons.join());
      return out.record.person;
    };
    // The Newsletter plugin's subscribers (`email;name;surname`): before, the first name was lost.
    const plugin = ['email', 'name', 'surname', 'status'];
    expect(person(plugin, ['g@example.it', 'Giulia', 'Ferri', 'C'])).toEqual({ firstName: 'Giulia', lastName: 'Ferri' });
    expect(person(plugin, ['g@example.it', 'Giulia Ferri', 'Ferri', 'C'])).toEqual({ firstName: 'Giulia', lastName: 'Ferri' });
    expect(person(plugin, ['g@example.it', 'DE LUCA Anna Maria', 'De Luca', 'C'])).toEqual({ firstName: 'Anna Maria', lastName: 'De Luca' });
    expect(person(plugin, ['g@example.it', 'Ferri', 'Ferri', 'C'])).toEqual({ lastName: 'Ferri' });
    // Without a surname column the name is split as before.
    expect(person(['email', 'name'], ['g@example.it', 'Giulia Ferri'])).toEqual({ firstName: 'Giulia', lastName: 'Ferri' });
  });

  it("reads the Newsletter plugin's one-letter state: confirmed a grant, unsubscribed or complained a withdrawal, awaiting or bounced nothing", () => {
    // Its export as the plugin writes it (`"Email";"Name";"Surname";"Sex";"Status";"Date";"Token";…`) and as newer versions do.
    for (const headers of [
      ['Email', 'Name', 'Surname', 'Sex', 'Status', 'Date', 'Token', 'Profile 1', 'List 1', 'Feed by mail', 'Follow up'],
      ['Email', 'Name', 'Surname', 'Gender', 'Status', 'Date', 'Token', 'Language', 'List 1', 'Test', 'IP'],
    ]) {
      const plan = planOf(headers);
      expect([plan.exportFormat, plan.unmapped.includes('Status'), plan.unmapped.includes('Token')]).toEqual(['newsletter-plugin', false, true]);
      const row = (status: string) => {
        const cells = headers.map(() => '');
        Object.assign(cells, { 0: 'g@example.it', 1: 'Giulia', 2: 'Ferri', 4: status, 5: '2021-03-01 10:00:00', 6: 'a1b2c3d4e5' });
        const out = mapRow(cells, 2, plan, ctx);
        if (!out.accepted) throw new Error(out.reasons.join());
        return [out.record.person, out.record.consents?.map((c) => [c.purpose, c.granted, c.at, c.undated ?? false]), out.record.flags];
      };
      const giulia = { firstName: 'Giulia', lastName: 'Ferri' };
      // Dated by the row (the subscriber's creation): the export gives no time for the state itself.
      expect(row('C')).toEqual([giulia, [['marketing_email', true, '2021-03-01T10:00:00.000Z', true]], undefined]);
      expect(row('U')).toEqual([giulia, [['marketing_email', false, '2021-03-01T10:00:00.000Z', true]], undefined]);
      expect(row('P')).toEqual([giulia, [['marketing_email', false, '2021-03-01T10:00:00.000Z', true]], undefined]);
      // Not confirmed (a double opt-in under way) and bounced say nothing of consent, and are not flagged as unreadable.
      expect(row('S')).toEqual([giulia, undefined, undefined]);
      expect(row('B')).toEqual([giulia, undefined, undefined]);
    }
    // Another file's one-letter `Status` is not read so: only the plugin's export (with its `Token`) is.
    expect(planOf(['Email', 'Name', 'Surname', 'Status']).fields.find((f) => f.path === 'consents.marketing_email')).toBeUndefined();
  });

  it("reads Wix's contacts export: its first address by parts, and each channel's subscriber state", () => {
    const headers = ['First Name', 'Last Name', 'Email 1', 'Email 1 Label', 'Phone 1', 'Address 1 - Type', 'Address 1 - Street', 'Address 1 - City', 'Address 1 - State/Region', 'Address 1 - Zip', 'Address 1 - Country', 'Labels', 'Created At (UTC+0)', 'Email subscriber status', 'SMS subscriber status', 'Last Activity', 'Source'];
    const plan = planOf(headers);
    expect(plan.exportFormat).toBe('wix-contacts');
    const contact = (email: string, sms: string) => {
      const out = mapRow(['Giulia', 'Ferri', 'g@example.it', 'Main', '+39 333 1234567', 'Home', 'Via Po 10', 'Torino', 'TO', '10124', 'IT', 'VIP', '2024-05-01 10:00', email, sms, 'Submitted a form', 'Contact Form'], 2, plan, ctx);
      if (!out.accepted) throw new Error(out.reasons.join());
      return out.record;
    };
    // Before, the address was unmapped, the states too, and the row dated by its import.
    expect(contact('Subscribed', 'Never subscribed')).toMatchObject({
      occurredAt: '2024-05-01T10:00:00.000Z',
      address: { line1: 'Via Po 10', city: 'Torino', province: 'TO', postalCode: '10124', country: 'IT' },
      consents: [{ purpose: 'marketing_email', granted: true, at: '2024-05-01T10:00:00.000Z', undated: true }],
    });
    expect(contact('Unsubscribed', 'Subscribed').consents?.map((c) => [c.purpose, c.granted])).toEqual([
      ['marketing_email', false],
      ['marketing_sms', true],
    ]);
    // Never subscribed, not set or pending (a double opt-in under way) say nothing, and are not flagged unreadable.
    for (const state of ['Never subscribed', 'Not set', 'Pending']) {
      expect([contact(state, state).consents, contact(state, state).flags]).toEqual([undefined, undefined]);
    }
  });

  it("reads a Google Forms export: how the person found the business as the lead's source, and each consent box by its wording", () => {
    const headers = ['Informazioni cronologiche', 'Indirizzo email', 'Nome e cognome', 'Come ci hai conosciuto?', 'Acconsento al trattamento dei dati personali', 'Desidero ricevere la newsletter'];
    const plan = planOf(headers);
    const out = mapRow(['12/11/2026 18.04.31', 'anna.verdi@example.it', 'Anna Verdi', 'Passaparola', 'Acconsento', 'Sì, desidero ricevere la newsletter'], 2, plan, ctx);
    if (!out.accepted) throw new Error(out.reasons.join());
    expect(out.record.lead).toMatchObject({ source: 'passaparola' });
    expect(out.record.consents?.map((c) => [c.purpose, c.granted])).toEqual([
      ['privacy_notice', true],
      ['marketing_email', true],
    ]);
    expect(out.record.flags).toBeUndefined();
    // A box left unticked is an empty cell: no word either way.
    const unticked = mapRow(['12/11/2026 18.10.00', 'marco.neri@example.it', 'Marco Neri', '', 'Acconsento', ''], 3, plan, ctx);
    expect(unticked.accepted && unticked.record.consents?.map((c) => c.purpose)).toEqual(['privacy_notice']);
  });

  it("reads Airbnb's reservations: a stay as a sale of its guest, known by name and phone, a cancelled one as no sale", () => {
    const headers = ['Confirmation code', 'Status', 'Guest name', 'Contact', '# of adults', '# of children', '# of infants', 'Start date', 'End date', '# of nights', 'Booked', 'Listing', 'Earnings'];
    const plan = planOf(headers);
    expect(plan.exportFormat).toBe('airbnb-reservations');
    // The stay's dates and numbers of guests are named for a mapping to take.
    expect(plan.unmapped).toEqual(['# of adults', '# of children', '# of infants', 'Start date', 'End date', '# of nights']);
    const stay = (status: string) => {
      const out = mapRow(['HMKRPEZY98', status, 'Giulia Ferri', '+39 333 123 4567', '2', '0', '0', '12/20/2026', '12/23/2026', '3', '2026-07-13', 'Terrazza sul mare', '€300.00'], 2, plan, ctx);
      if (!out.accepted) throw new Error(out.reasons.join());
      return out.record;
    };
    expect(stay('Confirmed')).toMatchObject({
      kind: 'order',
      occurredAt: '2026-07-13T00:00:00.000Z',
      identifiers: [{ type: 'phone', value: '+393331234567' }],
      person: { firstName: 'Giulia', lastName: 'Ferri' },
      order: { orderId: 'HMKRPEZY98', status: 'confirmed', total: 300, currency: 'EUR', placedAt: '2026-07-13T00:00:00.000Z' },
      interaction: { touchpoint: 'terrazza sul mare' },
    });
    expect(isSale(stay('Confirmed').order?.status)).toBe(true);
    expect(isSale(stay('Canceled by guest').order?.status)).toBe(false);
  });

  it("reads Booking.com's reservations: a booking as a sale of its booker (Surname, Name), not of its guests", () => {
    const headers = ['Book number', 'Booked by', 'Guest name(s)', 'Check-in', 'Check-out', 'Booked on', 'Status', 'Rooms', 'Persons', 'Price', 'Commission amount', 'Remarks', 'Booker country', 'Unit type', 'Phone number'];
    const plan = planOf(headers);
    expect(plan.exportFormat).toBe('booking-reservations');
    const booking = (status: string) => {
      const out = mapRow(['4034567891', 'Ferri, Giulia', 'Giulia Ferri, Marco Neri', '2026-12-20', '2026-12-23', '2026-11-02 10:15:00', status, '1', '2', '450 EUR', '67.50 EUR', 'Arrivo in tarda serata', 'it', 'Camera Matrimoniale', '+39 333 1234567'], 2, plan, ctx);
      if (!out.accepted) throw new Error(out.reasons.join());
      return out.record;
    };
    expect(booking('ok')).toMatchObject({
      kind: 'order',
      identifiers: [{ type: 'phone', value: '+393331234567' }],
      person: { firstName: 'Giulia', lastName: 'Ferri' },
      address: { country: 'IT' },
      order: { orderId: '4034567891', status: 'ok', total: 450, currency: 'EUR', placedAt: '2026-11-02T10:15:00.000Z' },
      interaction: { touchpoint: 'camera matrimoniale', summary: 'Arrivo in tarda serata' },
    });
    expect(isSale(booking('ok').order?.status)).toBe(true);
    expect(isSale(booking('cancelled_by_guest').order?.status)).toBe(false);
  });

  it("reads Acuity's appointments: a visit of its client, keyed by its id, dated when it starts, of its type", () => {
    const headers = ['Start Time', 'End Time', 'First Name', 'Last Name', 'Phone', 'Email', 'Type', 'Calendar', 'Appointment Price', 'Paid?', 'Amount Paid Online', 'Certificate Code', 'Notes', 'Date Scheduled', 'Label', 'Scheduled By', 'Appointment ID'];
    const plan = planOf(headers, { format: { timeZone: 'Europe/Rome' } });
    expect(plan.exportFormat).toBe('acuity-appointments');
    expect(plan.unmapped).toEqual(['End Time', 'Calendar', 'Appointment Price', 'Paid?', 'Amount Paid Online', 'Certificate Code', 'Date Scheduled', 'Label', 'Scheduled By']);
    const out = mapRow(['March 3, 2026 3:30pm', 'March 3, 2026 4:30pm', 'Giulia', 'Ferri', '333 123 4567', 'giulia@example.it', 'Massaggio 60 minuti', 'Dott.ssa Neri', '60.00', 'yes', '0.00', '', 'Prima visita', 'February 20, 2026 9:12am', '', 'giulia@example.it', '1234567890'], 2, plan, ctx);
    if (!out.accepted) throw new Error(out.reasons.join());
    expect(out.record).toMatchObject({
      kind: 'interaction',
      occurredAt: '2026-03-03T14:30:00.000Z',
      identifiers: [{ type: 'email', value: 'giulia@example.it' }, { type: 'phone', value: '+393331234567' }],
      person: { firstName: 'Giulia', lastName: 'Ferri' },
      interaction: { subject: 'Massaggio 60 minuti', summary: 'Prima visita' },
    });
    expect(out.record.lineage.recordKey).toBe('1234567890');
    expect(out.record.flags).toBeUndefined();
  });

  it("reads Eventbrite's attendees: each a registration of its attendee, keyed by the attendee's number, the order's amounts and buyer left out", () => {
    const headers = ['Order #', 'Order Date', 'First Name', 'Last Name', 'Email', 'Quantity', 'Ticket Type', 'Attendee #', 'Group', 'Order Type', 'Currency', 'Total Paid', 'Fees Paid', 'Eventbrite Fees', 'Eventbrite Payment Processing', 'Attendee Status', 'Home Address 1', 'Home City', 'Mobile Phone', 'Where did you hear about us?', 'Buyer Email'];
    const plan = planOf(headers);
    expect(plan.exportFormat).toBe('eventbrite-attendees');
    expect(plan.unmapped).toEqual(['Order #', 'Quantity', 'Group', 'Order Type', 'Currency', 'Total Paid', 'Fees Paid', 'Eventbrite Fees', 'Eventbrite Payment Processing', 'Attendee Status', 'Buyer Email']);
    const out = mapRow(['4567890123', '2026-03-03 18:04:11', 'Luca', 'Moretti', 'luca.moretti@example.it', '1', 'Ingresso intero', '7654321098', '', 'Eventbrite Completed', 'EUR', '25.00', '1.99', '1.49', '0.87', 'Attending', 'Via Emilia 200', 'Reggio Emilia', '+39 347 555 6677', 'Instagram', 'ufficio@example.it'], 2, plan, ctx);
    if (!out.accepted) throw new Error(out.reasons.join());
    // Before, an undated contact: the order's date was left unread (no order id), the ticket type read as nothing.
    expect(out.record).toMatchObject({
      kind: 'interaction',
      occurredAt: '2026-03-03T18:04:11.000Z',
      identifiers: [{ type: 'email', value: 'luca.moretti@example.it' }, { type: 'phone', value: '+393475556677' }],
      person: { firstName: 'Luca', lastName: 'Moretti' },
      interaction: { subject: 'Ingresso intero' },
      lead: { source: 'instagram' },
    });
    expect(out.record.order).toBeUndefined();
    expect(out.record.lineage.recordKey).toBe('7654321098');
    // The British report numbers its attendees `Attendee no.`, beside `Order no.` and `Surname`.
    const uk = planOf(['Order no.', 'Order Date', 'First Name', 'Surname', 'Email', 'Ticket Type', 'Attendee no.', 'Total Paid', 'Eventbrite Fees', 'Attendee Status']);
    expect(uk.exportFormat).toBe('eventbrite-attendees');
    expect(uk.unmapped).toEqual(['Order no.', 'Total Paid', 'Eventbrite Fees', 'Attendee Status']);
  });

  it("reads Microsoft Forms' responses: keyed by the response's number, which links no one, dated when completed, an anonymous account as no address", () => {
    const headers = ['ID', 'Start time', 'Completion time', 'Email', 'Name', 'Last modified time', 'Your name', 'Your email', 'Your phone number'];
    const plan = planOf(headers);
    expect(plan.exportFormat).toBe('microsoft-forms');
    const response = (cells: string[]) => {
      const out = mapRow(cells, 2, plan, { ...ctx, source: 'moduli' });
      if (!out.accepted) throw new Error(out.reasons.join());
      return out.record;
    };
    const anonymous = response(['7', '2026-11-03 10:01:00', '2026-11-03 10:04:30', 'anonymous', '', '', 'Sara Neri', 'sara.neri@example.it', '333 111 2222']);
    expect(anonymous).toMatchObject({ occurredAt: '2026-11-03T10:04:30.000Z', lineage: { recordKey: '7' }, person: { firstName: 'Sara', lastName: 'Neri' } });
    // Before, the response's number was a customer id (`moduli:7` linked the 7th respondent of every form), and `anonymous` a flagged address.
    expect(anonymous.identifiers).toEqual([
      { type: 'email', value: 'sara.neri@example.it' },
      { type: 'phone', value: '+393331112222' },
    ]);
    expect(anonymous.flags).toBeUndefined();
    // A form that records its respondents' accounts: the account's address is theirs.
    const signedIn = response(['8', '2026-11-03 11:00:00', '2026-11-03 11:02:00', 'luca@contoso.it', 'Luca Riva', '', '', '', '']);
    expect(signedIn.identifiers).toEqual([{ type: 'email', value: 'luca@contoso.it' }]);
    expect(planOf(['ID', 'Ora di inizio', 'Ora di completamento', 'Posta elettronica', 'Nome', 'Nome e cognome']).exportFormat).toBe('microsoft-forms');
  });

  it("reads Meta's lead ads download: keyed by the lead id, its ad's platform, paid or organic, and campaign as the lead's first touch", () => {
    const headers = ['id', 'created_time', 'ad_id', 'ad_name', 'adset_id', 'adset_name', 'campaign_id', 'campaign_name', 'form_id', 'form_name', 'is_organic', 'platform', 'full_name', 'email', 'phone_number'];
    const plan = planOf(headers);
    expect(plan.exportFormat).toBe('meta-lead-ads');
    // The lead id is read (it keys the row), so the report does not name it among the columns left out.
    expect(plan.unmapped).toEqual(['ad_id', 'ad_name', 'adset_id', 'adset_name', 'campaign_id', 'form_id']);
    const lead = (isOrganic: string, platform: string) => {
      const out = mapRow(['l:1054074580944020', '2026-10-31T11:18:23+01:00', 'ag:1', 'Cucine - carosello', 'as:1', 'Donne 30-55', 'c:1', 'Cucine autunno', 'f:1', 'Richiesta preventivo', isOrganic, platform, 'Francesca Greco', 'f.greco@example.it', 'p:+393401234000'], 2, plan, ctx);
      if (!out.accepted) throw new Error(out.reasons.join());
      return out.record;
    };
    expect(lead('FALSE', 'ig')).toMatchObject({
      occurredAt: '2026-10-31T10:18:23.000Z',
      lineage: { recordKey: 'l:1054074580944020' },
      // The ad's name is no person's: before, `ad_name` read as the full name (`ad` taken for a linking word).
      person: { firstName: 'Francesca', lastName: 'Greco' },
      identifiers: [
        { type: 'email', value: 'f.greco@example.it' },
        { type: 'phone', value: '+393401234000' },
      ],
      lead: { source: 'instagram', medium: 'paid', campaign: 'Cucine autunno' },
      interaction: { touchpoint: 'richiesta preventivo' },
    });
    // The lead id keys the row and is no customer id: no identifier links by it.
    expect(lead('FALSE', 'ig').identifiers.map((i) => i.type)).toEqual(['email', 'phone']);
    // Older downloads write `is_organic` as 0 and 1; a platform code it adds later is kept as written.
    expect(lead('1', 'fb').lead).toMatchObject({ source: 'facebook', medium: 'organic' });
    expect(lead('0', 'threads').lead).toMatchObject({ source: 'threads', medium: 'paid' });
    expect(lead('0', 'ig').flags).toBeUndefined();
  });

  it("reads Google's several values in one cell, and an unset date as none (0000-00-00, Outlook's 0/0/00)", () => {
    const google = planOf(['Given Name', 'Family Name', 'Birthday', 'E-mail 1 - Value', 'Phone 1 - Value']);
    const out = mapRow(['Giulia', 'Ferri', '0000-00-00', 'g@example.it ::: giulia@ferri.it', '+39 333 111 2233 ::: 02 1234567'], 2, google, ctx);
    expect(out.accepted && out.record.identifiers).toEqual([
      { type: 'email', value: 'g@example.it' },
      { type: 'email', value: 'giulia@ferri.it' },
      { type: 'phone', value: '+393331112233' },
      { type: 'phone', value: '+39021234567' },
    ]);
    // No birth date, and none flagged unreadable.
    expect(out.accepted && [out.record.person, out.record.flags]).toEqual([{ firstName: 'Giulia', lastName: 'Ferri' }, undefined]);
    const outlook = mapRow(['Giulia', 'Ferri', '0/0/00', 'g@example.it', ''], 2, google, ctx);
    expect(outlook.accepted && outlook.record.flags).toBeUndefined();
    // A date that is one is still read, and a wrong one still flagged.
    const dated = mapRow(['Giulia', 'Ferri', '31/02/1990', 'g@example.it', ''], 2, google, ctx);
    expect(dated.accepted && dated.record.flags).toEqual({ 'person.birthDate': 'date.impossible' });
  });

  it("says which consents a file gives without their date: not those with a date column's, nor a webhook's", () => {
    const consentOf = (headers: string[], cells: string[], webhook?: true) => {
      const out = mapRow(cells, 2, planOf(headers), webhook ? { ...ctx, webhook: { deliveryId: 'd-1', recordKey: 'k', form: 'contact-form' } } : ctx);
      if (!out.accepted) throw new Error(out.reasons.join());
      return out.record.consents?.map((c) => [c.granted, c.at, c.undated ?? false]);
    };
    // A shop's customers: the export says yes today, not when she said it.
    expect(consentOf(['Email', 'Accepts Email Marketing'], ['g@example.it', 'yes'])).toEqual([[true, ctx.receivedAt, true]]);
    // A row's own date bounds it no better (a customer created in 2021 may have subscribed since).
    expect(consentOf(['Email', 'Data registrazione', 'Newsletter'], ['g@example.it', '01/03/2021', 'Sì'])).toEqual([[true, '2021-03-01T00:00:00.000Z', true]]);
    // Mailchimp's audience gives when each member opted in; its unsubscribed file when each left.
    expect(consentOf(['Email Address', 'MEMBER_RATING', 'OPTIN_TIME'], ['g@example.it', '2', '2021-03-01 10:00:00'])).toEqual([[true, '2021-03-01T10:00:00.000Z', false]]);
    // A column that dates the decision (an Italian register's `Data consenso newsletter`).
    expect(consentOf(['Email', 'Newsletter', 'Data consenso newsletter'], ['g@example.it', 'Sì', '05/05/2025'])).toEqual([[true, '2025-05-05T00:00:00.000Z', false]]);
    // A form's answer is the person's act as it comes.
    expect(consentOf(['Email', 'Newsletter'], ['g@example.it', 'Sì'], true)).toEqual([[true, ctx.receivedAt, false]]);
    // A date after the import (a year mistyped `2062`, or a row dated by a booking to come) is no later than the
    // import: the decision cannot outrank, until then, every decision made after it.
    expect(consentOf(['Email', 'Newsletter', 'Data consenso newsletter'], ['g@example.it', 'Sì', '05/05/2062'])).toEqual([[true, ctx.receivedAt, false]]);
    expect(consentOf(['Email', 'Data registrazione', 'Newsletter'], ['g@example.it', '01/03/2027', 'No'])).toEqual([[false, ctx.receivedAt, true]]);
  });

  it("dates a file's one consent by a bare `Data consenso`, and leaves it unmapped where it could be another's", () => {
    const read = (headers: string[], cells: string[]) => {
      const plan = planOf(headers);
      const out = mapRow(cells, 2, plan, ctx);
      if (!out.accepted) throw new Error(out.reasons.join());
      return { consents: out.record.consents?.map((c) => [c.purpose, c.granted, c.at, c.undated ?? false]), unmapped: plan.unmapped };
    };
    expect(read(['Email', 'Newsletter', 'Data consenso'], ['g@example.it', 'Sì', '05/05/2025 10:30'])).toEqual({
      consents: [['marketing_email', true, '2025-05-05T10:30:00.000Z', false]],
      unmapped: [],
    });
    // A refusal given then is dated so too; a row without the date stays undated.
    expect(read(['Email', 'Consenso marketing', 'Consent date'], ['g@example.it', 'No', '2025-05-05']).consents).toEqual([['marketing_email', false, '2025-05-05T00:00:00.000Z', false]]);
    expect(read(['Email', 'Newsletter', 'Data consenso'], ['g@example.it', 'Sì', '']).consents).toEqual([['marketing_email', true, ctx.receivedAt, true]]);
    // Beside a privacy and a marketing consent it could be either's (or the form's that gave both).
    expect(read(['Email', 'Consenso privacy', 'Consenso marketing', 'Data consenso'], ['g@example.it', 'Sì', 'Sì', '05/05/2025'])).toEqual({
      consents: [['privacy_notice', true, ctx.receivedAt, true], ['marketing_email', true, ctx.receivedAt, true]],
      unmapped: ['Data consenso'],
    });
    // Beside an opt-out it is when the consent was given, not when it was withdrawn.
    expect(read(['Email', 'Newsletter', 'Disiscritto', 'Data consenso'], ['g@example.it', 'Sì', 'Sì', '05/05/2025'])).toEqual({
      consents: [['marketing_email', false, ctx.receivedAt, true]],
      unmapped: ['Data consenso'],
    });
    expect(read(['Email', 'Disiscritto', 'Data consenso'], ['g@example.it', 'Sì', '05/05/2025']).unmapped).toEqual(['Data consenso']);
    // A purpose's own date column wins.
    expect(read(['Email', 'Newsletter', 'Data consenso newsletter', 'Data consenso'], ['g@example.it', 'Sì', '05/05/2025', '01/01/2020'])).toEqual({
      consents: [['marketing_email', true, '2025-05-05T00:00:00.000Z', false]],
      unmapped: ['Data consenso'],
    });
  });

  it("reads an invoicing tool's documents: an invoice by its number, a credit note negative, a quote or pro forma as no sale", () => {
    const plan = planOf(['Tipo documento', 'Numero', 'Data', 'Cliente', 'Codice fiscale', 'Email', 'Totale documento', 'Stato pagamento']);
    const doc = (cells: string[]) => {
      const out = mapRow(cells, 2, plan, { ...ctx, source: 'fatture' });
      if (!out.accepted) throw new Error(out.reasons.join());
      const { orderId, total, status } = out.record.order!;
      return { orderId, total, status, person: out.record.person, company: out.record.company, occurredAt: out.record.occurredAt };
    };
    expect(doc(['Fattura', '1/2026', '15/01/2026', 'Rossi Impianti S.r.l.', '', 'amm@rossi.it', '1.220,00', 'Pagata'])).toEqual({
      orderId: '1/2026', total: 1220, status: 'pagata', person: undefined, company: { name: 'Rossi Impianti S.r.l.' }, occurredAt: '2026-01-15T00:00:00.000Z',
    });
    // Numbered apart from the invoices (its own 1/2026), and negative whichever sign the export writes.
    expect(doc(['Nota di credito', '1/2026', '25/01/2026', 'Rossi Impianti S.r.l.', '', 'amm@rossi.it', '122,00', 'Pagata'])).toMatchObject({ orderId: 'Nota di credito 1/2026', total: -122 });
    expect(doc(['NC', '2/2026', '26/01/2026', 'Rossi Impianti S.r.l.', '', 'amm@rossi.it', '-50,00', ''])).toMatchObject({ orderId: 'NC 2/2026', total: -50 });
    // A private customer, as its codice fiscale tells.
    expect(doc(['Fattura elettronica', '2/2026', '03/02/2026', 'ROSSI MARIO', 'RSSMRA80A01H501U', 'm@example.it', '97,60', 'Non pagata'])).toMatchObject({
      orderId: '2/2026', total: 97.6, status: 'non pagata', person: { firstName: 'Mario', lastName: 'Rossi' }, company: undefined,
    });
    // Documents that sell nothing themselves: their state says so, whatever the payment column says.
    expect(doc(['Preventivo', '7', '01/03/2026', 'Rossi Impianti S.r.l.', '', 'amm@rossi.it', '5.000,00', 'Non pagata'])).toMatchObject({ orderId: 'Preventivo 7', status: 'preventivo' });
    expect(doc(['Fattura pro forma', '3', '01/03/2026', 'Rossi Impianti S.r.l.', '', 'amm@rossi.it', '500,00', ''])).toMatchObject({ orderId: 'Fattura pro forma 3', status: 'proforma' });
    expect(doc(['DDT', '12', '02/03/2026', 'Rossi Impianti S.r.l.', '', 'amm@rossi.it', '500,00', ''])).toMatchObject({ orderId: 'DDT 12', status: 'ddt' });
    // Another series of sales: a receipt is a sale, known by its type and number.
    expect(doc(['Ricevuta', '4', '02/03/2026', 'Rossi Impianti S.r.l.', '', 'amm@rossi.it', '30,00', ''])).toMatchObject({ orderId: 'Ricevuta 4', total: 30, status: undefined });
  });

  it("reads an invoicing tool's clients' bare Nome as the client's name, a business's or, by its codice fiscale, a person's", () => {
    const plan = planOf(['Codice', 'Nome', 'Referente', 'Email', 'P.IVA', 'Cod. fiscale']);
    const row = (cells: string[]) => {
      const out = mapRow(cells, 2, plan, { ...ctx, source: 'fic' });
      if (!out.accepted) throw new Error(out.reasons.join());
      return { person: out.record.person, company: out.record.company };
    };
    // A business, known by its contact person.
    expect(row(['C1', 'Rossi Impianti S.r.l.', 'Luigi Bianchi', 'info@rossi-impianti.it', '01234567897', ''])).toMatchObject({
      person: { firstName: 'Luigi', lastName: 'Bianchi' },
      company: { name: 'Rossi Impianti S.r.l.' },
    });
    // A private customer: the codice fiscale says which words are the surname.
    expect(row(['C2', 'Rossi Mario', '', 'mario@example.it', '', 'RSSMRA80A01H501U'])).toMatchObject({ person: { firstName: 'Mario', lastName: 'Rossi' } });
  });

  it("reads a payment app's refund as a credit, not one more sale, whatever sign it is written with", () => {
    const plan = planOf(['Codice transazione', 'Data', 'Tipo transazione', 'Importo', 'Email']);
    const order = (cells: string[]) => {
      const out = mapRow(cells, 2, plan, { ...ctx, source: 'cassa' });
      if (!out.accepted) throw new Error(out.reasons.join());
      return out.record.order!;
    };
    // The payment is the sale, known by its id alone.
    expect(order(['TX-1', '15/01/2026', 'Pagamento', '40,00', 'a@example.it'])).toMatchObject({ orderId: 'TX-1', total: 40 });
    // A refund takes its amount back: a credit, which counts as no order (see isCredit).
    expect(order(['TX-2', '16/01/2026', 'Rimborso', '40,00', 'a@example.it'])).toMatchObject({ orderId: 'Rimborso TX-2', total: -40 });
    expect(order(['TX-3', '16/01/2026', 'Storno', '-15,00', 'a@example.it'])).toMatchObject({ total: -15 });
    const english = planOf(['Transaction ID', 'Date', 'Transaction Type', 'Amount', 'Email']);
    const row = (cells: string[]) => {
      const out = mapRow(cells, 2, english, { ...ctx, source: 'pay' });
      return out.accepted ? out.record.order : undefined;
    };
    expect(row(['ch_1', '2026-01-15', 'charge', '25.00', 'b@example.com'])).toMatchObject({ orderId: 'ch_1', total: 25 });
    expect(row(['re_1', '2026-01-16', 'refund', '25.00', 'b@example.com'])).toMatchObject({ orderId: 'refund re_1', total: -25 });
    // The app's own money movements are no sale, whoever's address the row names: each keeps a status that counts toward nothing.
    expect(row(['po_1', '2026-01-31', 'payout', '1250.00', 'b@example.com'])).toMatchObject({ orderId: 'payout po_1', status: 'payout' });
    expect(row(['fe_1', '2026-01-15', 'stripe_fee', '0.98', 'b@example.com'])).toMatchObject({ orderId: 'stripe_fee fe_1', status: 'fee' });
    expect(order(['TX-4', '31/01/2026', 'Commissione', '1,20', 'a@example.it'])).toMatchObject({ status: 'fee' });
    expect(order(['TX-5', '31/01/2026', 'Prelievo generico', '500,00', 'a@example.it'])).toMatchObject({ status: 'payout' });
    expect(order(['TX-6', '31/01/2026', 'Conversione di valuta generica', '12,00', 'a@example.it'])).toMatchObject({ status: 'adjustment' });
  });

  it('adds a house number in a column of its own to the street, once', () => {
    const plan = planOf(['Email', 'Indirizzo', 'Civico', 'CAP', 'Comune']);
    const line1 = (cells: string[]) => {
      const out = mapRow(cells, 2, plan, ctx);
      if (!out.accepted) throw new Error(out.reasons.join());
      return out.record.address?.line1;
    };
    expect(line1(['a@example.it', 'Via Roma', '12/B', '20121', 'Milano'])).toBe('Via Roma 12/B');
    expect(line1(['a@example.it', 'Via Roma 12', '12', '20121', 'Milano'])).toBe('Via Roma 12');
    expect(line1(['a@example.it', 'Via Roma', '', '20121', 'Milano'])).toBe('Via Roma');
    // No street: a number alone is no address.
    expect(line1(['a@example.it', '', '12', '20121', 'Milano'])).toBeUndefined();
  });

  it("splits a register's surname-first names, and reads a P.IVA/C.F. column's codice fiscale as the person's tax code", () => {
    const names = planOf(['Cognome e nome', 'E-mail']);
    const person = (plan: RowPlan, cells: string[]) => {
      const out = mapRow(cells, 2, plan, ctx);
      if (!out.accepted) throw new Error(out.reasons.join());
      return { person: out.record.person, company: out.record.company, ids: out.record.identifiers.map((i) => `${i.type}:${i.value}`) };
    };
    expect(person(names, ['ROSSI MARIO', 'm@example.it']).person).toEqual({ firstName: 'Mario', lastName: 'Rossi' });
    expect(person(names, ['DE LUCA MARIA GRAZIA', 'mg@example.it']).person).toEqual({ firstName: 'Maria Grazia', lastName: 'De Luca' });
    const register = planOf(['Nome/Ragione sociale', 'P.IVA/C.F.', 'Email']);
    expect(person(register, ['Ferri Impianti S.r.l.', '01234567897', 'a@example.it'])).toEqual({
      person: undefined,
      company: { name: 'Ferri Impianti S.r.l.', vatNumber: '01234567897' },
      ids: ['vatNumber:01234567897', 'email:a@example.it'],
    });
    // A private customer: the code is their tax code, and spells which words of the name are the surname.
    expect(person(register, ['ROSSI MARIO', 'RSSMRA80A01H501U', 'm@example.it'])).toEqual({
      person: { firstName: 'Mario', lastName: 'Rossi' },
      company: undefined,
      ids: ['taxCode:RSSMRA80A01H501U', 'email:m@example.it'],
    });
  });

  it("reads an invoicing tool's Denominazione as the private customer a codice fiscale says it is, and Referente as a company's contact", () => {
    // Easyfatt-style headers: one name column for businesses and private customers alike.
    const plan = planOf(['Cod.', 'Denominazione', 'Referente', 'e-mail', 'Codice fiscale', 'Partita Iva']);
    const person = (cells: string[]) => {
      const out = mapRow(cells, 2, plan, ctx);
      if (!out.accepted) throw new Error(out.reasons.join());
      return { person: out.record.person, company: out.record.company };
    };
    // Surname first or last, particles and two given names: the code's first six letters tell which words are which.
    expect(person(['1', 'ROSSI MARIO', '', 'm@example.it', 'RSSMRA80A01H501U', ''])).toEqual({ person: { firstName: 'Mario', lastName: 'Rossi' }, company: undefined });
    expect(person(['2', 'Maria Grazia De Luca', '', 'mg@example.it', 'DLCMGR70A41F205I', ''])).toEqual({ person: { firstName: 'Maria Grazia', lastName: 'De Luca' }, company: undefined });
    // A sole trader with a partita IVA keeps the business name too.
    expect(person(['3', 'ROSSI MARIO', '', 'm@example.it', 'RSSMRA80A01H501U', '01234567897'])).toEqual({
      person: { firstName: 'Mario', lastName: 'Rossi' },
      company: { name: 'Rossi Mario', vatNumber: '01234567897' },
    });
    // A code whose check character fails is no identifier (flagged), but its letters still spell the names.
    expect(person(['6', 'Verdi Giuseppina', '', 'g@example.it', 'VRDGPP75M41D704Z', ''])).toEqual({ person: { firstName: 'Giuseppina', lastName: 'Verdi' }, company: undefined });
    // A business (a company's 11-digit code, or a name the code does not spell) stays a business.
    expect(person(['4', 'Rossi Impianti', '', 'i@example.it', 'RSSMRA80A01H501U', ''])).toEqual({ person: undefined, company: { name: 'Rossi Impianti' } });
    expect(person(['7', 'Rossi Impianti', '', 'i@example.it', 'RSSMRA80A01H501A', ''])).toEqual({ person: undefined, company: { name: 'Rossi Impianti' } });
    expect(person(['5', 'Bianchi Arredamenti S.R.L.', 'Giorgio Bianchi', 'a@example.it', '01234567897', ''])).toEqual({
      person: { firstName: 'Giorgio', lastName: 'Bianchi' },
      company: { name: 'Bianchi Arredamenti S.r.l.' },
    });
  });

  it("reads Shopify's order export: a partial refund at what was kept, and an order's later lines as lines, not as new totals", () => {
    const plan = planOf(['Name', 'Email', 'Financial Status', 'Currency', 'Total', 'Created at', 'Lineitem name', 'Refunded Amount']);
    const order = (cells: string[]) => {
      const out = mapRow(cells, 2, plan, ctx);
      if (!out.accepted) throw new Error(out.reasons.join());
      return out.record.order;
    };
    expect(order(['#1043', 'm@example.it', 'partially_refunded', 'EUR', '200.00', '2026-07-03 09:00:00 +0200', 'Set regalo', '50.00'])).toMatchObject({ orderId: '#1043', status: 'partially_refunded', total: 150 });
    expect(order(['#1044', 'm@example.it', 'paid', 'EUR', '80.00', '2026-07-04 09:00:00 +0200', 'Borsa', '0.00'])).toMatchObject({ total: 80 });
    // A second line: the order's name and the e-mail, no total and no status (the resolver keeps the first line's).
    const line = order(['#1043', 'm@example.it', '', '', '', '2026-07-03 09:00:00 +0200', 'Borsa', '']);
    expect(line).toMatchObject({ orderId: '#1043' });
    expect(line?.total).toBeUndefined();
    expect(line?.status).toBeUndefined();
  });

  it("keeps the Shopify export's numeric Id as the order's ref (what orders/delete names it by), the name as its id", () => {
    const plan = planOf(['Name', 'Email', 'Financial Status', 'Currency', 'Total', 'Created at', 'Lineitem name', 'Id']);
    const out = mapRow(['#1042', 'm@example.it', 'paid', 'EUR', '129.90', '2026-07-03 09:00:00 +0200', 'Borsa', '5813927493756123456'], 2, plan, ctx);
    if (!out.accepted) throw new Error(out.reasons.join());
    expect(out.record.order).toMatchObject({ orderId: '#1042', ref: '5813927493756123456', total: 129.9 });
    expect(out.record.attributes).toEqual({ lineitemName: 'Borsa' });
  });

  it('keeps a row with a bad value, flagged with the field and reason', () => {
    const cells = ['C2', '', 'Anna', 'Verdi', 'anna@example.it', '', '', '', '', 'Atlantide', '31/02/1990', 'RSSMRA80A01H501A', 'forse'];
    const out = mapRow(cells, 2, planOf(IT_HEADERS), ctx);
    expect(out.accepted).toBe(true);
    if (out.accepted) {
      expect(out.record.flags).toEqual({
        'address.province': 'province.unknown',
        'person.birthDate': 'date.impossible',
        'identifiers.taxCode': 'taxCode.checksum',
        'consents.marketing_email': 'boolean.unknown',
      });
    }
  });

  it("flags a birth date that disagrees with the holder's own codice fiscale, and keeps the row's date", () => {
    const plan = planOf(IT_HEADERS);
    const of = (first: string, last: string, birth: string, code: string) => {
      const out = mapRow(['C3', '', first, last, 'r@example.it', '', '', '', '', '', birth, code, ''], 2, plan, ctx);
      if (!out.accepted) throw new Error(out.reasons.join());
      return { birthDate: out.record.person?.birthDate, flags: out.record.flags };
    };
    // RSSMRA80A01H501U: a man born on 1 January 1980. A day off is a typo in one of the two.
    expect(of('Mario', 'Rossi', '02/01/1980', 'RSSMRA80A01H501U')).toEqual({ birthDate: '1980-01-02', flags: { 'person.birthDate': 'birthDate.taxCodeDisagrees' } });
    expect(of('Mario', 'Rossi', '01/01/1981', 'RSSMRA80A01H501U').flags).toEqual({ 'person.birthDate': 'birthDate.taxCodeDisagrees' });
    expect(of('Mario', 'Rossi', '01/01/1980', 'RSSMRA80A01H501U').flags).toBeUndefined();
    // A woman's code counts her day from 41. The code states no century: only its two digits are weighed.
    expect(of('Maria', 'Rossi', '01/01/1980', 'RSSMRA80A41H501Y').flags).toBeUndefined();
    expect(of('Maria', 'Rossi', '11/01/1980', 'RSSMRA80A41H501Y').flags).toEqual({ 'person.birthDate': 'birthDate.taxCodeDisagrees' });
    // A parent's code on a child's account states the parent's birth, not a mistake.
    expect(of('Luca', 'Rossi', '01/01/2010', 'RSSMRA80A01H501U').flags).toBeUndefined();
  });

  it('rejects a row with nothing to resolve on, with the reasons of each failed identifier', () => {
    const cells = ['', '', 'Anna', 'Verdi', 'non-una-email', '12', '', '', '', '', '', '', ''];
    expect(mapRow(cells, 3, planOf(IT_HEADERS), ctx)).toEqual({ accepted: false, reasons: ['email.syntax', 'phone.syntax'] });
  });

  it('maps an order row with Italian amounts and its customer', () => {
    const plan = planOf(['Numero ordine', 'E-mail', 'Totale', 'Valuta', 'Data ordine', 'Stato ordine']);
    const out = mapRow(['A-77', 'a@example.it', '1.234,50', '', '03/02/2025 10:15', 'Pagato'], 2, plan, { ...ctx, source: 'shop' });
    expect(out.accepted && out.record.kind).toBe('order');
    if (out.accepted) {
      expect(out.record.order).toEqual({ orderId: 'A-77', total: 1234.5, currency: 'EUR', placedAt: '2025-02-03T10:15:00.000Z', status: 'pagato' });
      expect(out.record.occurredAt).toBe('2025-02-03T10:15:00.000Z');
      expect(out.record.lineage.recordKey).toBe('A-77');
    }
  });

  it("reads an order's currency from its amount's sign or its header's note where no column gives it", () => {
    const orderOf = (headers: string[], cells: string[]) => {
      const out = mapRow(cells, 2, planOf(headers), { ...ctx, source: 'shop' });
      if (!out.accepted) throw new Error(out.reasons.join());
      return out.record.order;
    };
    // eBay's and Airbnb's amounts carry their currency; they were all read as euro.
    expect(orderOf(['Order Number', 'Buyer Email', 'Total'], ['07-1', 'a@example.it', '£12.99'])).toMatchObject({ total: 12.99, currency: 'GBP' });
    expect(orderOf(['Order', 'Email', 'Total'], ['07-1', 'a@example.it', '$1,234.50'])).toMatchObject({ total: 1234.5, currency: 'USD' });
    expect(orderOf(['Order', 'Email', 'Total'], ['07-1', 'a@example.it', '450.00 CHF'])).toMatchObject({ total: 450, currency: 'CHF' });
    expect(orderOf(['Numero ordine', 'Email', 'Totale'], ['A-1', 'a@example.it', '€ 1.234,50'])).toMatchObject({ total: 1234.5, currency: 'EUR' });
    // The header's note, for a whole order and for its lines.
    expect(orderOf(['Order ID', 'Email', 'Total (USD)'], ['A-1', 'a@example.it', '99.90'])).toMatchObject({ total: 99.9, currency: 'USD' });
    expect(orderOf(['Numero ordine', 'Email', 'Codice articolo', 'Quantità', 'Prezzo unitario (CHF)'], ['A-1', 'a@example.it', 'TAV-02', '2', '10,50'])).toMatchObject({ total: 21, currency: 'CHF' });
    // A refunded amount's sign, where the total has none.
    expect(orderOf(['Order ID', 'Email', 'Total', 'Refunded Amount'], ['A-1', 'a@example.it', '20', '£5'])).toMatchObject({ total: 15, currency: 'GBP' });
    // A currency column says it; an unreadable one leaves it to the amount; nothing says it: euro, as before.
    expect(orderOf(['Order', 'Email', 'Total', 'Currency'], ['07-1', 'a@example.it', '$10', 'CAD'])).toMatchObject({ currency: 'CAD' });
    expect(orderOf(['Order', 'Email', 'Total', 'Currency'], ['07-1', 'a@example.it', '$10', 'dollari'])).toMatchObject({ currency: 'USD' });
    expect(orderOf(['Order', 'Email', 'Total'], ['07-1', 'a@example.it', '10.00'])).toMatchObject({ currency: 'EUR' });
  });

  it("maps a row of an order lines export to one line of its order, keyed alike in every export of that line", () => {
    const plan = planOf(['Numero ordine', 'Data ordine', 'E-mail', 'Codice articolo', 'Quantità', 'Prezzo', 'Importo', 'Stato']);
    const row = (status: string, amount = '1.250,00') => mapRow(['ORD-101', '03/02/2026', 'a@example.it', 'TAV-02', '1', '1.250,00', amount, status], 3, plan, ctx);
    const paid = row('evaso');
    const cancelled = row('annullato');
    expect(paid.accepted && paid.record.order).toMatchObject({ orderId: 'ORD-101', total: 1250, status: 'evaso', line: expect.stringMatching(/^~/) });
    // The order's state is not the line's identity: a later export of the line replaces it.
    expect(cancelled.accepted && cancelled.record.order?.line).toBe(paid.accepted && paid.record.order?.line);
    // Another amount is another line.
    const other = row('evaso', '1.125,00');
    expect(other.accepted && other.record.order?.line).not.toBe(paid.accepted && paid.record.order?.line);
    // Quantity times unit price, where no amount is given; a line number column is the key as it is.
    const priced = mapRow(['ORD-9', 'a@example.it', '4', '45,50', '2'], 2, planOf(['N. ordine', 'E-mail', 'Qtà', 'Prezzo unitario', 'Riga']), ctx);
    expect(priced.accepted && priced.record.order).toMatchObject({ orderId: 'ORD-9', total: 182, line: '2' });
    // An amount that cannot be read is flagged, and the row stays a line (of no amount), not the whole order.
    const unreadable = mapRow(['ORD-9', 'a@example.it', 'tre', '45,50', '3'], 4, planOf(['N. ordine', 'E-mail', 'Qtà', 'Prezzo unitario', 'Riga']), ctx);
    expect(unreadable.accepted && unreadable.record.order).toEqual({ orderId: 'ORD-9', currency: 'EUR', line: '3' });
    expect(unreadable.accepted && Object.keys(unreadable.record.flags ?? {})).toEqual(['order.quantity']);
    // A row that gives the whole order's total is the order, not a line of it.
    const whole = mapRow(['ORD-9', 'a@example.it', 'SED-01', '300,00'], 2, planOf(['Numero ordine', 'E-mail', 'Articolo', 'Totale ordine']), ctx);
    expect(whole.accepted && whole.record.order).toEqual({ orderId: 'ORD-9', total: 300, currency: 'EUR' });
  });

  it('numbers lines alike listed together under one order, so each counts, and numbers them alike in every export', () => {
    const plan = planOf(['Numero ordine', 'E-mail', 'Codice articolo', 'Quantità', 'Prezzo']);
    const rows = [
      ['ORD-1', 'a@example.it', 'CAFFE-1', '1', '2,50'],
      ['ORD-1', 'a@example.it', 'CAFFE-1', '1', '2,50'],
      ['ORD-1', 'a@example.it', 'ZUCCH-1', '1', '1,00'],
      ['ORD-1', 'a@example.it', 'CAFFE-1', '1', '2,50'],
      ['ORD-2', 'b@example.it', 'CAFFE-1', '1', '2,50'],
      ['ORD-1', 'a@example.it', 'CAFFE-1', '1', '2,50'],
    ];
    const ids = new Set<string>();
    const number = (): string[] => {
      let alike: AlikeLines = { seen: {} };
      return rows.map((cells, i) => {
        const out = mapRow(cells, i + 2, plan, ctx);
        if (!out.accepted) throw new Error(out.reasons.join());
        const n = numberAlikeLine(out.record, alike);
        alike = n.alike;
        ids.add(n.record.recordId);
        return n.record.order!.line!;
      });
    };
    const lines = number();
    // Rows alike share a record id (the resolver would take the second for a duplicate delivery); numbered ones do not.
    expect(ids.size).toBe(5);
    const caffe = lines[0]!;
    expect(caffe).toMatch(/^~[0-9a-f]{16}$/);
    // The first keeps the key it always had; the third alike line of ORD-1 is .3, though another article came between.
    expect(lines).toEqual([caffe, `${caffe}.2`, lines[2], `${caffe}.3`, caffe, caffe]);
    // Another order starts its own tally; ORD-1 listed again after it is a new run (the limit the README states).
    expect(number()).toEqual(lines);
    // A line number column keeps its own keys, untouched.
    const numbered = mapRow(['ORD-9', 'a@example.it', '4', '45,50', '2'], 2, planOf(['N. ordine', 'E-mail', 'Qtà', 'Prezzo unitario', 'Riga']), ctx);
    if (!numbered.accepted) throw new Error('rejected');
    const twice = numberAlikeLine(numbered.record, numberAlikeLine(numbered.record, { seen: {} }).alike);
    expect(twice.record.order?.line).toBe('2');
  });

  it('stops tallying an order past the limit of lines alike kept for a checkpoint', () => {
    const plan = planOf(['Numero ordine', 'E-mail', 'Codice articolo', 'Quantità', 'Prezzo']);
    let alike: AlikeLines = { seen: {} };
    const key = (article: string): string => {
      const out = mapRow(['ORD-1', 'a@example.it', article, '1', '1,00'], 2, plan, ctx);
      if (!out.accepted) throw new Error('rejected');
      const n = numberAlikeLine(out.record, alike);
      alike = n.alike;
      return n.record.order!.line!;
    };
    for (let i = 0; i < MAX_TALLIED_LINES; i++) key(`A${i}`);
    expect(Object.keys(alike.seen)).toHaveLength(MAX_TALLIED_LINES);
    const untallied = key('B');
    expect(key('B')).toBe(untallied);
    expect(key('A0')).toMatch(/\.2$/);
    expect(Object.keys(alike.seen)).toHaveLength(MAX_TALLIED_LINES);
  });

  it("a column mapped to order.test marks a test order; `no` is a real order, a word it cannot read is flagged", () => {
    const plan = planOf(['Numero ordine', 'E-mail', 'Totale', 'Prova'], { fields: { 'order.test': 'Prova' } });
    const test = (cell: string) => mapRow(['O-1', 'a@example.it', '10', cell], 2, plan, ctx);
    const yes = test('sì');
    expect(yes.accepted && yes.record.order).toMatchObject({ orderId: 'O-1', total: 10, test: true });
    for (const cell of ['no', '']) {
      const out = test(cell);
      expect(out.accepted && 'test' in out.record.order!).toBe(false);
    }
    const unread = test('forse');
    expect(unread.accepted && unread.record.flags).toEqual({ 'order.test': 'boolean.unknown' });
    expect(unread.accepted && 'test' in unread.record.order!).toBe(false);
  });

  it('rejects an order row without an order id', () => {
    const plan = planOf(['Numero ordine', 'E-mail', 'Totale']);
    expect(mapRow(['', 'a@example.it', '10'], 2, plan, ctx)).toEqual({ accepted: false, reasons: ['order.noOrderId'] });
  });

  it('an id too long to key the table by (over 200 UTF-8 bytes) is flagged, never written: a row with nothing else is rejected with the reason', () => {
    const plan = planOf(['Numero ordine', 'Codice cliente', 'E-mail', 'Totale']);
    const long = 'x'.repeat(201);
    expect(mapRow([long, 'C1', 'a@example.it', '10'], 2, plan, ctx)).toEqual({ accepted: false, reasons: ['order.idTooLong'] });
    const out = mapRow(['O-1', long, 'a@example.it', '10'], 2, plan, ctx);
    expect(out.accepted && out.record.identifiers).toEqual([{ type: 'email', value: 'a@example.it' }]);
    expect(out.accepted && out.record.flags).toEqual({ 'identifiers.externalId': 'externalId.tooLong' });
    expect(mapRow(['O-1', long, '', '10'], 2, plan, ctx)).toEqual({ accepted: false, reasons: ['externalId.tooLong'] });
    // Bytes, not characters: 100 accented letters are 200 bytes and kept; 101 are not.
    expect(mapRow(['O-1', 'è'.repeat(100), '', '10'], 2, plan, ctx).accepted).toBe(true);
    expect(mapRow(['O-1', 'è'.repeat(101), '', '10'], 2, plan, ctx)).toEqual({ accepted: false, reasons: ['externalId.tooLong'] });
    // A line key too long: the line is known by its content instead.
    const lines = planOf(['Numero ordine', 'Riga', 'Articolo', 'E-mail', 'Importo']);
    const line = mapRow(['O-1', long, 'SKU-1', 'a@example.it', '10'], 2, lines, ctx);
    expect(line.accepted && line.record.order?.line).toMatch(/^~/);
    expect(line.accepted && line.record.flags).toEqual({ 'order.line': 'order.lineTooLong' });
  });

  it('flags a birth date after the row was received, and keeps the row without it', () => {
    const plan = planOf(['Nome', 'Cognome', 'Email', 'Data di nascita']);
    const out = mapRow(['Mario', 'Rossi', 'mario.rossi@example.it', '12/05/2080'], 2, plan, ctx);
    expect(out.accepted && out.record.person).toEqual({ firstName: 'Mario', lastName: 'Rossi' });
    expect(out.accepted && out.record.flags).toEqual({ 'person.birthDate': 'birthDate.future' });
    // The day it was received is still a birth date (a newborn's account), as is any day before.
    const today = mapRow(['Mario', 'Rossi', 'mario.rossi@example.it', '01/01/2026'], 2, plan, ctx);
    expect(today.accepted && today.record.person?.birthDate).toBe('2026-01-01');
  });

  it("reads a cell that says the value is unknown (`-`, `n.d.`, `N/A`, `null`) as an empty one, but a consent's `-` as a no", () => {
    const plan = planOf(['Nome', 'Cognome', 'Email', 'Città', 'Fonte', 'Data di nascita', 'Newsletter']);
    for (const none of ['-', '?', 'n.d.', 'N/D', 'N/A', 'null', 'NaN', 'Sconosciuto', 'Non specificato']) {
      const out = mapRow([none, none, 'mario.rossi@example.it', none, none, none, '-'], 2, plan, ctx);
      if (!out.accepted) throw new Error(out.reasons.join());
      // No name, town, first touch or birth date, and nothing flagged: there was nothing to read.
      expect(out.record).not.toHaveProperty('person');
      expect(out.record).not.toHaveProperty('address');
      expect(out.record).not.toHaveProperty('lead');
      expect(out.record).not.toHaveProperty('flags');
      expect(out.record.consents?.map((c) => c.granted)).toEqual([false]);
    }
    // Names that only begin like one are names.
    const nadia = mapRow(['Nadia', 'Sanna', 'nadia@example.it', 'Napoli', 'Negozio', '', ''], 2, plan, ctx);
    expect(nadia.accepted && [nadia.record.person, nadia.record.address?.city, nadia.record.lead?.source]).toEqual([{ firstName: 'Nadia', lastName: 'Sanna' }, 'Napoli', 'negozio']);
  });

  it("reads no id from a yes, a no or a placeholder in an id column: the same for everyone, it would join them all", () => {
    const plan = planOf(['Codice cliente', 'Nome', 'Cognome', 'Email', 'Tessera']);
    const idsOf = (code: string, card: string) => {
      const out = mapRow([code, 'Mario', 'Rossi', 'mario.rossi@example.it', card], 2, plan, ctx);
      if (!out.accepted) throw new Error(out.reasons.join());
      return [out.record.identifiers.filter((i) => i.type !== 'email').map((i) => `${i.type}:${i.value}`), out.record.flags ?? {}];
    };
    // Whether the customer has a card, or no value typed as one.
    for (const none of ['Sì', 'No', 'X', '-', 'n.d.', 'N/A', 'Nessuna', '0', '000']) expect(idsOf(none, none)).toEqual([[], {}]);
    // A tier is no card number: flagged, so the report shows what the column holds.
    expect(idsOf('C001', 'Gold')).toEqual([['externalId:C001'], { 'identifiers.loyaltyCard': 'loyaltyCard.noNumber' }]);
    expect(idsOf('ROSSIMAR', '4410')).toEqual([['externalId:ROSSIMAR', 'loyaltyCard:4410'], {}]);
    // An order numbered by a placeholder is an order without a number.
    const orders = planOf(['Numero ordine', 'Email', 'Totale']);
    expect(mapRow(['-', 'mario.rossi@example.it', '10'], 2, orders, ctx)).toEqual({ accepted: false, reasons: ['order.noOrderId'] });
  });

  it("flags a masked payment card under a card header, never a loyalty card that would join every holder of its last digits", () => {
    const plan = planOf(['Nome', 'Email', 'Numero carta', 'Importo']);
    for (const masked of ['**** 4242', '424242******4242', 'XXXX-XXXX-XXXX-4242', '•••• 4242', 'Visa ending 4242', 'Mastercard terminante 4242']) {
      const out = mapRow(['Mario Rossi', 'mario.rossi@example.it', masked, '10'], 2, plan, ctx);
      expect(out.accepted && out.record.identifiers).toEqual([{ type: 'email', value: 'mario.rossi@example.it' }]);
      expect(out.accepted && out.record.flags).toEqual({ 'identifiers.loyaltyCard': 'loyaltyCard.masked' });
    }
    // Alone, it leaves nothing to resolve on: the row is rejected with the reason.
    expect(mapRow(['Mario Rossi', '', '**** 4242', '10'], 2, plan, ctx)).toEqual({ accepted: false, reasons: ['loyaltyCard.masked'] });
    // A loyalty card's number, spaced or with a letter prefix, is kept.
    for (const [card, kept] of [['2000 1234 5678 9', '2000123456789'], ['FID-004411', 'FID-004411']] as const) {
      const out = mapRow(['Mario Rossi', '', card, '10'], 2, plan, ctx);
      expect(out.accepted && out.record.identifiers).toEqual([{ type: 'loyaltyCard', value: kept }]);
    }
  });

  it('keeps the first 20 identifiers of a row and flags the rest: the resolver writes a record in one transaction', () => {
    const headers = Array.from({ length: 25 }, (_, i) => `Email ${i + 1}`);
    const plan = planOf(headers, { fields: { 'identifiers.email': headers } });
    const out = mapRow(headers.map((_, i) => `p${i}@example.it`), 2, plan, ctx);
    expect(out.accepted && out.record.identifiers.map((i) => i.value)).toEqual(headers.slice(0, 20).map((_, i) => `p${i}@example.it`));
    expect(out.accepted && out.record.flags).toEqual({ 'identifiers.email': 'identifiers.tooMany' });
  });

  it('splits a full name, surname first when the mapping says so', () => {
    const plan = planOf(['Nominativo', 'Email'], { nameOrder: 'lastFirst' });
    const out = mapRow(['DE LUCA MARIA GRAZIA', 'm@example.it'], 2, plan, ctx);
    expect(out.accepted && out.record.person).toEqual({ firstName: 'Maria Grazia', lastName: 'De Luca' });
    const plan2 = planOf(['Nominativo', 'Email'], { nameOrder: 'lastFirst' });
    const out2 = mapRow(['ROSSI MARIO', 'm@example.it'], 2, plan2, ctx);
    expect(out2.accepted && out2.record.person).toEqual({ firstName: 'Mario', lastName: 'Rossi' });
    const out3 = mapRow(['Anna Maria de Luca', 'm@example.it'], 2, planOf(['Nominativo', 'Email']), ctx);
    expect(out3.accepted && out3.record.person).toEqual({ firstName: 'Anna Maria', lastName: 'de Luca' });
    const out4 = mapRow(['Maria Van der Berg', 'm@example.it'], 2, planOf(['Nominativo', 'Email']), ctx);
    expect(out4.accepted && out4.record.person).toEqual({ firstName: 'Maria', lastName: 'van der Berg' });
  });

  it('splits a full name written with a comma surname first, whatever the column says; a suffix or title after it is dropped', () => {
    const person = (name: string, mapping?: unknown, headers = ['Nominativo', 'Email'], cells = [name, 'm@example.it']) => {
      const out = mapRow(cells, 2, planOf(headers, mapping), ctx);
      return out.accepted ? out.record.person : out.reasons;
    };
    // Before, `Rossi, Mario` was a Mr `Mario` called `Rossi,`.
    expect(person('Rossi, Mario')).toEqual({ firstName: 'Mario', lastName: 'Rossi' });
    expect(person('DE LUCA, MARIA GRAZIA')).toEqual({ firstName: 'Maria Grazia', lastName: 'De Luca' });
    expect(person('Bauerly, Addison', { nameOrder: 'firstLast' })).toEqual({ firstName: 'Addison', lastName: 'Bauerly' });
    expect(person('Mario Rossi, Jr.')).toEqual({ firstName: 'Mario', lastName: 'Rossi' });
    expect(person('ROSSI MARIO, Dott.', { nameOrder: 'lastFirst' })).toEqual({ firstName: 'Mario', lastName: 'Rossi' });
    // The person's codice fiscale still decides.
    expect(person('Mario, Rossi', undefined, ['Nominativo', 'Codice fiscale', 'Email'], ['Mario, Rossi', 'RSSMRA80A01H501U', 'm@example.it'])).toEqual({ firstName: 'Mario', lastName: 'Rossi' });
    // A register's bare `Nome` holding the whole name, surname first with a comma.
    expect(person('Rossi, Mario', undefined, ['Nome', 'Email'])).toEqual({ firstName: 'Mario', lastName: 'Rossi' });
    expect(person('Anna Maria', undefined, ['Nome', 'Email'])).toEqual({ firstName: 'Anna Maria' });
  });

  it("splits a full name by the person's own codice fiscale, whichever order the register wrote it in", () => {
    const plan = planOf(['Nominativo', 'Codice fiscale', 'Email']);
    const person = (cells: string[], p = plan) => {
      const out = mapRow(cells, 2, p, ctx);
      return out.accepted ? out.record.person : undefined;
    };
    // A bare `Nominativo` is read first name first, unless the code says otherwise.
    expect(person(['ROSSI MARIO', 'RSSMRA80A01H501U', 'm@example.it'])).toMatchObject({ firstName: 'Mario', lastName: 'Rossi' });
    expect(person(['Mario Rossi', 'RSSMRA80A01H501U', 'm@example.it'])).toMatchObject({ firstName: 'Mario', lastName: 'Rossi' });
    expect(person(['Mario Rossi', 'RSSMRA80A01H501U', 'm@example.it'], planOf(['Nominativo', 'Codice fiscale', 'Email'], { nameOrder: 'lastFirst' }))).toMatchObject({ firstName: 'Mario', lastName: 'Rossi' });
    // Two-word surnames and names: the code's letters decide where one ends (DE LUCA: DLC; MARIA GRAZIA: MGR).
    expect(person(['DE LUCA MARIA GRAZIA', 'DLCMGR80A41H501C', 'm@example.it'])).toMatchObject({ firstName: 'Maria Grazia', lastName: 'De Luca' });
    // Mistyped past its name letters (the check character fails), the code still tells.
    expect(person(['ROSSI MARIO', 'RSSMRA80A01H501X', 'm@example.it'])).toMatchObject({ firstName: 'Mario', lastName: 'Rossi' });
    // Another person's code, or none: the register's order.
    expect(person(['ROSSI MARIO', 'BNCLCU85C12F205X', 'm@example.it'])).toMatchObject({ firstName: 'Rossi', lastName: 'Mario' });
    expect(person(['ROSSI MARIO', '', 'm@example.it'])).toMatchObject({ firstName: 'Rossi', lastName: 'Mario' });
  });

  it("reads a register's bare Nome as its client's whole name or business, as the codice fiscale or the legal form says", () => {
    // An invoicing tool's clients (`Nome` is the client's name or business name) and a list of postal senders.
    const plan = planOf(['Codice', 'Nome', 'Indirizzo', 'CAP', 'Città', 'Partita IVA', 'Codice fiscale', 'Email']);
    const read = (cells: string[], p = plan) => {
      const out = mapRow(cells, 2, p, ctx);
      if (!out.accepted) throw new Error(out.reasons.join());
      return { person: out.record.person, company: out.record.company };
    };
    expect(read(['C1', 'ROSSI MARIO', 'Via Roma 1', '20100', 'Milano', '', 'RSSMRA80A01H501U', 'm@example.it'])).toEqual({
      person: { firstName: 'Mario', lastName: 'Rossi' },
      company: undefined,
    });
    expect(read(['C2', 'ROSSI IMPIANTI SRL', 'Via Po 2', '10100', 'Torino', '01234567897', '01234567897', 'info@rossi-impianti.it'])).toEqual({
      person: undefined,
      company: { name: 'Rossi Impianti S.r.l.', vatNumber: '01234567897' },
    });
    // Without a code that spells it, a name stays as it was written: a newsletter's `Nome` is a first name.
    expect(read(['C3', 'Anna Maria', '', '', '', '', '', 'a@example.it'])).toEqual({ person: { firstName: 'Anna Maria' }, company: undefined });
    expect(read(['C4', 'Mario Rossi', '', '', '', '', 'BNCLCU85C12F205X', 'm@example.it']).person).toEqual({ firstName: 'Mario Rossi' });
    // A shop's or a CRM's `Name` may be a business too; a company column of the row names it first.
    expect(read(['a@example.it', 'Bianchi & Figli S.n.c.'], planOf(['Email', 'Name']))).toEqual({ person: undefined, company: { name: 'Bianchi & Figli S.n.c.' } });
    expect(read(['a@example.it', 'Verdi Srl', 'Verdi Group'], planOf(['Email', 'Name', 'Company']))).toEqual({ person: undefined, company: { name: 'Verdi Group' } });
    expect(read(['a@example.it', 'Luca Spadoni'], planOf(['Email', 'Name'])).person).toEqual({ firstName: 'Luca', lastName: 'Spadoni' });
  });

  it('keys rows without a key column by their content, so identical rows dedupe wherever they are', () => {
    const plan = planOf(['Email', 'Nome']);
    const a = mapRow(['a@example.it', 'Anna'], 2, plan, ctx);
    const b = mapRow(['a@example.it', 'Anna'], 9, plan, ctx);
    if (!a.accepted || !b.accepted) throw new Error('expected accepted rows');
    expect(a.record.recordId).toBe(b.record.recordId);
    expect(a.record.lineage.line).toBe(2);
    expect(b.record.lineage.line).toBe(9);
  });

  it('records consent proof from the columns that carry it', () => {
    const plan = planOf(['Email Address', 'First Name', 'Last Name', 'MEMBER_RATING', 'OPTIN_TIME', 'OPTIN_IP', 'CC']);
    const out = mapRow(['a@example.it', 'Anna', 'Verdi', '3', '2025-03-01 10:00:00', '203.0.113.9', 'IT'], 2, plan, { ...ctx, source: 'newsletter' });
    expect(out.accepted && out.record.consents).toEqual([
      { purpose: 'marketing_email', granted: true, at: '2025-03-01T10:00:00.000Z', proof: { form: 'import:newsletter', ip: '203.0.113.9' } },
    ]);
    expect(out.accepted && out.record.identifiers).toEqual([{ type: 'email', value: 'a@example.it' }]);
  });

  it("reads Brevo's identifiers (SMS, WHATSAPP, LANDLINE_NUMBER, EXT_ID), and a bare SMS that says yes or no as the SMS consent", () => {
    const brevo = planOf(['EMAIL', 'NOME', 'COGNOME', 'SMS', 'WHATSAPP', 'LANDLINE_NUMBER', 'EXT_ID']);
    const out = mapRow(['g@example.it', 'Giulia', 'Ferri', '393331234567', '+39 340 111 2233', '+390212345678', 'C42'], 2, brevo, ctx);
    expect(out.accepted && out.record.identifiers).toEqual([
      { type: 'email', value: 'g@example.it' },
      { type: 'externalId', value: 'C42', namespace: 'erp' },
      { type: 'phone', value: '+393331234567' },
      { type: 'phone', value: '+393401112233' },
      { type: 'phone', value: '+390212345678' },
    ]);
    expect(out.accepted && out.record.consents).toBeUndefined();
    const grid = planOf(['Email', 'Newsletter', 'SMS']);
    const yes = mapRow(['g@example.it', 'Sì', 'No'], 2, grid, ctx);
    expect(yes.accepted && yes.record.consents?.map((c) => [c.purpose, c.granted])).toEqual([
      ['marketing_email', true],
      ['marketing_sms', false],
    ]);
    expect(yes.accepted && yes.record.identifiers).toEqual([{ type: 'email', value: 'g@example.it' }]);
  });

  it("reads an Outlook contact's home address where it has no business one", () => {
    const outlook = planOf(['First Name', 'Last Name', 'E-mail Address', 'Business Phone', 'Home Phone', 'Mobile Phone', 'Business Street', 'Business City', 'Business Postal Code', 'Business State', 'Business Country/Region', 'Home Street', 'Home City', 'Home Postal Code', 'Home State', 'Home Country/Region']);
    const address = (cells: string[]) => {
      const out = mapRow(cells, 2, outlook, ctx);
      return out.accepted ? out.record.address : undefined;
    };
    const home = ['Via Roma 1', 'Bologna', '40121', 'BO', 'Italia'];
    // A private customer: only the home address.
    expect(address(['Giulia', 'Ferri', 'g@example.it', '', '051 123456', '', '', '', '', '', '', ...home])).toEqual({ line1: 'Via Roma 1', city: 'Bologna', postalCode: '40121', province: 'BO', region: 'Emilia-Romagna', country: 'IT' });
    // A business contact: the business address, whatever the home columns say.
    expect(address(['Luca', 'Conti', 'l@conti.it', '02 1234567', '', '', 'Via Dante 5', 'Milano', '20121', 'MI', 'Italia', ...home])).toEqual({ line1: 'Via Dante 5', city: 'Milano', postalCode: '20121', province: 'MI', region: 'Lombardia', country: 'IT' });
  });

  it("reads a Google contact's second address where its first is empty", () => {
    const google = planOf(['Given Name', 'Family Name', 'E-mail 1 - Value', 'Address 1 - Street', 'Address 1 - City', 'Address 1 - Postal Code', 'Address 2 - Street', 'Address 2 - Extended Address', 'Address 2 - City', 'Address 2 - Postal Code', 'Address 2 - Region']);
    const address = (cells: string[]) => {
      const out = mapRow(cells, 2, google, ctx);
      return out.accepted ? out.record.address : undefined;
    };
    const second = ['Via Roma 1', 'Scala B', 'Bologna', '40121', 'BO'];
    expect(address(['Giulia', 'Ferri', 'g@example.it', '', '', '', ...second])).toEqual({ line1: 'Via Roma 1', line2: 'Scala B', city: 'Bologna', postalCode: '40121', province: 'BO', region: 'Emilia-Romagna' });
    // With a first address, the first is the row's.
    expect(address(['Luca', 'Conti', 'l@example.it', 'Via Dante 5', 'Milano', '20121', ...second])).toEqual({ line1: 'Via Dante 5', city: 'Milano', postalCode: '20121' });
  });

  it('reads an Italian Outlook contact as an English one', () => {
    const outlook = planOf(['Nome', 'Cognome', 'Indirizzo posta elettronica', 'Ufficio', 'Abitazione', 'Cellulare', 'Via (uff.)', 'Città (uff.)', 'CAP (uff.)', 'Via (ab.)', 'Città (ab.)', 'CAP (ab.)', 'Provincia (ab.)', 'Paese/area geografica (ab.)', 'Cod. Fisc./P. IVA', 'Compleanno', 'Sesso']);
    const out = mapRow(['Maria Grazia', 'Del Conte', 'mg@example.it', '', '02 1234567', '', '', '', '', 'Via Roma 1', 'Milano', '20121', 'MI', 'Italia', 'DLCMGR70A41F205I', '01/01/1970', 'Non specificato'], 2, outlook, ctx);
    expect(out.accepted && out.record.identifiers).toEqual([
      { type: 'email', value: 'mg@example.it' },
      { type: 'taxCode', value: 'DLCMGR70A41F205I' },
      { type: 'phone', value: '+39021234567' },
    ]);
    expect(out.accepted && out.record.address).toEqual({ line1: 'Via Roma 1', city: 'Milano', postalCode: '20121', province: 'MI', region: 'Lombardia', country: 'IT' });
    // Outlook's `Non specificato` (every contact without a gender) is no value: the row carries no flag.
    expect(out.accepted && out.record.flags).toBeUndefined();
  });

  it("reads Excel's text apostrophe off values and record keys alike ('7381950947628)", () => {
    const plan = planOf(['Customer ID', 'First Name', 'Last Name', 'Email', 'Phone', 'Total Spent', 'Total Orders']);
    const out = mapRow(["'7381950947628", 'Giulia', 'Ferri', 'g@example.com', "'+393401112233", '10', '1'], 2, plan, { ...ctx, source: 'shopify' });
    expect(out.accepted && out.record.lineage.recordKey).toBe('7381950947628');
    expect(out.accepted && out.record.identifiers).toEqual([
      { type: 'externalId', value: '7381950947628', namespace: 'shopify' },
      { type: 'email', value: 'g@example.com' },
      { type: 'phone', value: '+393401112233' },
    ]);
  });
});
