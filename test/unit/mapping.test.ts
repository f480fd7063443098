import { describe, expect, it } from 'vitest';
import { detectExportFormat } from '../../lambdas/domain/headers.ts';
import { compilePlan, type Mapping, parseMapping } from '../../lambdas/domain/mapping.ts';

const paths = (headers: string[], mapping?: unknown) => {
  const parsed = mapping === undefined ? undefined : parseMapping(mapping);
  if (parsed && !parsed.ok) throw new Error(parsed.errors.join(';'));
  const plan = compilePlan(headers, 'erp', parsed?.mapping);
  if (!plan.ok) throw new Error(plan.error);
  return Object.fromEntries(plan.plan.fields.map((f) => [f.path, f.index === undefined ? `=${f.value}` : headers[f.index]]));
};

describe('parseMapping', () => {
  it('accepts the minimal form of the design', () => {
    const res = parseMapping({
      source: 'erp',
      kind: 'contact',
      format: { type: 'csv', delimiter: ';', encoding: 'windows-1252' },
      recordKey: 'Codice cliente',
      fields: {
        'person.firstName': 'Nome',
        'person.birthDate': { column: 'Data di nascita', format: 'dd/MM/yyyy' },
        'identifiers.email': 'E-mail',
      },
      defaults: { 'address.country': 'IT' },
    });
    expect(res.ok).toBe(true);
  });
  it('rejects unknown fields and keys, naming where they are', () => {
    const res = parseMapping({ fields: { 'person.shoeSize': 'Numero' }, colour: 'blue' });
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.errors.join('\n')).toMatch(/fields\.person\.shoeSize/);
      expect(res.errors.join('\n')).toMatch(/colour/);
    }
  });
  it('takes a time zone by its IANA name, and rejects one no zone is called', () => {
    expect(parseMapping({ format: { timeZone: 'Europe/Rome' }, fields: { occurredAt: { column: 'Data', timeZone: 'UTC' } } }).ok).toBe(true);
    const res = parseMapping({ format: { timeZone: 'Europe/Roma' } });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.errors).toEqual(['format.timeZone: unknown time zone: an IANA name such as "Europe/Rome"']);
    expect(parseMapping({ fields: { occurredAt: { column: 'Data', timeZone: '+01:00x' } } }).ok).toBe(false);
  });
  it('rejects a field spec with neither column nor value', () => {
    expect(parseMapping({ fields: { 'person.firstName': { format: 'auto' } } }).ok).toBe(false);
  });
});

describe('compilePlan', () => {
  it("reads an app's camelCase keys by their words, as their snake_case already was", () => {
    // An app's or an API's JSON export: before, its phone, e-mail address, company and date were unread.
    const headers = ['customerId', 'firstName', 'lastName', 'emailAddress', 'phoneNumber', 'createdAt', 'companyName', 'jobTitle', 'streetAddress', 'zipCode', 'countryCode', 'smsOptIn'];
    expect(paths(headers)).toEqual({
      'identifiers.externalId': 'customerId',
      'person.firstName': 'firstName',
      'person.lastName': 'lastName',
      'identifiers.email': 'emailAddress',
      'identifiers.phone': 'phoneNumber',
      occurredAt: 'createdAt',
      'company.name': 'companyName',
      'company.role': 'jobTitle',
      'address.line1': 'streetAddress',
      'address.postalCode': 'zipCode',
      'address.country': 'countryCode',
      'consents.marketing_sms': 'smsOptIn',
    });
    // MailUp's recipients: its `IDCliente` is the customer's code; its order aggregates and a brand's capitals name nothing.
    expect(paths(['Email', 'Nome', 'IDCliente', 'DataUltimoOrdine', 'TotaleUltimoOrdine', 'TotaleFatturato', 'eBay Username', 'LinkedInUrl'])).toEqual({
      'identifiers.email': 'Email',
      'person.firstName': 'Nome',
      'identifiers.externalId': 'IDCliente',
    });
  });

  it('recognises Italian headers by synonym, ignoring case and accents', () => {
    expect(paths(['Codice Cliente', 'NOME', 'Cognome', 'E-Mail', 'Cellulare', 'Telefono', 'Città', 'Prov.', 'C.F.'])).toEqual({
      'identifiers.externalId': 'Codice Cliente',
      'person.firstName': 'NOME',
      'person.lastName': 'Cognome',
      'identifiers.email': 'E-Mail',
      'identifiers.phone': 'Telefono',
      'address.city': 'Città',
      'address.province': 'Prov.',
      'identifiers.taxCode': 'C.F.',
    });
  });
  it("recognises a synonym written with its articles and prepositions otherwise (Data di registrazione, Iscritto alla newsletter)", () => {
    expect(paths(['E-mail', 'Numero di cellulare', 'Data di registrazione', 'Iscritto alla newsletter', 'Consenso al trattamento dei dati', 'Consenso alla profilazione'])).toEqual({
      'identifiers.email': 'E-mail',
      'identifiers.phone': 'Numero di cellulare',
      occurredAt: 'Data di registrazione',
      'consents.marketing_email': 'Iscritto alla newsletter',
      'consents.privacy_notice': 'Consenso al trattamento dei dati',
      'consents.profiling': 'Consenso alla profilazione',
    });
    expect(paths(['Email', 'Numero telefono', "Codice dell'ordine", 'Totale'])).toMatchObject({ 'identifiers.phone': 'Numero telefono', 'order.orderId': "Codice dell'ordine" });
    // An Italian privacy form's wording of the marketing purpose.
    for (const header of ['Consenso per finalità di marketing', 'Consenso a finalità promozionali', 'Consenso alle comunicazioni commerciali']) {
      expect(paths(['Email', header])['consents.marketing_email']).toBe(header);
    }
    // Only the linking words: another word is another header.
    expect(paths(['Email', 'Data di iscrizione al corso'])).toEqual({ 'identifiers.email': 'Email' });
    // And only between two words: a first or last one is the header's own (an ad's name is no person's).
    expect(paths(['Email', 'ad_name', 'Nome al'])).toEqual({ 'identifiers.email': 'Email' });
  });

  it('reads a birthday column as the birth date and a named newsletter opt-in as consent, but no bare Subscribed', () => {
    expect(paths(['email', 'Birthday', 'Email Opt-In'])).toEqual({
      'identifiers.email': 'email',
      'person.birthDate': 'Birthday',
      'consents.marketing_email': 'Email Opt-In',
    });
    expect(paths(['E-mail', 'Compleanno', 'Iscrizione newsletter'])).toEqual({
      'identifiers.email': 'E-mail',
      'person.birthDate': 'Compleanno',
      'consents.marketing_email': 'Iscrizione newsletter',
    });
    // A site's registration or a plan's subscription is no consent to marketing.
    const plan = compilePlan(['email', 'Subscribed', 'Iscritto'], 'shop');
    if (!plan.ok) throw new Error(plan.error);
    expect(plan.plan.unmapped).toEqual(['Subscribed', 'Iscritto']);
  });
  it('takes every e-mail and phone column, numbered or qualified, but not a PEC', () => {
    const plan = compilePlan(['Codice', 'Email', 'Email 2', 'E-mail secondaria', 'Telefono', 'Tel. ufficio', 'Cellulare casa', 'Email PEC', 'Codice 2'], 'erp');
    if (!plan.ok) throw new Error(plan.error);
    expect(plan.plan.fields.map((f) => f.path)).toEqual(['identifiers.externalId', 'identifiers.email', 'identifiers.email', 'identifiers.email', 'identifiers.phone', 'identifiers.phone', 'identifiers.phone']);
    expect(plan.plan.unmapped).toEqual(['Email PEC', 'Codice 2']);
    // English puts the word first: a CRM's `Work Email`, `Other Phone`; not a company's switchboard.
    const english = compilePlan(['Name', 'Email', 'Secondary Email', 'Work Email', 'Personal Email', 'Other Phone', 'Company Main Phone'], 'crm');
    if (!english.ok) throw new Error(english.error);
    expect(english.plan.fields.map((f) => f.path)).toEqual(['person.fullName', 'identifiers.email', 'identifiers.email', 'identifiers.email', 'identifiers.email', 'identifiers.phone']);
    expect(english.plan.unmapped).toEqual(['Company Main Phone']);
  });
  it("reads a restaurant's bookings and a hotel's stays: the guest, the booking's date, its state; a stay with its amount a sale", () => {
    // A restaurant's bookings: the state is the booking's, not a country.
    expect(paths(['Data', 'Ora', 'Nome', 'Cognome', 'Email', 'Telefono', 'Persone', 'Stato', 'Newsletter'])).toEqual({
      occurredAt: 'Data',
      'occurredAt.time': 'Ora',
      'person.firstName': 'Nome',
      'person.lastName': 'Cognome',
      'identifiers.email': 'Email',
      'identifiers.phone': 'Telefono',
      'consents.marketing_email': 'Newsletter',
    });
    expect(paths(['Data prenotazione', 'Orario', 'Guest name', 'Guest Email', 'Telefono ospite'])).toEqual({
      occurredAt: 'Data prenotazione',
      'occurredAt.time': 'Orario',
      'person.fullName': 'Guest name',
      'identifiers.email': 'Guest Email',
      'identifiers.phone': 'Telefono ospite',
    });
    // An appointment's time of day, named as the appointment's (a booking app's `Appointment Time`, `Ora appuntamento`).
    expect(paths(['Customer Name', 'Customer Email', 'Appointment Date', 'Appointment Time', 'Service', 'Staff'])).toMatchObject({
      occurredAt: 'Appointment Date',
      'occurredAt.time': 'Appointment Time',
      'interaction.subject': 'Service',
    });
    expect(paths(['Paziente', 'Telefono', 'Data visita', 'Ora visita'])).toMatchObject({ occurredAt: 'Data visita', 'occurredAt.time': 'Ora visita' });
    // A register's `Stato` is still the country.
    expect(paths(['Nome', 'Cognome', 'Email', 'Stato'])).toMatchObject({ 'address.country': 'Stato' });
    // A hotel's stays: each a sale of its guest, known by the booking's number, dated by the arrival.
    const stays = ['Check-in', 'Check-out', 'Nome ospite', 'Email', 'Telefono', 'Camera', 'Totale', 'Stato', 'Numero prenotazione'];
    expect(compilePlan(stays, 'hotel')).toMatchObject({ ok: true, plan: { kind: 'order', recordKey: [8] } });
    expect(paths(stays)).toEqual({
      occurredAt: 'Check-in',
      'person.fullName': 'Nome ospite',
      'identifiers.email': 'Email',
      'identifiers.phone': 'Telefono',
      'order.total': 'Totale',
      'order.status': 'Stato',
      'order.orderId': 'Numero prenotazione',
    });
    // Without an amount, a booking's number names no sale.
    expect(paths(['Numero prenotazione', 'Data prenotazione', 'Email'])).toEqual({ occurredAt: 'Data prenotazione', 'identifiers.email': 'Email' });
    // When the stay was booked dates it before the arrival does, whichever column comes first; the bare `Ospite` is the
    // guest, and a stay's `Total Price` its amount.
    expect(paths(['Arrivo', 'Partenza', 'Numero prenotazione', 'Data prenotazione', 'Ospite', 'Telefono', 'Totale'])).toEqual({
      occurredAt: 'Data prenotazione',
      'order.orderId': 'Numero prenotazione',
      'person.fullName': 'Ospite',
      'identifiers.phone': 'Telefono',
      'order.total': 'Totale',
    });
    expect(paths(['Reservation ID', 'Booked On', 'Arrival', 'Departure', 'Guest', 'Email', 'Total Price', 'Status'])).toEqual({
      'order.orderId': 'Reservation ID',
      occurredAt: 'Booked On',
      'person.fullName': 'Guest',
      'identifiers.email': 'Email',
      'order.total': 'Total Price',
      'order.status': 'Status',
    });
    // Elsewhere a `Total Price` may be one article's (an order's lines), and stays a line's amount or unread.
    expect(paths(['Order ID', 'Order Created', 'Email', 'SKU', 'Qty', 'Price', 'Total Price'])).not.toHaveProperty('order.total');
  });

  it("reads a form plugin's export: Contact Form 7's your-name and your-email, Gravity Forms' Name (Last), a form's Il tuo nome", () => {
    // CFDB7 and Flamingo export Contact Form 7's field names as they are: the file was refused for having no identifier.
    const cf7 = compilePlan(['your-name', 'your-email', 'your-subject', 'your-message', 'your-phone', 'acceptance-privacy', 'submit_time', 'submit_ip'], 'sito');
    expect(cf7).toMatchObject({ ok: true, plan: { kind: 'interaction', unmapped: ['submit_ip'] } });
    expect(paths(['your-name', 'your-email', 'your-subject', 'your-message', 'your-phone', 'acceptance-privacy', 'submit_time'])).toEqual({
      'person.fullName': 'your-name',
      'identifiers.email': 'your-email',
      'interaction.subject': 'your-subject',
      'interaction.summary': 'your-message',
      'identifiers.phone': 'your-phone',
      'consents.privacy_notice': 'acceptance-privacy',
      occurredAt: 'submit_time',
    });
    expect(paths(['Name (First)', 'Name (Last)', 'Email', 'Entry Date'])).toEqual({
      'person.firstName': 'Name (First)',
      'person.lastName': 'Name (Last)',
      'identifiers.email': 'Email',
      occurredAt: 'Entry Date',
    });
    expect(paths(['Il tuo nome', 'La tua email', 'Il tuo messaggio'])).toEqual({
      'person.firstName': 'Il tuo nome',
      'identifiers.email': 'La tua email',
      'interaction.summary': 'Il tuo messaggio',
    });
  });

  it("reads a sign-up list's English names: Forename, Suburb, Preferred Language, Date Joined, Signup Source, opt-ins", () => {
    expect(paths(['Forename', 'Surname', 'Email', 'Suburb', 'Province/State', 'Preferred Language', 'Date Joined', 'Signup Source', 'Marketing Opt-in', 'SMS Opt-in'])).toEqual({
      'person.firstName': 'Forename',
      'person.lastName': 'Surname',
      'identifiers.email': 'Email',
      'address.city': 'Suburb',
      'address.province': 'Province/State',
      'person.language': 'Preferred Language',
      occurredAt: 'Date Joined',
      'lead.source': 'Signup Source',
      'consents.marketing_email': 'Marketing Opt-in',
      'consents.marketing_sms': 'SMS Opt-in',
    });
  });
  it('lets the mapping win over synonyms and adds constants and defaults', () => {
    const got = paths(['Mail', 'Tel', 'Nome'], { fields: { 'identifiers.email': 'Mail', 'attributes.canale': { value: 'fiera' } }, defaults: { 'address.country': 'IT' } });
    expect(got).toMatchObject({ 'identifiers.email': 'Mail', 'attributes.canale': '=fiera', 'address.country': '=IT', 'identifiers.phone': 'Tel', 'person.firstName': 'Nome' });
  });
  it('fails naming the mapping column the file lacks', () => {
    const parsed = parseMapping({ fields: { 'identifiers.email': 'Posta' } });
    if (!parsed.ok) throw new Error('mapping should parse');
    const plan = compilePlan(['Email'], 'erp', parsed.mapping);
    expect(plan).toMatchObject({ ok: false, error: 'mapping.columnMissing' });
    if (!plan.ok) expect(plan.detail).toContain('"Posta"');
  });
  it('fails a file without any identifying column', () => {
    expect(compilePlan(['Colore', 'Taglia'], 'erp')).toEqual({ ok: false, error: 'header.noIdentifierColumn' });
  });
  it('names the columns no field is mapped from, by header, or by position where the header could be a value', () => {
    const unmapped = (headers: string[], mapping?: unknown) => {
      const parsed = mapping === undefined ? undefined : parseMapping(mapping);
      if (parsed && !parsed.ok) throw new Error(parsed.errors.join(';'));
      const plan = compilePlan(headers, 'erp', parsed?.mapping);
      if (!plan.ok) throw new Error(plan.error);
      return plan.plan.unmapped;
    };
    expect(unmapped(['Codice', 'Email', 'Fatturato 2025', '', 'Note interne'])).toEqual(['Fatturato 2025', 'column 4', 'Note interne']);
    // A header line ending in the separator has no column after it.
    expect(unmapped(['Codice', 'Email', 'Agente', '', ''])).toEqual(['Agente']);
    // Headers that read like values: an e-mail, a phone number, a date, a bare number, a sentence.
    expect(unmapped(['Email', 'mario@example.it', '333 1234567', '3331234567', '12/03/1975', '42', 'Lorem ipsum dolor sit amet, consectetur adipiscing'])).toEqual(
      ['column 2', 'column 3', 'column 4', 'column 5', 'column 6', 'column 7'],
    );
    // Mapped by column number only: the first row may be someone's data, so it names nothing.
    expect(unmapped(['Mario', 'Rossi', 'mario@example.it'], { synonyms: false, fields: { 'identifiers.email': 3, 'person.lastName': 2 } })).toEqual(['column 1']);
    expect(unmapped(['Email', 'Nome'])).toEqual([]);
  });
  it('detects an order export and keys records by order id', () => {
    const plan = compilePlan(['Numero ordine', 'Email', 'Totale', 'Data ordine'], 'shop');
    expect(plan.ok && plan.plan.kind).toBe('order');
    expect(plan.ok && plan.plan.recordKey).toEqual([0]);
    // WooCommerce's orders as an export plugin writes them: the currency too, or a USD order reads as EUR.
    expect(paths(['order_id', 'order_date', 'status', 'order_total', 'order_currency', 'billing_first_name', 'billing_email'])).toMatchObject({
      'order.orderId': 'order_id',
      'order.total': 'order_total',
      'order.currency': 'order_currency',
      'identifiers.email': 'billing_email',
    });
  });

  it("reads Stato as the order's state in an orders file, and as a country elsewhere", () => {
    expect(paths(['Numero ordine', 'E-mail', 'Totale', 'Data ordine', 'Stato'])).toMatchObject({ 'order.status': 'Stato' });
    expect(paths(['Numero ordine', 'E-mail', 'Totale', 'Stato', 'Stato ordine'])).toMatchObject({ 'order.status': 'Stato ordine', 'address.country': 'Stato' });
    expect(paths(['Nome', 'Cognome', 'E-mail', 'Stato'])).toMatchObject({ 'address.country': 'Stato' });
  });

  it("reads Referente as the person only where the file has no name columns of the person's own", () => {
    expect(paths(['Ragione sociale', 'Referente', 'E-mail'])).toMatchObject({ 'person.fullName': 'Referente' });
    // A people tool's owner of the contact (a sales rep) is not the contact: left unmapped, and named as such.
    const plan = compilePlan(['Nome', 'Cognome', 'E-mail', 'Referente'], 'crm');
    expect(plan.ok && plan.plan.fields.map((f) => f.path)).not.toContain('person.fullName');
    expect(plan.ok && plan.plan.unmapped).toEqual(['Referente']);
    // An invoicing tool's clients: the bare `Nome` is the client's (a business's or a person's), the `Referente` its contact.
    expect(paths(['Codice', 'Nome', 'Referente', 'Email', 'PEC', 'P.IVA', 'Cod. fiscale'])).toEqual({
      'identifiers.externalId': 'Codice',
      'company.name': 'Nome',
      'person.fullName': 'Referente',
      'identifiers.email': 'Email',
      'identifiers.vatNumber': 'P.IVA',
      'identifiers.taxCode': 'Cod. fiscale',
    });
    // Not without a partita IVA, nor beside a surname or a company's own column.
    expect(paths(['Nome', 'Referente', 'Email'])).toMatchObject({ 'person.firstName': 'Nome' });
    expect(paths(['Nome', 'Cognome', 'Referente', 'P.IVA', 'Email'])).toMatchObject({ 'person.firstName': 'Nome', 'person.lastName': 'Cognome' });
    expect(paths(['Ragione sociale', 'Nome', 'Referente', 'P.IVA', 'Email'])).toMatchObject({ 'company.name': 'Ragione sociale', 'person.firstName': 'Nome' });
  });

  it("reads what the customer paid as the order's total: VAT included, paid, in the currency its header names; not a net or a subtotal", () => {
    for (const total of ['Totale IVA inclusa', 'Totale ivato', 'Totale pagato', 'Importo pagato', 'Prezzo totale', 'Amount Paid', 'Importo (EUR)', 'Total (EUR)']) {
      expect(paths(['Numero ordine', 'Data creazione ordine', 'Email', total, 'Imponibile', 'Subtotal'])).toEqual({
        'order.orderId': 'Numero ordine',
        'order.placedAt': 'Data creazione ordine',
        'identifiers.email': 'Email',
        'order.total': total,
      });
    }
    // A total in another currency by its header is the total, in that currency (the row mapper reads it so).
    for (const [total, currency] of [['Total (USD)', 'USD'], ['Amount in GBP', 'GBP'], ['Totale CHF', 'CHF'], ['Total $', 'USD'], ['Totale (£)', 'GBP']] as const) {
      const plan = compilePlan(['Order ID', 'Email', total], 'shop');
      expect(plan.ok && plan.plan.fields.find((f) => f.path === 'order.total')).toEqual({ path: 'order.total', index: 2, currency });
    }
    // Euro, as any amount is read without a note: the plan (and its records' ids) as without the note.
    expect(compilePlan(['Order ID', 'Email', 'Importo (€)'], 'shop')).toEqual(compilePlan(['Order ID', 'Email', 'Importo'], 'shop'));
    // A currency after a header that is no amount's reads as nothing.
    expect(paths(['Email', 'Nome', 'Fatturato (EUR)', 'Codice USD'])).toEqual({ 'identifiers.email': 'Email', 'person.firstName': 'Nome' });
    // Beside a line's columns, a line's price and name.
    expect(paths(['Numero ordine', 'Email', 'Nome prodotto', 'Quantità', 'Prezzo unitario', 'Prezzo totale'])).toMatchObject({
      'order.product': 'Nome prodotto',
      'order.lineTotal': 'Prezzo totale',
    });
  });

  it("reads an order lines export's bare amount as the line's, and line columns only beside an order id", () => {
    const lines = ['Numero ordine', 'Data ordine', 'E-mail', 'Codice articolo', 'Quantità', 'Prezzo', 'Importo'];
    expect(paths(lines)).toMatchObject({ 'order.product': 'Codice articolo', 'order.quantity': 'Quantità', 'order.unitPrice': 'Prezzo', 'order.lineTotal': 'Importo' });
    const plan = compilePlan(lines, 'erp');
    expect(plan.ok && plan.plan.kind).toBe('order');
    // Quantity and price alone make an order file too; the amount is their product.
    expect(compilePlan(['Numero ordine', 'E-mail', 'Qtà', 'Prezzo unitario'], 'erp')).toMatchObject({ ok: true, plan: { kind: 'order' } });
    // A line amount named as such leaves a bare one to the order, and the order's total stays the order's.
    expect(paths([...lines, 'Importo riga'])).toMatchObject({ 'order.total': 'Importo', 'order.lineTotal': 'Importo riga' });
    expect(paths(['Numero ordine', 'E-mail', 'Articolo', 'Totale ordine'])).toMatchObject({ 'order.total': 'Totale ordine', 'order.product': 'Articolo' });
    // A description names the article where no code does, and is left unmapped beside one (not a contact's note).
    expect(paths(['Numero ordine', 'E-mail', 'Descrizione', 'Qtà', 'Importo'])).toMatchObject({ 'order.product': 'Descrizione', 'order.lineTotal': 'Importo' });
    expect(compilePlan([...lines, 'Descrizione'], 'erp')).toMatchObject({ ok: true, plan: { unmapped: ['Descrizione'] } });
    expect(paths(['Numero ordine', 'E-mail', 'Descrizione', 'Importo'])).toMatchObject({ 'interaction.summary': 'Descrizione', 'order.total': 'Importo' });
    // Without line columns `Importo` is the order's; without an order id, `Prezzo` is nobody's.
    expect(paths(['Numero ordine', 'E-mail', 'Importo'])).toMatchObject({ 'order.total': 'Importo' });
    expect(Object.keys(paths(['E-mail', 'Prezzo', 'Articolo']))).not.toContain('order.unitPrice');
  });

  it("reads a bare Codice beside an order's line columns as the article's, not as a customer code", () => {
    // The article list's `Codice`/`Descrizione`: read as a customer code, every article was a customer id shared by
    // everyone who bought it.
    const lines = ['Numero ordine', 'Data', 'Email', 'Codice', 'Descrizione', 'Quantità', 'Prezzo', 'Totale'];
    expect(paths(lines)).toEqual({
      'order.orderId': 'Numero ordine',
      occurredAt: 'Data',
      'identifiers.email': 'Email',
      'order.product': 'Codice',
      'order.quantity': 'Quantità',
      'order.unitPrice': 'Prezzo',
      'order.total': 'Totale',
    });
    expect(paths(['Numero ordine', 'E-mail', 'Cod.', 'Qtà', 'Importo'])).toMatchObject({ 'order.product': 'Cod.' });
    // Where a column names the article, the bare code is the customer's; outside a lines file too.
    expect(paths(['Numero ordine', 'Codice', 'Ragione sociale', 'Articolo', 'Quantità', 'Prezzo'])).toMatchObject({ 'identifiers.externalId': 'Codice', 'order.product': 'Articolo' });
    expect(paths(['Numero ordine', 'Codice', 'Email', 'Totale'])).toMatchObject({ 'identifiers.externalId': 'Codice' });
    expect(paths(['Codice', 'Nome', 'Cognome', 'Email'])).toMatchObject({ 'identifiers.externalId': 'Codice' });
  });

  it("reads a bare Ordine, Order #, a receipt's number or a payment's id beside an order's amount as the order's id: each row a sale", () => {
    for (const id of ['Ordine', 'Order', 'Order #', 'Nr. ordine', 'Num. ordine', 'Ordine n.', 'Ordine nr.', 'Order nr', 'OrderID', 'Numero scontrino', 'N. scontrino', 'Receipt number', 'Receipt No.']) {
      const plan = compilePlan([id, 'Data', 'Email', 'Totale'], 'shop');
      expect(plan.ok && [plan.plan.kind, plan.plan.recordKey, plan.plan.fields.find((f) => f.path === 'order.orderId')?.index, plan.plan.unmapped]).toEqual(['order', [0], 0, []]);
    }
    // A file of orders' dates and amounts keys its rows by its bare id: each row an order, not a customer of its own.
    for (const id of ['ID', 'Codice', 'Numero', 'N.', 'Nr']) {
      expect(paths([id, 'Data ordine', 'Email', 'Totale ordine'])).toEqual({ 'order.orderId': id, 'order.placedAt': 'Data ordine', 'identifiers.email': 'Email', 'order.total': 'Totale ordine' });
    }
    // A card terminal's or a payment app's transactions: each a sale, known by its id, its state the payment's.
    const terminal = ['Email', 'Data', 'Codice transazione', 'Tipo di pagamento', 'Stato', 'Tipo di carta', 'Ultime 4 cifre', 'Importo totale', 'Descrizione'];
    expect(compilePlan(terminal, 'cassa')).toMatchObject({ ok: true, plan: { kind: 'order', recordKey: [2] } });
    expect(paths(terminal)).toMatchObject({ 'order.orderId': 'Codice transazione', 'order.status': 'Stato', 'order.total': 'Importo totale' });
    expect(paths(['Transaction ID', 'Date', 'Email', 'Amount'])).toMatchObject({ 'order.orderId': 'Transaction ID', 'order.total': 'Amount' });
    // Its transaction's type says which rows are refunds (see the row mapper's test); outside a file of sales it is unread.
    expect(paths(['Transaction ID', 'Date', 'Transaction Type', 'Amount', 'Email'])).toMatchObject({ 'order.documentType': 'Transaction Type' });
    expect(paths(['Codice transazione', 'Tipo transazione', 'Email', 'Nome'])).toEqual({ 'identifiers.email': 'Email', 'person.firstName': 'Nome' });
    // A ticket's or a donation's payer.
    expect(paths(['Order', 'Purchaser First Name', 'Purchaser Last Name', 'Purchaser Email'])).toEqual({
      'person.firstName': 'Purchaser First Name',
      'person.lastName': 'Purchaser Last Name',
      'identifiers.email': 'Purchaser Email',
    });
    // The card such a file names is the one the sale was paid with: its last four digits are no loyalty card.
    expect(paths(['Codice transazione', 'Data', 'Importo', 'Numero carta', 'Email'])).toEqual({
      'order.orderId': 'Codice transazione',
      occurredAt: 'Data',
      'order.total': 'Importo',
      'identifiers.email': 'Email',
    });
    expect(paths(['Transaction ID', 'Order ID', 'Amount', 'Card number', 'Email'])).not.toHaveProperty('identifiers.loyaltyCard');
    expect(paths(['Numero ordine', 'Totale', 'Circuito', 'Numero carta', 'Email'])).not.toHaveProperty('identifiers.loyaltyCard');
    // A till's receipts, a register: the shop's own card.
    expect(paths(['Numero scontrino', 'Totale', 'Numero carta', 'Email'])).toMatchObject({ 'identifiers.loyaltyCard': 'Numero carta' });
    // A sale's `VAT` is the tax it bore, not a VAT number (every row's amount was flagged as one); a register's is the number.
    expect(paths(['Order ID', 'Email', 'Subtotal', 'VAT', 'Total'])).not.toHaveProperty('identifiers.vatNumber');
    expect(paths(['Date', 'Receipt number', 'Customer email', 'Net', 'VAT', 'Total'])).toEqual({
      occurredAt: 'Date',
      'order.orderId': 'Receipt number',
      'identifiers.email': 'Customer email',
      'order.total': 'Total',
    });
    expect(paths(['Company', 'VAT', 'Email', 'Phone'])).toMatchObject({ 'identifiers.vatNumber': 'VAT' });
    expect(paths(['Nome', 'Cognome', 'Email', 'Numero carta'])).toMatchObject({ 'identifiers.loyaltyCard': 'Numero carta' });
    expect(paths(['Codice transazione', 'Importo', 'Tessera fedeltà', 'Email'])).toMatchObject({ 'identifiers.loyaltyCard': 'Tessera fedeltà' });
    // Beside an invoice's number, that is the order's id.
    expect(paths(['Data', 'Nome', 'Codice transazione', 'Numero fattura', 'Email', 'Importo'])).toMatchObject({ 'order.orderId': 'Numero fattura' });
    expect(paths(['Data', 'Nome', 'Codice transazione', 'Numero fattura', 'Email', 'Importo'])).not.toHaveProperty('order.ref');
    // Not without the amount, nor where a column names the order's id, nor in a known tool's export.
    expect(paths(['Order', 'Nome', 'Email'])).toEqual({ 'person.firstName': 'Nome', 'identifiers.email': 'Email' });
    expect(paths(['ID', 'Data ordine', 'Numero ordine', 'Email', 'Totale'])).toMatchObject({ 'identifiers.externalId': 'ID', 'order.orderId': 'Numero ordine' });
    // Without an order's date, a bare id may be the customer's (a register with what each one spent).
    expect(paths(['ID', 'Nome', 'Email', 'Totale'])).toEqual({ 'identifiers.externalId': 'ID', 'person.firstName': 'Nome', 'identifiers.email': 'Email' });
  });

  it("names an order's amount in a file with no order id as unread, with why, and refuses a mapping that asks for it", () => {
    // Read into no order (an order is kept by its id), the donations' amounts were dropped without a word.
    const plan = compilePlan(['Nome', 'Cognome', 'Email', 'Importo', 'Valuta', 'Data ordine'], 'donazioni');
    if (!plan.ok) throw new Error(plan.error);
    expect(plan.plan.kind).toBe('contact');
    expect(plan.plan.fields.map((f) => f.path)).toEqual(['person.firstName', 'person.lastName', 'identifiers.email', 'order.placedAt']);
    expect(plan.plan.unmapped).toEqual(['Importo', 'Valuta']);
    expect(plan.plan.unread).toEqual({ Importo: 'order.noOrderIdColumn', Valuta: 'order.noOrderIdColumn' });
    // In the file's order, as the report lists them.
    expect(Object.keys(plan.plan.unread!)).toEqual(['Importo', 'Valuta']);
    // A mapping that asks for an order's amount without its id is a mistake, named; with the id (its own or found by
    // its header) it is read.
    const asked = compilePlan(['Nome', 'Email', 'Offerta'], 'donazioni', (parseMapping({ fields: { 'order.total': 'Offerta' } }) as { ok: true; mapping: Mapping }).mapping);
    expect(asked).toMatchObject({ ok: false, error: 'mapping.orderWithoutId' });
    expect(!asked.ok && asked.detail).toContain('order.total');
    expect(paths(['Nome', 'Email', 'Offerta', 'Ricevuta'], { fields: { 'order.total': 'Offerta', 'order.orderId': 'Ricevuta' } })).toMatchObject({ 'order.total': 'Offerta', 'order.orderId': 'Ricevuta' });
    expect(paths(['Nome', 'Email', 'Offerta', 'Numero ordine'], { fields: { 'order.total': 'Offerta' } })).toMatchObject({ 'order.total': 'Offerta', 'order.orderId': 'Numero ordine' });
    // A value the mapping gives every row (a source's currency) is no column, and stays.
    expect(paths(['Nome', 'Email'], { defaults: { 'order.currency': 'CHF' } })).toMatchObject({ 'order.currency': '=CHF' });
  });

  it("reads a booking system's appointments as interactions: the service is what the visit was for, Stato the appointment's", () => {
    // Before, the rows were contacts and `Stato` (`Confermato`, `Annullato`) was read as their country.
    const agenda = ['Cliente', 'Telefono', 'Email', 'Data', 'Ora', 'Servizio', 'Operatore', 'Stato', 'Prezzo', 'Note'];
    const plan = compilePlan(agenda, 'agenda');
    expect(plan.ok && [plan.plan.kind, plan.plan.unmapped]).toEqual(['interaction', ['Operatore', 'Stato', 'Prezzo']]);
    expect(paths(agenda)).toEqual({
      // The one who booked, by name: a household's visits booked from one phone stay apart by it.
      'person.fullName': 'Cliente',
      'identifiers.phone': 'Telefono',
      'identifiers.email': 'Email',
      occurredAt: 'Data',
      'occurredAt.time': 'Ora',
      'interaction.subject': 'Servizio',
      'interaction.summary': 'Note',
    });
    expect(paths(['Nome', 'Cognome', 'Cellulare', 'Data appuntamento', 'Trattamento', 'Status'])).toEqual({
      'person.firstName': 'Nome',
      'person.lastName': 'Cognome',
      'identifiers.phone': 'Cellulare',
      occurredAt: 'Data appuntamento',
      'interaction.subject': 'Trattamento',
    });
    // A register's service (the one a customer has), with no visit's time, stays unread; a subject stays the subject.
    expect(compilePlan(['Codice', 'Ragione sociale', 'Email', 'Servizio', 'Data registrazione'], 'erp')).toMatchObject({ ok: true, plan: { kind: 'contact', unmapped: ['Servizio'] } });
    expect(paths(['Email', 'Data', 'Ora', 'Oggetto', 'Servizio'])).toMatchObject({ 'interaction.subject': 'Oggetto' });
    expect(paths(['Date', 'Time', 'Client', 'Service', 'Staff', 'Mobile'])).toMatchObject({ 'person.fullName': 'Client' });
    expect(paths(['Data', 'Ora', 'Paziente', 'Prestazione', 'Medico', 'Telefono'])).toMatchObject({ 'person.fullName': 'Paziente' });
    // Beside the person's own name columns, in an orders file (it may hold a code) and in a vet's agenda (the animal), it stays unread.
    expect(Object.values(paths(['Data', 'Ora', 'Cliente', 'Nome', 'Cognome', 'Servizio', 'Telefono']))).not.toContain('Cliente');
    expect(Object.values(paths(['Numero ordine', 'Data', 'Cliente', 'Totale', 'Email']))).not.toContain('Cliente');
    expect(Object.values(paths(['Data', 'Ora', 'Paziente', 'Nome animale', 'Prestazione', 'Proprietario', 'Telefono proprietario']))).not.toContain('Paziente');
  });

  it("reads a register's bare Tipo as no interaction's type: the customer's kind, left for a mapping", () => {
    // Before, each row of the register was an interaction of type `Privato` or `Azienda`, touched at the ERP.
    expect(compilePlan(['Codice', 'Tipo', 'Ragione sociale', 'Email'], 'erp')).toMatchObject({ ok: true, plan: { kind: 'contact', unmapped: ['Tipo'] } });
    expect(compilePlan(['Codice', 'Type', 'Name', 'Email'], 'crm')).toMatchObject({ ok: true, plan: { unmapped: ['Type'] } });
    // A file of interactions keeps it: a ticket's, a call log's (its time of day), one with notes.
    expect(paths(['Data', 'Ora', 'Tipo', 'Telefono'])).toMatchObject({ 'interaction.type': 'Tipo' });
    expect(paths(['Data', 'Tipo', 'Email', 'Note'])).toMatchObject({ 'interaction.type': 'Tipo', 'interaction.summary': 'Note' });
    expect(paths(['Data', 'Tipo', 'Email', 'Oggetto'])).toMatchObject({ 'interaction.type': 'Tipo', 'interaction.subject': 'Oggetto' });
    expect(paths(['Email', 'Tipo contatto'])).toMatchObject({ 'interaction.type': 'Tipo contatto' });
  });

  it("reads a helpdesk's tickets as interactions of the requester, not of the agent", () => {
    const tickets = ['Ticket ID', 'Subject', 'Status', 'Priority', 'Source', 'Type', 'Agent', 'Agent Email', 'Created time', 'Requester Name', 'Requester Email', 'Requester Phone'];
    const plan = compilePlan(tickets, 'helpdesk');
    if (!plan.ok) throw new Error(plan.error);
    expect(paths(tickets)).toEqual({
      'interaction.subject': 'Subject',
      // The channel the ticket came by, not how the person was won.
      'interaction.touchpoint': 'Source',
      'interaction.type': 'Type',
      occurredAt: 'Created time',
      'person.fullName': 'Requester Name',
      'identifiers.email': 'Requester Email',
      'identifiers.phone': 'Requester Phone',
    });
    expect(plan.plan.kind).toBe('interaction');
    // The ticket's state is no country; the agent's address is no identifier of the customer's.
    expect(plan.plan.unmapped).toEqual(['Ticket ID', 'Status', 'Priority', 'Agent', 'Agent Email']);
    // Zendesk's tickets export (its columns in its order, the metrics after them left out): `Via` is the channel the
    // ticket came by (`Mail`, `Web form`), which was read as the requester's street.
    const zendesk = ['Summation column', 'Id', 'Requester', 'Requester id', 'Requester external id', 'Requester email', 'Requester domain', 'Submitter', 'Assignee', 'Group', 'Subject', 'Tags', 'Status', 'Priority', 'Via', 'Ticket type', 'Created at', 'Updated at', 'Organization', 'Solved at', 'Satisfaction Score'];
    expect(paths(zendesk)).toEqual({
      'person.fullName': 'Requester',
      'identifiers.externalId': 'Requester id',
      'identifiers.email': 'Requester email',
      'interaction.subject': 'Subject',
      'interaction.touchpoint': 'Via',
      'interaction.type': 'Ticket type',
      occurredAt: 'Created at',
      'company.name': 'Organization',
    });
    // A bare id or code there is the ticket's: no customer id of the requester's (each ticket would give one).
    expect(paths(['Id', 'Subject', 'Requester email', 'Created at'])).toEqual({ 'interaction.subject': 'Subject', 'identifiers.email': 'Requester email', occurredAt: 'Created at' });
    expect(paths(['Codice', 'Oggetto', 'Email', 'Data apertura'])).not.toHaveProperty('identifiers.externalId');
    expect(paths(['Codice cliente', 'Oggetto', 'Email'])).toMatchObject({ 'identifiers.externalId': 'Codice cliente' });
    // Outside a file of interactions, `Source` is still the lead source, `Stato` the country and `Via` the street.
    expect(paths(['Nome', 'Cognome', 'E-mail', 'Source', 'Stato', 'Via'])).toMatchObject({ 'lead.source': 'Source', 'address.country': 'Stato', 'address.line1': 'Via' });
    expect(compilePlan(['Nome', 'Cognome', 'E-mail'], 'erp')).toMatchObject({ ok: true, plan: { kind: 'contact' } });
  });

  it("prefers a column named as the customer's to a bare one, and reads an Italian 'Nome cliente' as the whole name", () => {
    // Zendesk-like: the bare `Id` is the ticket's, `Requester id` the person's; `Requester` is the person's name.
    expect(paths(['Id', 'Requester', 'Requester id', 'Requester email', 'Subject'])).toMatchObject({
      'identifiers.externalId': 'Requester id',
      'person.fullName': 'Requester',
      'identifiers.email': 'Requester email',
    });
    expect(compilePlan(['Id', 'Requester id', 'Requester email', 'Subject'], 'zd')).toMatchObject({ ok: true, plan: { recordKey: [1], unmapped: ['Id'] } });
    // The order of the columns does not matter.
    expect(paths(['Customer ID', 'ID', 'Email'])).toMatchObject({ 'identifiers.externalId': 'Customer ID' });
    expect(paths(['Data', 'Nome cliente', 'Telefono cliente', 'Email del cliente', 'Note'])).toMatchObject({
      'person.fullName': 'Nome cliente',
      'identifiers.phone': 'Telefono cliente',
      'identifiers.email': 'Email del cliente',
    });
    expect(paths(['Nome cliente', 'Cognome cliente', 'Email'])).toMatchObject({ 'person.firstName': 'Nome cliente', 'person.lastName': 'Cognome cliente' });
    // Only the person's fields: a customer type or a note on the customer is no field of the person.
    const plan = compilePlan(['Email', 'Tipo cliente', 'Customer Note', 'Cliente'], 'erp');
    expect(plan.ok && plan.plan.unmapped).toEqual(['Tipo cliente', 'Customer Note', 'Cliente']);
  });

  it("reads a WooCommerce orders export: the billing columns are the buyer's, the shipping ones no one's, the order number its id", () => {
    // Advanced Order Export for WooCommerce, its default columns (one row per article). Before, no column was an
    // identifier (`Email (Billing)`): the file was refused.
    const algol = [
      'Order Number', 'Order Status', 'Order Date', 'Customer Note', 'First Name (Billing)', 'Last Name (Billing)', 'Company (Billing)',
      'Address 1&2 (Billing)', 'City (Billing)', 'State Code (Billing)', 'Postcode (Billing)', 'Country Code (Billing)', 'Email (Billing)',
      'Phone (Billing)', 'First Name (Shipping)', 'Last Name (Shipping)', 'Address 1&2 (Shipping)', 'City (Shipping)', 'Postcode (Shipping)',
      'Payment Method Title', 'Order Subtotal Amount', 'Order Shipping Amount', 'Order Refund Amount', 'Order Total Amount', 'SKU',
      'Item Name', 'Quantity (- Refund)', 'Item Cost',
    ];
    expect(paths(algol)).toEqual({
      'order.orderId': 'Order Number',
      'order.status': 'Order Status',
      'order.placedAt': 'Order Date',
      'person.firstName': 'First Name (Billing)',
      'person.lastName': 'Last Name (Billing)',
      'company.name': 'Company (Billing)',
      'address.line1': 'Address 1&2 (Billing)',
      'address.city': 'City (Billing)',
      'address.province': 'State Code (Billing)',
      'address.postalCode': 'Postcode (Billing)',
      'address.country': 'Country Code (Billing)',
      'identifiers.email': 'Email (Billing)',
      'identifiers.phone': 'Phone (Billing)',
      'order.refunded': 'Order Refund Amount',
      'order.total': 'Order Total Amount',
      'order.product': 'SKU',
      'order.quantity': 'Quantity (- Refund)',
      'order.unitPrice': 'Item Cost',
    });
    expect(compilePlan(algol, 'shop')).toMatchObject({ ok: true, plan: { kind: 'order' } });
    // WP All Export's and a plugin's snake_case columns; of an order's id and number, the number (the webhook's).
    expect(paths(['Order ID', 'Order Key', 'Order Date', 'Order Total', 'Billing First Name', 'Billing Email Address', 'Billing Address 1'])).toMatchObject({
      'order.orderId': 'Order ID',
      'person.firstName': 'Billing First Name',
      'identifiers.email': 'Billing Email Address',
      'address.line1': 'Billing Address 1',
    });
    for (const headers of [['order_id', 'order_number', 'billing_email', 'order_total'], ['order_number', 'order_id', 'billing_email', 'order_total']]) {
      const plan = compilePlan(headers, 'shop');
      expect(plan.ok && plan.plan.fields.find((f) => f.path === 'order.orderId')?.index).toBe(headers.indexOf('order_number'));
      // The id is the order's ref: a binned order's webhook names it so.
      expect(plan.ok && plan.plan.fields.find((f) => f.path === 'order.ref')?.index).toBe(headers.indexOf('order_id'));
      expect(plan.ok && plan.plan.unmapped).toEqual([]);
    }
    // An Italian invoice's billing e-mail is the customer's too.
    expect(paths(['Numero ordine', 'Email di fatturazione', 'Indirizzo di fatturazione', 'Totale'])).toMatchObject({
      'identifiers.email': 'Email di fatturazione',
      'address.line1': 'Indirizzo di fatturazione',
    });
  });

  it("reads a CRM's persons export: Pipedrive's columns named by their record, Salesforce's mailing address", () => {
    // Pipedrive: before, no column was an identifier (`Person - Email - Work`), and the file was refused.
    const pipedrive = ['Person - Name', 'Person - Email - Work', 'Person - Email - Home', 'Person - Phone - Mobile', 'Person - Organization', 'Person - Owner', 'Person - Label'];
    const plan = compilePlan(pipedrive, 'crm');
    expect(plan.ok && plan.plan.fields.map((f) => [pipedrive[f.index!], f.path])).toEqual([
      ['Person - Name', 'person.fullName'],
      ['Person - Email - Work', 'identifiers.email'],
      ['Person - Email - Home', 'identifiers.email'],
      ['Person - Phone - Mobile', 'identifiers.phone'],
      ['Person - Organization', 'company.name'],
    ]);
    // The owner is the sales rep: nobody's field of the person.
    expect(plan.ok && plan.plan.unmapped).toEqual(['Person - Owner', 'Person - Label']);
    // Salesforce's contacts.
    expect(paths(['First Name', 'Last Name', 'Email', 'Mailing Street', 'Mailing City', 'Mailing State/Province', 'Mailing Zip/Postal Code', 'Mailing Country', 'Created Date'])).toMatchObject({
      'address.line1': 'Mailing Street',
      'address.city': 'Mailing City',
      'address.province': 'Mailing State/Province',
      'address.postalCode': 'Mailing Zip/Postal Code',
      'address.country': 'Mailing Country',
      occurredAt: 'Created Date',
    });
    // An association's members, a clinic's patients, an ERP's register: the member's or patient's code, since when,
    // where the contact came from.
    expect(paths(['Numero socio', 'Nome', 'Cognome', 'Email', 'Data tesseramento', 'Provenienza'])).toEqual({
      'identifiers.externalId': 'Numero socio',
      'person.firstName': 'Nome',
      'person.lastName': 'Cognome',
      'identifiers.email': 'Email',
      occurredAt: 'Data tesseramento',
      'lead.source': 'Provenienza',
    });
    // A clinic's patients, a club's members, a school's students, a site's users: their columns are the person's.
    expect(paths(['Codice paziente', 'Cognome paziente', 'Nome paziente', 'Telefono paziente', 'Email paziente'])).toEqual({
      'identifiers.externalId': 'Codice paziente',
      'person.lastName': 'Cognome paziente',
      'person.firstName': 'Nome paziente',
      'identifiers.phone': 'Telefono paziente',
      'identifiers.email': 'Email paziente',
    });
    expect(paths(['Cognome socio', 'Nome socio', 'Cellulare socio', 'Member Email'])).toEqual({
      'person.lastName': 'Cognome socio',
      'person.firstName': 'Nome socio',
      'identifiers.phone': 'Cellulare socio',
      'identifiers.email': 'Member Email',
    });
    expect(paths(['Studente', 'Email studente', 'Corso'])).toEqual({ 'identifiers.email': 'Email studente' });
    // A site's user's e-mail and phone, not its username or its visitor id; an Italian CRM's owner is the sales rep.
    expect(paths(['Nome utente', 'ID utente', 'Email utente', 'Telefono utente'])).toEqual({ 'identifiers.email': 'Email utente', 'identifiers.phone': 'Telefono utente' });
    expect(paths(['Nome', 'Cognome', 'Email', 'Proprietario contatto', 'Email proprietario'])).toEqual({ 'person.firstName': 'Nome', 'person.lastName': 'Cognome', 'identifiers.email': 'Email' });
    // An insurance agency's policyholders: the name, the codice fiscale (an identifier that links) named as theirs.
    expect(paths(['Contraente', 'Codice fiscale contraente', 'Numero polizza', 'Data scadenza', 'Premio', 'Email'])).toEqual({
      'person.fullName': 'Contraente',
      'identifiers.taxCode': 'Codice fiscale contraente',
      'identifiers.email': 'Email',
    });
    expect(paths(['Cognome contraente', 'Nome contraente', 'CF contraente', 'Cellulare'])).toEqual({
      'person.lastName': 'Cognome contraente',
      'person.firstName': 'Nome contraente',
      'identifiers.taxCode': 'CF contraente',
      'identifiers.phone': 'Cellulare',
    });
    // The insured beside the policyholder is someone else: the policyholder's columns are the person's.
    expect(paths(['Contraente', 'Assicurato', 'Codice fiscale assicurato', 'Codice fiscale contraente'])).toEqual({
      'person.fullName': 'Contraente',
      'identifiers.taxCode': 'Codice fiscale contraente',
    });
    expect(paths(['Assicurato', 'Targa', 'Telefono'])).toEqual({ 'person.fullName': 'Assicurato', 'identifiers.phone': 'Telefono' });
    // A B2B register: its contact person's own e-mail and mobile, the registered office's address; a shop's owner and
    // sign; a course's participant; an account's holder.
    expect(paths(['Ragione sociale', 'Indirizzo sede legale', 'CAP', 'Città', 'Referente', 'Email referente', 'Cellulare del referente', 'PEC'])).toEqual({
      'company.name': 'Ragione sociale',
      'address.line1': 'Indirizzo sede legale',
      'address.postalCode': 'CAP',
      'address.city': 'Città',
      'person.fullName': 'Referente',
      'identifiers.email': 'Email referente',
      'identifiers.phone': 'Cellulare del referente',
    });
    expect(paths(['Ragione sociale', 'Nome referente', 'Cognome referente', 'Email referente'])).toEqual({
      'company.name': 'Ragione sociale',
      'person.firstName': 'Nome referente',
      'person.lastName': 'Cognome referente',
      'identifiers.email': 'Email referente',
    });
    // Beside the person's own names, the contact person is someone else (a sales rep): nor are their columns read.
    expect(paths(['Nome', 'Cognome', 'Email', 'Referente', 'Email referente', 'Cellulare referente'])).toEqual({ 'person.firstName': 'Nome', 'person.lastName': 'Cognome', 'identifiers.email': 'Email' });
    expect(paths(['Titolare', 'Insegna', 'P.IVA', 'Email'])).toEqual({ 'person.fullName': 'Titolare', 'company.name': 'Insegna', 'identifiers.vatNumber': 'P.IVA', 'identifiers.email': 'Email' });
    expect(paths(['Corsista', 'Email corsista', 'Corso'])).toEqual({ 'person.fullName': 'Corsista', 'identifiers.email': 'Email corsista' });
    expect(paths(['Intestatario', 'IBAN', 'Email'])).toEqual({ 'person.fullName': 'Intestatario', 'identifiers.email': 'Email' });
    // An invoicing tool's documents still read their `Intestatario` as the name the document is made out to.
    expect(paths(['Tipo documento', 'Numero', 'Data', 'Intestatario', 'P.IVA', 'Totale documento'])).toMatchObject({ 'company.name': 'Intestatario' });
    // A charity's donors (a file of only `Donor …` columns was refused), a landlord's tenants.
    expect(paths(['Donor Name', 'Donor Email', 'Donation Amount', 'Donation Date', 'Payment Method'])).toEqual({
      'person.fullName': 'Donor Name',
      'identifiers.email': 'Donor Email',
      occurredAt: 'Donation Date',
    });
    expect(paths(['Donatore', 'Email donatore', 'Data donazione', 'Importo donazione'])).toEqual({ 'person.fullName': 'Donatore', 'identifiers.email': 'Email donatore', occurredAt: 'Data donazione' });
    expect(paths(['Inquilino', 'Codice fiscale inquilino', 'Immobile', 'Canone'])).toEqual({ 'person.fullName': 'Inquilino', 'identifiers.taxCode': 'Codice fiscale inquilino' });
    // A vet's register: the owner is the customer, the patient the animal.
    expect(paths(['Nome paziente', 'Specie', 'Razza', 'Proprietario', 'Telefono proprietario', 'Email del proprietario'])).toEqual({
      'person.fullName': 'Proprietario',
      'identifiers.phone': 'Telefono proprietario',
      'identifiers.email': 'Email del proprietario',
    });
    expect(paths(['Nome animale', 'Cognome proprietario', 'Nome proprietario', 'Cellulare proprietario'])).toEqual({
      'person.lastName': 'Cognome proprietario',
      'person.firstName': 'Nome proprietario',
      'identifiers.phone': 'Cellulare proprietario',
    });
    // A gym's or a salon's clients: the customer's number, since when, the mobile.
    expect(paths(['Numero cliente', 'Nome', 'Cognome', 'Tel. cellulare', 'Data adesione', 'Telefono emergenza'])).toEqual({
      'identifiers.externalId': 'Numero cliente',
      'person.firstName': 'Nome',
      'person.lastName': 'Cognome',
      'identifiers.phone': 'Tel. cellulare',
      occurredAt: 'Data adesione',
    });
    expect(paths(['Square Customer ID', 'First Name', 'Surname', 'Email Address', 'First Visit', 'Last Visit'])).toMatchObject({
      'identifiers.externalId': 'Square Customer ID',
      occurredAt: 'First Visit',
    });
    // A shop plugin's Italian billing columns; TheFork's title.
    expect(paths(['Numero ordine', 'Email (fatturazione)', 'Indirizzo 1 (fatturazione)', 'Indirizzo 2 (fatturazione)', 'Totale'])).toMatchObject({
      'address.line1': 'Indirizzo 1 (fatturazione)',
      'address.line2': 'Indirizzo 2 (fatturazione)',
    });
    expect(paths(['Civilità', 'Nome', 'Cognome', 'Email'])).toMatchObject({ 'person.title': 'Civilità' });
    for (const code of ['Codice socio', 'N. socio', 'Member ID', 'Codice paziente', 'Patient ID', 'Codice anagrafica']) {
      expect(paths([code, 'Email'])).toEqual({ 'identifiers.externalId': code, 'identifiers.email': 'Email' });
    }
    expect(paths(['Ragione sociale', 'Partita I.V.A.', 'Via', 'Num. civico', 'Email', 'Cliente dal', 'Canale di acquisizione'])).toEqual({
      'company.name': 'Ragione sociale',
      'identifiers.vatNumber': 'Partita I.V.A.',
      'address.line1': 'Via',
      'address.houseNumber': 'Num. civico',
      'identifiers.email': 'Email',
      occurredAt: 'Cliente dal',
      'lead.source': 'Canale di acquisizione',
    });
    // Where the person lives: an Italian register's residence, Eventbrite's attendees' home address.
    expect(paths(['Nome', 'Cognome', 'Comune di nascita', 'Indirizzo di residenza', 'CAP residenza', 'Comune di residenza', 'Provincia di residenza', 'Email'])).toEqual({
      'person.firstName': 'Nome',
      'person.lastName': 'Cognome',
      'address.line1': 'Indirizzo di residenza',
      'address.postalCode': 'CAP residenza',
      'address.city': 'Comune di residenza',
      'address.province': 'Provincia di residenza',
      'identifiers.email': 'Email',
    });
    expect(paths(['First Name', 'Last Name', 'Email', 'Home Address 1', 'Home Address 2', 'Home City', 'Home State', 'Home Zip', 'Home Country'])).toMatchObject({
      'address.line1': 'Home Address 1',
      'address.line2': 'Home Address 2',
      'address.city': 'Home City',
      'address.province': 'Home State',
      'address.postalCode': 'Home Zip',
      'address.country': 'Home Country',
    });
  });

  it("reads a marketing tool's consent and block-list columns, and an ERP's last change as the row's date", () => {
    // Klaviyo's profiles (`Email Marketing Consent`: SUBSCRIBED, NEVER_SUBSCRIBED, UNSUBSCRIBED).
    expect(paths(['Email', 'First Name', 'Email Marketing Consent', 'SMS Consent', 'Created'])).toMatchObject({
      'consents.marketing_email': 'Email Marketing Consent',
      'consents.marketing_sms': 'SMS Consent',
      occurredAt: 'Created',
    });
    // Brevo's contacts: a block-listed address has opted out.
    expect(paths(['EMAIL', 'FIRSTNAME', 'OPT_IN', 'EMAIL_BLACKLISTED', 'SMS_BLACKLISTED', 'ADDED_TIME'])).toMatchObject({
      'consents.marketing_email': 'OPT_IN',
      'consents.marketing_email.optOut': 'EMAIL_BLACKLISTED',
      'consents.marketing_sms.optOut': 'SMS_BLACKLISTED',
      occurredAt: 'ADDED_TIME',
    });
    // Easyfatt's customers: the date of the record's last change.
    expect(paths(['Cod.', 'Denominazione', 'e-mail', 'Partita Iva', 'Data ultima modifica'])).toMatchObject({ occurredAt: 'Data ultima modifica' });
  });

  it("dates a shop's customers by when they registered (PrestaShop's Registration, Registrazione)", () => {
    expect(paths(['ID', 'First name', 'Last name', 'Email address', 'Newsletter', 'Registration', 'Last visit'])).toMatchObject({ occurredAt: 'Registration' });
    expect(paths(['ID', 'Nome', 'Cognome', 'Indirizzo email', 'Newsletter', 'Registrazione', 'Ultima visita'])).toMatchObject({ occurredAt: 'Registrazione' });
    // PrestaShop 1.7's list: its `Social title` is the title (Mr., Mrs.).
    expect(paths(['ID', 'Social title', 'First name', 'Last name', 'Email', 'Newsletter', 'Partner offers', 'Registration'])).toMatchObject({ 'person.title': 'Social title' });
  });

  it("reads an invoicing tool's documents as sales: the bare Numero is the document's, and Cliente the name it is made out to", () => {
    // Fatture in Cloud-like: no order id or customer name column by any name an orders or customer export uses.
    const documents = ['Tipo documento', 'Numero', 'Data', 'Cliente', 'Codice cliente', 'Partita IVA', 'Email', 'Imponibile', 'IVA', 'Totale documento', 'Stato pagamento'];
    const plan = compilePlan(documents, 'fatture');
    expect(plan.ok && plan.plan.kind).toBe('order');
    expect(plan.ok && plan.plan.unmapped).toEqual(['Imponibile', 'IVA']);
    expect(paths(documents)).toMatchObject({
      'order.documentType': 'Tipo documento',
      'order.orderId': 'Numero',
      occurredAt: 'Data',
      'company.name': 'Cliente',
      'identifiers.externalId': 'Codice cliente',
      'order.total': 'Totale documento',
      'order.status': 'Stato pagamento',
    });
    // Named by the document's own words, without a type column.
    expect(paths(['N. fattura', 'Data fattura', 'Intestatario', 'P.IVA', 'Totale fattura'])).toMatchObject({
      'order.orderId': 'N. fattura',
      'order.placedAt': 'Data fattura',
      'company.name': 'Intestatario',
      'order.total': 'Totale fattura',
    });
    // An English invoice list: `Customer` is the name, `Customer Email` the person's address.
    expect(paths(['Invoice Number', 'Invoice Date', 'Customer', 'Customer Email', 'Total', 'Status'])).toMatchObject({
      'order.orderId': 'Invoice Number',
      'company.name': 'Customer',
      'identifiers.email': 'Customer Email',
      'order.status': 'Status',
    });
    // Where the file names the customer in another column, its Cliente is a code, as a bare Numero outside such a file
    // is anybody's number.
    const named = compilePlan(['Tipo documento', 'Numero', 'Cliente', 'Ragione sociale', 'Email', 'Totale documento'], 'fatture');
    expect(named.ok && named.plan.unmapped).toEqual(['Cliente']);
    const register = compilePlan(['Numero', 'Cliente', 'Email', 'Totale'], 'erp');
    expect(register.ok && [register.plan.kind, register.plan.unmapped, register.plan.unread]).toEqual(['contact', ['Numero', 'Cliente', 'Totale'], { Totale: 'order.noOrderIdColumn' }]);
    // A hotel's guest register names an identity card so: no sale.
    const guests = compilePlan(['Cognome', 'Nome', 'Tipo documento', 'Numero documento', 'Email'], 'hotel');
    expect(guests.ok && [guests.plan.kind, guests.plan.unmapped]).toEqual(['contact', ['Tipo documento', 'Numero documento']]);
    expect(parseMapping({ fields: { 'order.documentType': 'Tipo' } }).ok).toBe(true);
  });

  it('reads a surname-first name column as such, and one column for a business or a private customer, for a partita IVA or a codice fiscale', () => {
    const planned = (headers: string[]) => {
      const plan = compilePlan(headers, 'erp');
      if (!plan.ok) throw new Error(plan.error);
      return plan.plan;
    };
    expect(planned(['Cognome e nome', 'E-mail', 'Sesso']).nameOrder).toBe('lastFirst');
    expect(planned(['Cognome Nome', 'Email']).nameOrder).toBe('lastFirst');
    expect(planned(['Nome e cognome', 'Email']).nameOrder).toBe('firstLast');
    expect(planned(['Nome Cognome', 'Email']).nameOrder).toBe('firstLast');
    expect(planned(['Nominativo', 'Email']).nameOrder).toBe('firstLast');
    // The mapping's word wins.
    const mapped = compilePlan(['Cognome e nome', 'Email'], 'erp', (parseMapping({ nameOrder: 'firstLast' }) as { mapping: Mapping }).mapping);
    expect(mapped.ok && mapped.plan.nameOrder).toBe('firstLast');
    expect(paths(['Codice', 'Nome/Ragione sociale', 'P.IVA/C.F.', 'Email'])).toMatchObject({ 'company.name': 'Nome/Ragione sociale', 'identifiers.vatNumber': 'P.IVA/C.F.' });
    expect(paths(['Ragione sociale / Nominativo', 'C.F./P.IVA', 'Email'])).toMatchObject({ 'company.name': 'Ragione sociale / Nominativo', 'identifiers.vatNumber': 'C.F./P.IVA' });
  });

  it("reads forms' and bookings' own headers: when a form was sent, a booking's guest, a subscription's date", () => {
    // Google Forms in Italian (`Informazioni cronologiche` is its `Timestamp`), Typeform's CSV, Calendly's export.
    expect(paths(['Informazioni cronologiche', 'Indirizzo email', 'Nome e cognome'])).toEqual({ occurredAt: 'Informazioni cronologiche', 'identifiers.email': 'Indirizzo email', 'person.fullName': 'Nome e cognome' });
    expect(paths(['#', 'Nome', 'Email', 'Start Date (UTC)', 'Submit Date (UTC)', 'Network ID'])).toEqual({ 'person.firstName': 'Nome', 'identifiers.email': 'Email', occurredAt: 'Submit Date (UTC)' });
    expect(paths(['Invitee Name', 'Invitee Email', 'Text Reminder Number', 'Event Type Name', 'Start Date & Time'])).toEqual({
      'person.fullName': 'Invitee Name',
      'identifiers.email': 'Invitee Email',
      'identifiers.phone': 'Text Reminder Number',
    });
    expect(paths(['Nome partecipante', 'Email partecipante', 'Attendee Phone'])).toEqual({ 'person.fullName': 'Nome partecipante', 'identifiers.email': 'Email partecipante', 'identifiers.phone': 'Attendee Phone' });
    expect(paths(['Email', 'Cell Phone', 'Data iscrizione'])).toEqual({ 'identifiers.email': 'Email', 'identifiers.phone': 'Cell Phone', occurredAt: 'Data iscrizione' });
    // A zone noted after a time's header is the time's; after another header it makes no synonym.
    expect(paths(['Email', 'Created At (UTC+0)', 'Nome (UTC)'])).toEqual({ 'identifiers.email': 'Email', occurredAt: 'Created At (UTC+0)' });
  });

  it("reads other tools' names of the same fields: a salon's Mobile Number and Post Code, a marketing tool's Initial Source, eBay's Sale Date", () => {
    // Fresha's clients export: before, its phones, postal code, second address line, date and referral were all unmapped.
    expect(paths(['Client ID', 'First Name', 'Mobile Number', 'Telephone', 'Email', 'Address', 'Apartment/Suite', 'Post Code', 'Added', 'Referral Source'])).toEqual({
      'identifiers.externalId': 'Client ID',
      'person.firstName': 'First Name',
      'identifiers.phone': 'Telephone',
      'identifiers.email': 'Email',
      'address.line1': 'Address',
      'address.line2': 'Apartment/Suite',
      'address.postalCode': 'Post Code',
      occurredAt: 'Added',
      'lead.source': 'Referral Source',
    });
    expect(paths(['Email', 'Initial Source', 'Initial Source Medium', 'Initial Source Campaign'])).toEqual({
      'identifiers.email': 'Email',
      'lead.source': 'Initial Source',
      'lead.medium': 'Initial Source Medium',
      'lead.campaign': 'Initial Source Campaign',
    });
    // Named as the first touch, it wins over a bare `Source` beside it (how the profile was added), wherever it stands.
    expect(paths(['Email', 'Source', 'Initial Source', 'UTM Medium', 'Initial Source Medium'])).toEqual({
      'identifiers.email': 'Email',
      'lead.source': 'Initial Source',
      'lead.medium': 'Initial Source Medium',
    });
    expect(paths(['Email', 'Fonte', 'Fonte originale'])).toMatchObject({ 'lead.source': 'Fonte originale' });
    // A form's question of how the person found the business: its answer is the lead's source.
    expect(paths(['Email', 'Come ci hai conosciuto?'])).toEqual({ 'identifiers.email': 'Email', 'lead.source': 'Come ci hai conosciuto?' });
    expect(paths(['Email', 'How did you hear about us?'])).toEqual({ 'identifiers.email': 'Email', 'lead.source': 'How did you hear about us?' });
    expect(paths(['Lead ID', 'Email', 'Contact Number', 'Connected On'])).toEqual({
      'identifiers.externalId': 'Lead ID',
      'identifiers.email': 'Email',
      'identifiers.phone': 'Contact Number',
      occurredAt: 'Connected On',
    });
    expect(paths(['Order Number', 'Buyer Email', 'Sale Date'])).toEqual({ 'order.orderId': 'Order Number', 'identifiers.email': 'Buyer Email', 'order.placedAt': 'Sale Date' });
    // A till's or a salon's loyalty card, by the names Italian shops give it.
    for (const card of ['Codice fidelity', 'Tessera fedeltà', 'Numero carta fedeltà', 'Fidelity card', 'N. tessera']) {
      expect(paths(['Email', card])).toEqual({ 'identifiers.email': 'Email', 'identifiers.loyaltyCard': card });
    }
  });

  it("reads a helpdesk's, a chat tool's and an ERP's names of the same fields: Work phone, User ID, Tax ID, Street2, Creato il", () => {
    // Each was unmapped: a helpdesk's contacts lost their work phone, a chat tool's users their date and opt-out.
    expect(paths(['Full name', 'Email', 'Work phone', 'Mobile phone'])).toMatchObject({ 'identifiers.phone': 'Mobile phone' });
    expect(compilePlan(['Full name', 'Email', 'Work phone', 'Mobile phone'], 'desk')).toMatchObject({ ok: true, plan: { unmapped: [] } });
    // A `User ID` stays unmapped: a site's form may send its visitor's (WordPress's is `0` for every visitor not logged
    // in), which would join strangers as one customer id.
    expect(paths(['Name', 'Email', 'User ID', 'Signed up', 'Unsubscribed from Emails'])).toEqual({
      'person.fullName': 'Name',
      'identifiers.email': 'Email',
      occurredAt: 'Signed up',
      'consents.marketing_email.optOut': 'Unsubscribed from Emails',
    });
    expect(paths(['Name', 'Email', 'Street', 'Street2', 'Tax ID', 'Job Position'])).toMatchObject({
      'address.line1': 'Street',
      'address.line2': 'Street2',
      'identifiers.vatNumber': 'Tax ID',
      'company.role': 'Job Position',
    });
    expect(paths(['Nome', 'Cognome', 'E-mail', 'Via', 'Via 2', 'Nome azienda', 'Posizione lavorativa', 'Creato il'])).toMatchObject({
      'address.line1': 'Via',
      'address.line2': 'Via 2',
      'company.name': 'Nome azienda',
      'company.role': 'Posizione lavorativa',
      occurredAt: 'Creato il',
    });
    expect(paths(['Email', 'Street Address 1', 'Street Address 2', 'Telefono ufficio'])).toEqual({
      'identifiers.email': 'Email',
      'address.line1': 'Street Address 1',
      'address.line2': 'Street Address 2',
      'identifiers.phone': 'Telefono ufficio',
    });
  });

  it("reads a form's consent checkboxes by their wording: the purpose each names, none where a box names two or third parties", () => {
    const purposeOf = (header: string) => Object.entries(paths(['Email', header])).find(([, h]) => h === header)?.[0];
    expect(purposeOf('Acconsento al trattamento dei dati personali')).toBe('consents.privacy_notice');
    expect(purposeOf("Acconsento al trattamento dei miei dati personali ai sensi dell'art. 13 del Regolamento UE 2016/679")).toBe('consents.privacy_notice');
    expect(purposeOf("Dichiaro di aver letto l'informativa privacy")).toBe('consents.privacy_notice');
    expect(purposeOf('Consent to the processing of personal data')).toBe('consents.privacy_notice');
    expect(purposeOf('Acconsento al trattamento dei dati per finalità di marketing')).toBe('consents.marketing_email');
    expect(purposeOf('Desidero ricevere la newsletter')).toBe('consents.marketing_email');
    expect(purposeOf('I agree to receive marketing emails')).toBe('consents.marketing_email');
    expect(purposeOf('Acconsento a ricevere offerte via SMS e WhatsApp')).toBe('consents.marketing_sms');
    expect(purposeOf('Acconsento a essere contattato telefonicamente per offerte commerciali')).toBe('consents.marketing_phone');
    expect(purposeOf('Acconsento alla profilazione delle mie abitudini di acquisto')).toBe('consents.profiling');
    // Asked as a question, to the person or formally: its answer is a yes or a no.
    expect(purposeOf('Vuoi ricevere la nostra newsletter?')).toBe('consents.marketing_email');
    expect(purposeOf('Acconsente al trattamento dei dati personali?')).toBe('consents.privacy_notice');
    expect(purposeOf('Desideri ricevere offerte via WhatsApp?')).toBe('consents.marketing_sms');
    expect(purposeOf('Would you like to receive our newsletter?')).toBe('consents.marketing_email');
    expect(purposeOf('Vuoi essere ricontattato?')).toBeUndefined();
    // Two purposes in one box, or the data given to others: no consent of one purpose.
    expect(purposeOf('Acconsento al trattamento per finalità di marketing e profilazione')).toBeUndefined();
    expect(purposeOf('Acconsento alla comunicazione dei dati a società partner per loro finalità di marketing')).toBeUndefined();
    // Terms of sale are no consent; a consent's date or IP is no consent either.
    expect(purposeOf('Accetto i termini e le condizioni di vendita')).toBeUndefined();
    expect(purposeOf('Consenso marketing data')).toBeUndefined();
    expect(purposeOf('Consenso newsletter IP')).toBeUndefined();
  });

  it("reads a webinar's registration time, a newsletter's signup source, and a register's bare Cliente beside the client's code", () => {
    expect(paths(['First Name', 'Last Name', 'Email', 'Registration Time', 'Approval Status'])).toMatchObject({ occurredAt: 'Registration Time' });
    expect(paths(['Nome', 'Email', 'Data iscrizione', 'Fonte iscrizione'])).toMatchObject({ 'lead.source': 'Fonte iscrizione' });
    // The code has its own column, so `Cliente` is the client's name, read as a `Denominazione` (a codice fiscale tells a person).
    expect(paths(['Codice', 'Cliente', 'Indirizzo', 'Email', 'Partita IVA', 'Codice Fiscale', 'Saldo'])).toMatchObject({ 'identifiers.externalId': 'Codice', 'company.name': 'Cliente' });
    // Beside the person's own names, in a file of orders, or with no code of its own, it stays unread.
    for (const headers of [
      ['Codice', 'Cliente', 'Nome', 'Cognome', 'Email', 'Codice fiscale'],
      ['Numero ordine', 'Codice cliente', 'Cliente', 'Email', 'Partita IVA', 'Totale'],
      ['Cliente', 'Email', 'Partita IVA'],
    ]) {
      expect(Object.values(paths(headers))).not.toContain('Cliente');
    }
  });

  it("reads a time of day in a column of its own into the date (a call log's Data;Ora)", () => {
    expect(paths(['Data', 'Ora', 'Telefono', 'Esito'])).toMatchObject({ occurredAt: 'Data', 'occurredAt.time': 'Ora' });
    expect(parseMapping({ fields: { 'occurredAt.time': 'Orario' } }).ok).toBe(true);
  });
});

describe('export formats of common tools', () => {
  it.each([
    [['Customer ID', 'First Name', 'Last Name', 'Email', 'Accepts Email Marketing', 'Default Address City', 'Default Address Province Code', 'Total Spent', 'Total Orders'], 'shopify-customers'],
    [['Name', 'Email', 'Financial Status', 'Total', 'Lineitem name', 'Billing Name'], 'shopify-orders'],
    [['Email Address', 'First Name', 'Last Name', 'MEMBER_RATING', 'OPTIN_TIME', 'OPTIN_IP', 'CC'], 'mailchimp-audience'],
    // The other two files of the same export: their members are not subscribed.
    [['Email Address', 'First Name', 'MEMBER_RATING', 'OPTIN_TIME', 'OPTIN_IP', 'CONFIRM_TIME', 'UNSUB_TIME', 'UNSUB_CAMPAIGN_TITLE', 'UNSUB_CAMPAIGN_ID', 'UNSUB_REASON', 'UNSUB_REASON_OTHER', 'LEID', 'EUID'], 'mailchimp-unsubscribed'],
    [['Email Address', 'First Name', 'MEMBER_RATING', 'OPTIN_TIME', 'OPTIN_IP', 'CONFIRM_TIME', 'CLEAN_TIME', 'CLEAN_CAMPAIGN_TITLE', 'CLEAN_CAMPAIGN_ID', 'LEID', 'EUID'], 'mailchimp-cleaned'],
    [['id', 'Description', 'Email', 'Name', 'Created (UTC)'], 'stripe-customers'],
    [['Record ID', 'First Name', 'Last Name', 'Email', 'Phone Number'], 'hubspot-contacts'],
    // Zoho CRM's `Record Id` is its own: before, its export was taken for HubSpot's (ids as `hubspot:…`).
    [['Record Id', 'Contact Owner', 'Lead Source', 'First Name', 'Last Name', 'Account Name', 'Email', 'Created Time', 'Modified Time'], 'zoho-crm'],
    [['Record Id', 'Lead Owner', 'Company', 'First Name', 'Last Name', 'Email', 'Lead Status', 'Created Time', 'Modified Time'], 'zoho-crm'],
    // Address books: Google Contacts (either layout; a book without e-mails has no e-mail columns), Outlook.
    [['First Name', 'Last Name', 'Labels', 'E-mail 1 - Label', 'E-mail 1 - Value', 'Phone 1 - Label', 'Phone 1 - Value'], 'google-contacts'],
    [['Name', 'Given Name', 'Family Name', 'Subject', 'Notes', 'Group Membership', 'Phone 1 - Type', 'Phone 1 - Value'], 'google-contacts'],
    [['First Name', 'Last Name', 'E-mail Address', 'Home Phone', 'Business Phone', 'Mobile Phone', 'Company Main Phone', "Manager's Name"], 'outlook-contacts'],
    // An Italian Outlook writes its headers in Italian.
    [['Nome', 'Cognome', 'Indirizzo posta elettronica', 'Abitazione', 'Ufficio', 'Cellulare', 'Telefono principale società', 'Nome manager'], 'outlook-contacts'],
    // Airbnb's reservations: before, refused whole (no column read as an e-mail, a phone or an id).
    [['Confirmation code', 'Status', 'Guest name', 'Contact', '# of adults', 'Start date', 'End date', 'Booked', 'Listing', 'Earnings'], 'airbnb-reservations'],
    // Booking.com's, saved from the extranet's list as CSV: before, its bookings were people known only by a phone.
    [['Book number', 'Booked by', 'Guest name(s)', 'Check-in', 'Check-out', 'Booked on', 'Status', 'Price', 'Booker country', 'Unit type', 'Phone number'], 'booking-reservations'],
    // PrestaShop's orders list, in English and in Italian.
    [['ID', 'Reference', 'New client', 'Delivery', 'Customer', 'Total', 'Payment', 'Status', 'Date'], 'prestashop-orders'],
    [['ID', 'Riferimento', 'Nuovo cliente', 'Consegna', 'Cliente', 'Totale', 'Pagamento', 'Stato', 'Data', 'Azienda'], 'prestashop-orders'],
  ])('recognises %j as %s', (headers, name) => {
    expect(detectExportFormat(headers)?.name).toBe(name);
  });
  it("refuses PrestaShop's orders list, which names no customer, saying why; with an e-mail added, its rows are orders", () => {
    // Before, its `ID` was read as a customer code: each order a customer of its own, named by nothing.
    for (const headers of [
      ['ID', 'Reference', 'New client', 'Delivery', 'Customer', 'Total', 'Payment', 'Status', 'Date'],
      ['ID', 'Riferimento', 'Nuovo cliente', 'Consegna', 'Cliente', 'Totale', 'Pagamento', 'Stato', 'Data', 'Azienda'],
    ]) {
      const refused = compilePlan(headers, 'prestashop');
      expect(refused).toMatchObject({ ok: false, error: 'header.noIdentifierColumn' });
      expect(!refused.ok && refused.detail).toMatch(/^PrestaShop's orders list names each customer by an initial and the surname only/);
    }
    const added = ['ID', 'Riferimento', 'Nuovo cliente', 'Consegna', 'Cliente', 'Totale', 'Pagamento', 'Stato', 'Data', 'Email'];
    const plan = compilePlan(added, 'prestashop');
    expect(plan.ok && [plan.plan.kind, plan.plan.namespace, plan.plan.unmapped]).toEqual(['order', 'prestashop', ['Riferimento', 'Nuovo cliente', 'Cliente', 'Pagamento']]);
    expect(paths(added)).toEqual({
      'order.orderId': 'ID',
      'address.country': 'Consegna',
      'order.total': 'Totale',
      'order.status': 'Stato',
      'order.placedAt': 'Data',
      'identifiers.email': 'Email',
    });
  });
  it("reads Zoho CRM's ids as Zoho's, its Title as the job and its owner as no one's", () => {
    const headers = ['Record Id', 'Contact Owner', 'Salutation', 'First Name', 'Last Name', 'Account Name', 'Email', 'Title', 'Secondary Email', 'Created Time', 'Modified Time', 'Description'];
    const plan = compilePlan(headers, 'crm');
    expect(plan.ok && [plan.plan.exportFormat, plan.plan.namespace]).toEqual(['zoho-crm', 'zoho']);
    expect(paths(headers)).toEqual({
      'identifiers.externalId': 'Record Id',
      'person.title': 'Salutation',
      'person.firstName': 'First Name',
      'person.lastName': 'Last Name',
      'company.name': 'Account Name',
      'identifiers.email': 'Secondary Email',
      'company.role': 'Title',
      occurredAt: 'Created Time',
      'attributes.description': 'Description',
    });
    expect(plan.ok && plan.plan.fields.filter((f) => f.path === 'identifiers.email').map((f) => headers[f.index!])).toEqual(['Email', 'Secondary Email']);
    expect(plan.ok && plan.plan.unmapped).toEqual(['Contact Owner', 'Modified Time']);
  });
  it("reads an address book's every e-mail and phone, and no one else's fields", () => {
    // Before, Google's numbered columns were unmapped (every row rejected without an identifier), its `Subject` made
    // the file one of interactions, and Outlook's `E-mail Address`, `Home Phone`, `Business Phone` were unmapped.
    const google = ['Name', 'Given Name', 'Family Name', 'Subject', 'Notes', 'Group Membership', 'E-mail 1 - Type', 'E-mail 1 - Value', 'E-mail 2 - Value', 'Phone 1 - Value', 'Address 1 - Street', 'Address 1 - Region', 'Organization 1 - Name'];
    const g = compilePlan(google, 'rubrica');
    expect(g.ok && g.plan.kind).toBe('contact');
    expect(g.ok && g.plan.fields.filter((f) => f.path.startsWith('identifiers.')).map((f) => google[f.index!])).toEqual(['E-mail 1 - Value', 'E-mail 2 - Value', 'Phone 1 - Value']);
    expect(paths(google)).toMatchObject({ 'address.province': 'Address 1 - Region', 'company.name': 'Organization 1 - Name', 'attributes.notes': 'Notes', 'attributes.labels': 'Group Membership' });
    const outlook = ['First Name', 'Last Name', 'E-mail Address', 'E-mail 2 Address', 'Home Phone', 'Business Phone', 'Mobile Phone', 'Company Main Phone', 'Company', "Manager's Name", "Assistant's Phone", 'Spouse', 'Business Street', 'Home Street', 'Birthday'];
    const o = compilePlan(outlook, 'outlook');
    expect(o.ok && o.plan.fields.filter((f) => f.path.startsWith('identifiers.')).map((f) => outlook[f.index!])).toEqual(['E-mail Address', 'E-mail 2 Address', 'Home Phone', 'Business Phone', 'Mobile Phone']);
    expect(o.ok && o.plan.unmapped).toEqual(['Company Main Phone', "Manager's Name", "Assistant's Phone", 'Spouse']);
    // The same export from an Italian Outlook: before, only `Cellulare` was read (no e-mail, no other phone, no
    // address), and `Notes` became an interaction.
    const italian = ['Nome', 'Cognome', 'Indirizzo posta elettronica', 'Indirizzo posta elettronica 2', 'Abitazione', 'Ufficio', 'Cellulare', 'Telefono principale società', 'Società', 'Nome manager', 'Telefono assistente', 'Nome coniuge/partner', 'Via (uff.)', 'CAP (uff.)', 'Via (ab.)', 'Città (ab.)', 'Cod. Fisc./P. IVA', 'Compleanno', 'Notes'];
    const i = compilePlan(italian, 'outlook');
    expect(i.ok && i.plan.kind).toBe('contact');
    expect(i.ok && i.plan.fields.filter((f) => f.path.startsWith('identifiers.')).map((f) => italian[f.index!])).toEqual(['Indirizzo posta elettronica', 'Indirizzo posta elettronica 2', 'Abitazione', 'Ufficio', 'Cellulare', 'Cod. Fisc./P. IVA']);
    expect(paths(italian)).toMatchObject({ 'address.line1': 'Via (uff.)', 'address.postalCode': 'CAP (uff.)', 'address.home.line1': 'Via (ab.)', 'address.home.city': 'Città (ab.)', 'attributes.notes': 'Notes', 'person.birthDate': 'Compleanno' });
    // The categories a contact is filed under are its labels, in either language.
    expect(paths([...italian, 'Categorie'])).toMatchObject({ 'attributes.labels': 'Categorie' });
    expect(paths([...outlook, 'Categories'])).toMatchObject({ 'attributes.labels': 'Categories' });
    expect(i.ok && i.plan.unmapped).toEqual(['Telefono principale società', 'Nome manager', 'Telefono assistente', 'Nome coniuge/partner']);
  });

  it("reads an order's ship-to address in parts as the buyer's where the file gives no other, and a marketplace's buyer id", () => {
    // Etsy's sold orders: the street was read, the city and postcode the matching weighs were not; the buyer's account is their id.
    const etsy = ['Sale Date', 'Order ID', 'Buyer User ID', 'Full Name', 'Street 1', 'Street 2', 'Ship City', 'Ship State', 'Ship Zipcode', 'Ship Country', 'Order Total'];
    expect(paths(etsy)).toMatchObject({
      'identifiers.externalId': 'Buyer User ID',
      'address.line1': 'Street 1',
      'address.city': 'Ship City',
      'address.province': 'Ship State',
      'address.postalCode': 'Ship Zipcode',
      'address.country': 'Ship Country',
    });
    const shop = ['Numero ordine', 'Data', 'Email', 'Nome', 'Cognome', 'Indirizzo di spedizione', 'CAP spedizione', 'Città spedizione', 'Totale'];
    expect(paths(shop)).toMatchObject({ 'address.line1': 'Indirizzo di spedizione', 'address.postalCode': 'CAP spedizione', 'address.city': 'Città spedizione' });
    // The parcel's state is no country.
    expect(paths([...shop, 'Stato spedizione', 'Nazione spedizione'])).toMatchObject({ 'address.country': 'Nazione spedizione' });
    expect(Object.values(paths([...shop, 'Stato consegna']))).not.toContain('Stato consegna');
    // A billing address wins; a recipient named apart (a gift's) keeps the ship-to address theirs; a lone column holding
    // the whole address (PayPal's `Shipping Address`) is not read as a street.
    expect(paths(['Numero ordine', 'Email', 'Indirizzo', 'Città', 'Indirizzo di spedizione', 'Città spedizione', 'Totale'])).toMatchObject({ 'address.line1': 'Indirizzo', 'address.city': 'Città' });
    const amazon = paths(['order-id', 'buyer-email', 'buyer-name', 'recipient-name', 'ship-address-1', 'ship-city', 'ship-postal-code', 'item-price']);
    expect(Object.keys(amazon).filter((p) => p.startsWith('address.'))).toEqual([]);
    expect(Object.keys(paths(['Date', 'Name', 'Type', 'Status', 'Gross', 'From Email Address', 'Shipping Address', 'Subject'])).filter((p) => p.startsWith('address.'))).toEqual([]);
  });

  it('maps a Mailchimp audience export with its consent proof', () => {
    const got = paths(['Email Address', 'First Name', 'Last Name', 'MEMBER_RATING', 'OPTIN_TIME', 'OPTIN_IP', 'CC', 'EUID']);
    expect(got).toMatchObject({
      'identifiers.email': 'Email Address',
      'consents.marketing_email.at': 'OPTIN_TIME',
      'consents.marketing_email.ip': 'OPTIN_IP',
      'consents.marketing_email': '=yes',
      'address.country': 'CC',
      'identifiers.externalId': 'EUID',
    });
  });
});
