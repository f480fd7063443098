import { foldText, own } from './text.ts';

/**
 * Recognises export headers when a source has no mapping file: by synonym (Italian and English), and by the export
 * formats of common tools (Shopify, WooCommerce, Mailchimp, Stripe, HubSpot). Matching ignores case, accents, spaces
 * and punctuation.
 */

/** Canonical field paths, each with the headers that mean it. */
export const HEADER_SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  'person.firstName': ['nome', 'first name', 'firstname', 'given name', 'name first', 'nome di battesimo', 'forename'],
  'person.lastName': ['cognome', 'last name', 'lastname', 'surname', 'family name', 'name last'],
  'person.fullName': [
    'nominativo', 'nome e cognome', 'nome cognome', 'name', 'full name', 'fullname', 'contact name', 'nome completo', 'referente', 'persona di riferimento',
    'contact person', 'requester', 'richiedente',
    // An insurance agency's policyholder and insured, a course's participant, a shop's or a business's owner (`Titolare`
    // beside its `Insegna`), an account's or a card's holder.
    'contraente', 'assicurato', 'assicurata', 'corsista', 'titolare', 'intestatario', 'intestataria',
    // A charity's donor, a landlord's tenant.
    'donatore', 'donatrice', 'donor', 'inquilino', 'inquilina',
    // Surname first, as registers write it (`ROSSI MARIO`): see nameOrderOf.
    'cognome e nome', 'cognome nome',
  ],
  'person.birthDate': ['data di nascita', 'data nascita', 'nato il', 'nata il', 'compleanno', 'birth date', 'birthdate', 'date of birth', 'dob', 'birthday'],
  'person.gender': ['sesso', 'genere', 'gender', 'sex'],
  'person.language': ['lingua', 'language', 'locale', 'preferred language', 'lingua preferita'],
  // PrestaShop's customers list says `Social title` (Mr., Mrs.).
  'person.title': ['titolo', 'title', 'salutation', 'appellativo', 'social title', 'civilita', 'civility'],
  'identifiers.email': [
    'email', 'e-mail', 'e mail', 'mail', 'email address', 'e mail address', 'indirizzo email', 'indirizzo e-mail', 'posta elettronica',
    'indirizzo di posta elettronica',
    // A site's user (`Email utente`; not its `Nome utente`, a username, nor its `ID utente`, a visitor's id).
    'email utente', 'e mail utente', 'user email',
  ],
  'identifiers.phone': [
    'telefono', 'cellulare', 'cell', 'mobile', 'phone', 'phone number', 'tel', 'numero di telefono', 'telefono cellulare',
    'telefono fisso', 'mobile phone', 'mobile phone number', 'recapito telefonico', 'numero cellulare', 'cell phone',
    'cellphone', 'text reminder number', 'mobile number', 'telephone', 'telephone number', 'contact number', 'numero di cellulare',
    // Brevo's (Sendinblue's) identifiers beside `EMAIL`: the number texts, WhatsApp messages and calls go to.
    'whatsapp', 'numero whatsapp', 'landline number', 'numero sms', 'telefono utente', 'cellulare utente', 'user phone', 'tel cellulare',
    // The person's own lines at work and at home (a helpdesk's or a CRM's `Work phone`, `Telefono ufficio`); a company's
    // switchboard (`Company Main Phone`) is everyone's there, and stays unmapped.
    'work phone', 'home phone', 'business phone', 'telefono lavoro', 'telefono ufficio', 'telefono casa', 'telefono abitazione',
  ],
  // A bare `SMS`: Brevo's number for texts (`393331234567`), or elsewhere whether texts may be sent (`Sì`): the value
  // decides (see row-mapper).
  'identifiers.sms': ['sms'],
  // A CRM's lead (Salesforce's `Lead ID`) is a person, known so until converted.
  'identifiers.externalId': [
    'codice cliente', 'id cliente', 'cod cliente', 'cod', 'codice', 'customer id', 'customer code', 'customer number', 'id', 'ext id', 'lead id',
    'numero cliente', 'n cliente', 'nr cliente', 'num cliente', 'customer no', 'square customer id',
    // An ERP's register code; an association's, a gym's or a club's member number; a clinic's patient code.
    'codice anagrafica', 'cod anagrafica', 'numero socio', 'codice socio', 'n socio', 'nr socio', 'id socio', 'member id', 'member number',
    'membership number', 'membership id', 'codice paziente', 'id paziente', 'patient id',
    // A marketplace's buyer, by the account they buy from (Etsy's sold orders, eBay's orders report).
    'buyer user id', 'buyer username'],
  'identifiers.taxCode': ['codice fiscale', 'cf', 'cod fiscale', 'c f', 'tax code', 'fiscal code'],
  'identifiers.vatNumber': [
    'partita iva', 'p iva', 'piva', 'p iva cliente', 'vat', 'vat number', 'vat id', 'partita i v a', 'p i v a',
    // One column for a business's partita IVA and a private customer's codice fiscale: read by its value's shape.
    'p iva c f', 'p iva cf', 'piva cf', 'partita iva codice fiscale', 'c f p iva', 'cf p iva', 'cf piva', 'codice fiscale partita iva',
    // Outlook's Italian `Cod. Fisc./P. IVA`.
    'cod fisc p iva',
    // An ERP's or a CRM's `Tax ID` (Odoo's `vat`): a business's VAT number, or a private customer's codice fiscale, read
    // by its shape as above.
    'tax id',
  ],
  'identifiers.loyaltyCard': [
    'carta fedelta', 'numero carta', 'tessera', 'loyalty card', 'card number',
    // A till's or a salon's `Codice fidelity`, `Tessera fedeltà`: Italian shops call their card by the English word.
    'fidelity', 'carta fidelity', 'codice fidelity', 'numero fidelity', 'fidelity card', 'card fidelity', 'tessera fedelta',
    'numero carta fedelta', 'codice carta fedelta', 'numero tessera', 'n tessera', 'nr tessera', 'codice tessera', 'loyalty number',
    'loyalty card number',
  ],
  'company.name': [
    'ragione sociale', 'azienda', 'societa', 'denominazione', 'company', 'company name', 'organization', 'organisation',
    // One column for a business's name and a private customer's, as a `Denominazione` (a codice fiscale tells which).
    'nome ragione sociale', 'ragione sociale nome', 'ragione sociale nominativo', 'nominativo ragione sociale', 'denominazione nominativo',
    'ragione sociale cognome nome', 'cognome nome ragione sociale',
    'nome azienda', 'nome societa',
    // A shop's sign, the name its customers know it by (`Titolare;Insegna;P.IVA`).
    'insegna',
  ],
  'company.sector': ['settore', 'sector', 'industry'],
  'company.size': ['dipendenti', 'numero dipendenti', 'company size', 'employees'],
  'company.role': ['ruolo', 'qualifica', 'role', 'job title', 'position', 'job position', 'job role', 'posizione lavorativa', 'mansione'],
  'address.line1': ['indirizzo', 'via', 'address', 'address 1', 'address1', 'street', 'address line 1', 'address 1 2', 'mailing street', 'mailing address',
    'street address', 'street address 1', 'street 1',
    // Where the person lives, as an Italian register (a gym's, a school's, a clinic's) or Eventbrite's attendees name it.
    'indirizzo di residenza', 'indirizzo residenza', 'indirizzo di domicilio', 'indirizzo domicilio', 'home address', 'home address 1', 'home street',
    'indirizzo 1', 'indirizzo riga 1',
    // A business's registered office, as a B2B register names its address (`Indirizzo sede legale;CAP;Città`).
    'indirizzo sede legale', 'sede legale', 'indirizzo sede', 'via sede legale'],
  'address.line2': ['indirizzo 2', 'address 2', 'address2', 'address line 2', 'apartment suite', 'apt suite', 'street address 2', 'street 2', 'street2', 'via 2', 'home address 2', 'indirizzo riga 2'],
  'address.houseNumber': ['civico', 'n civico', 'nr civico', 'num civico', 'numero civico', 'n civ', 'house number', 'street number'],
  'address.postalCode': ['cap', 'codice postale', 'zip', 'zipcode', 'postal code', 'postcode', 'zip code', 'zip postal code', 'mailing zip postal code', 'mailing zip', 'post code',
    'cap di residenza', 'cap residenza', 'cap di domicilio', 'cap domicilio', 'home zip', 'home zip code', 'home postal code', 'home postcode',
    'cap sede legale'],
  'address.city': ['citta', 'comune', 'localita', 'city', 'town', 'mailing city',
    'citta di residenza', 'citta residenza', 'comune di residenza', 'comune residenza', 'localita di residenza', 'citta di domicilio', 'comune di domicilio',
    'comune domicilio', 'home city', 'suburb', 'comune sede legale', 'citta sede legale', 'city town', 'town city'],
  'address.province': ['provincia', 'prov', 'sigla provincia', 'province', 'province code', 'state', 'state code', 'county', 'state region', 'state province', 'mailing state province', 'mailing state',
    'provincia di residenza', 'provincia residenza', 'prov residenza', 'provincia di domicilio', 'provincia domicilio', 'home state', 'province state',
    'provincia sede legale', 'prov sede legale', 'stato provincia'],
  'address.region': ['regione', 'region'],
  'address.country': ['nazione', 'paese', 'stato', 'country', 'country code', 'country region', 'mailing country',
    'nazione di residenza', 'paese di residenza', 'stato di residenza', 'country of residence', 'home country'],
  'consents.marketing_email': [
    'consenso marketing', 'consenso newsletter', 'newsletter', 'privacy marketing', 'marketing', 'consenso commerciale',
    'consenso email', 'iscritto newsletter', 'iscrizione newsletter', 'accepts email marketing', 'accepts marketing',
    'email marketing', 'marketing consent', 'opt in', 'optin', 'email opt in', 'newsletter subscription', 'email marketing consent', 'marketing opt in', 'newsletter opt in',
    // An Italian privacy form's wording of the marketing purpose (`Consenso per finalità di marketing`).
    'consenso finalita marketing', 'consenso finalita promozionali', 'consenso comunicazioni commerciali', 'consenso comunicazioni promozionali',
    // Not a bare `Iscritto` or `Subscribed`: a site's registration or a plan's subscription is no consent to marketing.
  ],
  // A column that says who opted out (a CRM's `Email Opt Out`, a newsletter tool's `Unsubscribed`): yes withdraws the
  // consent; no says nothing, as not having opted out is no consent.
  'consents.marketing_email.optOut': [
    'email opt out', 'opt out', 'optout', 'opt out email', 'has opted out of email', 'unsubscribed', 'email unsubscribed',
    'unsubscribed from all email', 'do not email', 'disiscritto', 'disiscritta', 'disiscritto newsletter', 'disiscrizione',
    'disiscrizione newsletter', 'non inviare email', 'email blacklisted', 'unsubscribed from emails',
  ],
  // When the decision was made: without it, a file's grant cannot be shown to be later than a withdrawal (supersedes).
  'consents.marketing_email.at': [
    'data consenso marketing', 'data consenso newsletter', 'data iscrizione newsletter', 'data consenso email',
    'data consenso commerciale', 'marketing consent date', 'newsletter subscription date', 'email marketing consent date',
    'email marketing consent updated at',
  ],
  'consents.marketing_sms': ['consenso sms', 'accepts sms marketing', 'sms marketing', 'sms consent', 'sms marketing consent', 'sms opt in'],
  'consents.marketing_sms.at': ['data consenso sms', 'sms marketing consent date', 'sms marketing consent updated at'],
  'consents.marketing_sms.optOut': ['sms opt out', 'sms unsubscribed', 'disiscritto sms', 'sms blacklisted'],
  'consents.marketing_phone.optOut': ['do not call', 'non chiamare'],
  'consents.profiling': ['consenso profilazione', 'profilazione', 'profiling consent'],
  'consents.profiling.at': ['data consenso profilazione', 'profiling consent date'],
  'consents.privacy_notice': [
    'privacy', 'consenso privacy', 'informativa privacy', 'accetto privacy', 'accettazione privacy', 'acceptance privacy', 'privacy policy', 'gdpr',
    'trattamento dati', 'consenso trattamento dati',
  ],
  'order.orderId': [
    'numero ordine', 'n ordine', 'id ordine', 'codice ordine', 'order id', 'order number', 'order no',
    'nr ordine', 'num ordine', 'ordine n', 'ordine nr', 'ordine numero', 'order nr', 'orderid', 'numero scontrino', 'n scontrino', 'nr scontrino',
    'receipt number', 'receipt no',
    // An invoicing tool's invoices (`Fatture in Cloud`, `Easyfatt`): each a sale, known by its number.
    'numero fattura', 'n fattura', 'nr fattura', 'invoice number', 'invoice no', 'invoice id',
  ],
  'order.total': [
    'totale', 'totale ordine', 'importo', 'importo totale', 'total', 'order total', 'amount', 'grand total', 'totale documento',
    'totale doc', 'tot documento', 'tot doc', 'totale fattura', 'tot fattura', 'totale da pagare', 'invoice total',
    'order total amount', 'total amount',
    // What the customer paid, VAT included, or in euro as the header says (`Importo (EUR)`); not a net `Imponibile`,
    // nor a `Subtotal` before shipping and discounts.
    'totale iva inclusa', 'totale ivato', 'totale pagato', 'importo pagato', 'prezzo totale', 'amount paid',
    'importo eur', 'importo euro', 'totale eur', 'totale euro', 'total eur', 'amount eur',
  ],
  'order.refunded': ['importo rimborsato', 'totale rimborsato', 'refunded amount', 'amount refunded', 'refund amount', 'order refund amount'],
  'order.currency': ['valuta', 'currency', 'order currency', 'currency code'],
  'order.placedAt': [
    'data ordine', 'data acquisto', 'order date', 'placed at', 'purchase date', 'data fattura', 'invoice date', 'sale date', 'data vendita',
    'data creazione ordine', 'order created', 'order created at', 'order placed', 'order placed at',
  ],
  'order.status': ['stato ordine', 'order status', 'financial status'],
  'lead.source': [
    'utm source', 'fonte', 'lead source', 'origine', 'source', 'referral source',
    // A marketing tool's first touch (Klaviyo's `Initial Source`, `Initial Source Medium`, `Initial Source Campaign`).
    'initial source', 'original source', 'fonte originale',
    // An Italian CRM's or register's `Provenienza` (where the contact came from), `Canale di acquisizione`.
    'provenienza', 'provenienza contatto', 'provenienza lead', 'canale di acquisizione', 'canale acquisizione', 'acquisition channel',
    'acquisition source', 'signup source', 'sign up source', 'lead origin', 'fonte iscrizione', 'fonte di iscrizione', 'origine iscrizione',
    // A form's question of how the person found the business: the answer (`Instagram`, `Passaparola`) is the source.
    'come ci hai conosciuto', 'come ci ha conosciuto', 'come ci avete conosciuto', 'come hai conosciuto', 'dove ci hai conosciuto',
    'come hai saputo di noi', 'how did you hear about us', 'how did you hear of us', 'how did you find us', 'where did you hear about us',
    'where did you hear of us', 'how did you hear about this event', 'where did you hear about this event', 'come hai saputo di questo evento',
  ],
  'lead.medium': ['utm medium', 'medium', 'initial source medium'],
  'lead.campaign': ['utm campaign', 'campagna', 'campaign', 'initial source campaign'],
  'interaction.subject': ['oggetto', 'subject'],
  'interaction.summary': ['note', 'descrizione', 'messaggio', 'notes', 'description', 'message'],
  'interaction.type': ['tipo', 'tipo contatto', 'type', 'channel'],
  occurredAt: [
    'data', 'data registrazione', 'data inserimento', 'data creazione', 'data apertura', 'data ora', 'data e ora', 'data chiamata',
    'data contatto', 'data richiesta', 'aperto il', 'created at', 'created', 'created on', 'created time', 'creation date',
    'creation time', 'date created', 'date', 'date time', 'datetime', 'timestamp', 'create date', 'created date',
    // When the customer signed up (PrestaShop's `Registration`), when the record last changed (an ERP's `Data ultima
    // modifica`: its values are as of then, which survivorship's recency weighs); the first such column counts.
    'registrazione', 'registration', 'registration date', 'registration time', 'date registered', 'signup date', 'sign up date', 'added time',
    'data iscrizione', 'added', 'date added', 'data aggiunta', 'signed up', 'signed up at', 'creato il', 'data di creazione',
    // When an address book's contact was made (LinkedIn's `Connected On`).
    'connected on',
    // A restaurant's or a hotel's booking: the day it is for, or was made (`Data prenotazione`).
    // (The same list as BOOKED_ON: spreading one into the other would keep this table in bundles that read no header.)
    'data prenotazione', 'data della prenotazione', 'data di prenotazione', 'prenotato il', 'booking date', 'reservation date',
    'booked on', 'booked at', 'date booked', 'reserved on',
    // Since when the person is a member or a customer (an association's `Data tesseramento`, `Socio dal`).
    'data tesseramento', 'iscritto dal', 'iscritta dal', 'socio dal', 'cliente dal', 'customer since', 'member since', 'date joined',
    'joined on', 'joined at', 'join date', 'data adesione', 'data di adesione', 'client since', 'data prima visita', 'first visit',
    // When a form was sent: Google Forms' `Informazioni cronologiche` (its Italian `Timestamp`), Typeform's `Submit Date
    // (UTC)`, Jotform's `Submission Date`.
    'informazioni cronologiche', 'submit date', 'submission date', 'submitted at', 'submitted on', 'data invio',
    // Contact Form 7's databases (`submit_time`), Gravity Forms' `Entry Date`.
    'submit time', 'entry date',
    // When a donation was made (a charity's donors).
    'data donazione', 'data della donazione', 'donation date',
    'data ultima modifica', 'ultima modifica', 'data modifica', 'last modified', 'last modified date', 'modified time',
    'date modified', 'updated at', 'last updated',
    // When an appointment is (a booking system's: a salon's, a clinic's).
    'data appuntamento', 'appointment date', 'data visita', 'visit date',
  ],
  // The time of day beside a date column (a call log's `Data;Ora`): read into that date.
  'occurredAt.time': ['ora', 'orario', 'ora chiamata', 'ora contatto', 'time', 'ora appuntamento', 'orario appuntamento', 'appointment time', 'ora visita', 'orario visita', 'visit time'],
};

/** Paths a row may carry several columns of (two phone columns are two phones, not a conflict). */
export const MULTI_VALUED = new Set(['identifiers.email', 'identifiers.phone']);

/** Folds a header for comparison: lower case, no accents, punctuation as single spaces. */
export const foldHeader = foldText;

/** An export format of a known tool: recognised by headers it always has, mapped the way that tool means them. */
export interface ExportFormat {
  readonly name: string;
  /** Folded headers that must all be present. */
  readonly signature: readonly string[];
  /** Namespace of its customer ids (`shopify:123`). */
  readonly namespace: string;
  readonly kind?: 'contact' | 'order' | 'interaction';
  /** Folded header -> canonical path, applied before the synonyms; `''` leaves a column a synonym would misread unmapped. */
  readonly columns: Readonly<Record<string, string>>;
  /** The folded header of the column that keys its rows, when that is no customer id (a lead's, a submission's id). */
  readonly recordKey?: string;
  /** Constant values this export implies (a Mailchimp subscribed export means marketing consent granted). */
  readonly constants?: Readonly<Record<string, string>>;
  /** Folded header -> its codes and what each reads as (`C` -> `true`; `''`: says nothing), as a mapping's `values`. */
  readonly values?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** How its full-name column is ordered. */
  readonly nameOrder?: 'firstLast' | 'lastFirst';
  /** Why its file names no one, where the tool writes no column that does (the import's error detail). */
  readonly namesNoOne?: string;
}

/**
 * Microsoft Forms' own columns, in English and Italian; the questions are read by their synonyms, as any form's, and so
 * is the respondent's account `Email`. The account's `Name` is not read: it is empty for the anonymous responses a
 * customer-facing form gets, and would hide the name the form asks for (the first name column counts).
 */
const MS_FORMS_COLUMNS: Readonly<Record<string, string>> = {
  id: '',
  'start time': '',
  'ora di inizio': '',
  'completion time': 'occurredAt',
  'ora di completamento': 'occurredAt',
  'last modified time': '',
  'ora ultima modifica': '',
  name: '',
  nome: '',
};

/** An anonymous response's account: no address, not one that cannot be read. */
const MS_FORMS_VALUES: Readonly<Record<string, Readonly<Record<string, string>>>> = { email: { anonymous: '' }, 'posta elettronica': { anonymous: '', anonimo: '' } };

/** The columns of every file of a Mailchimp audience export. */
const MAILCHIMP_COLUMNS: Readonly<Record<string, string>> = {
  'phone number': 'identifiers.phone',
  address: 'address.combined',
  birthday: 'attributes.birthday',
  'confirm time': 'attributes.confirmTime',
  cc: 'address.country',
  region: 'attributes.mailchimpRegion',
  euid: 'identifiers.externalId',
  leid: 'attributes.leid',
  'member rating': 'attributes.memberRating',
  tags: 'attributes.tags',
  notes: 'attributes.notes',
};

/**
 * One file of a Mailchimp audience export: the columns all have, and its own. Built by a call, as Google's columns
 * are: a bundle that detects no format (the privacy worker) leaves the formats out, which an object spread prevents.
 */
const mailchimpColumns = (own: Readonly<Record<string, string>>): Readonly<Record<string, string>> => ({ ...MAILCHIMP_COLUMNS, ...own });

/**
 * Google Contacts' CSV (both its layouts: `First Name`/`Last Name` and the older `Given Name`/`Family Name`): numbered
 * e-mails and phones (`E-mail 1 - Value`), the first address, the organisation. Its `Notes` and `Subject` are no
 * interaction of the person's, and `Labels` (`Group Membership`) are kept as an attribute.
 */
const GOOGLE_CONTACTS_COLUMNS: Readonly<Record<string, string>> = /* @__PURE__ */ withNumbered({
  'given name': 'person.firstName',
  'family name': 'person.lastName',
  'name prefix': 'person.title',
  'organization name': 'company.name',
  'organization 1 name': 'company.name',
  'organization title': 'company.role',
  'organization 1 title': 'company.role',
  'address 1 street': 'address.line1',
  'address 1 extended address': 'address.line2',
  'address 1 city': 'address.city',
  'address 1 postal code': 'address.postalCode',
  // Google's Italian form labels it `Provincia`.
  'address 1 region': 'address.province',
  'address 1 country': 'address.country',
  // The second address is the row's where the first is empty, as Outlook's home one is (see row-mapper).
  'address 2 street': 'address.home.line1',
  'address 2 extended address': 'address.home.line2',
  'address 2 city': 'address.home.city',
  'address 2 postal code': 'address.home.postalCode',
  'address 2 region': 'address.home.province',
  'address 2 country': 'address.home.country',
  labels: 'attributes.labels',
  'group membership': 'attributes.labels',
  notes: 'attributes.notes',
  subject: 'attributes.subject',
});

/** Google's numbered e-mail and phone columns (`E-mail 1 - Value` to `9`) beside its other columns. */
function withNumbered(columns: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  const numbered = [1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((n) => [
    [`e mail ${n} value`, 'identifiers.email'],
    [`phone ${n} value`, 'identifiers.phone'],
  ]);
  return { ...Object.fromEntries(numbered), ...columns };
}

/**
 * Outlook's contacts CSV, in English and in Italian (`Indirizzo posta elettronica`, `Ufficio`, `Via (uff.)`, `CAP (ab.)`).
 * The business address (an office's address book); the company's switchboard (`Company Main Phone`, `Telefono
 * principale società`), the manager's, the assistant's and the spouse's are no one's here.
 */
const OUTLOOK_COLUMNS: Readonly<Record<string, string>> = {
  'e mail address': 'identifiers.email',
  'e mail 2 address': 'identifiers.email',
  'e mail 3 address': 'identifiers.email',
  'indirizzo posta elettronica': 'identifiers.email',
  'indirizzo posta elettronica 2': 'identifiers.email',
  'indirizzo posta elettronica 3': 'identifiers.email',
  'mobile phone': 'identifiers.phone',
  'business phone': 'identifiers.phone',
  'business phone 2': 'identifiers.phone',
  'home phone': 'identifiers.phone',
  'home phone 2': 'identifiers.phone',
  'other phone': 'identifiers.phone',
  'primary phone': 'identifiers.phone',
  cellulare: 'identifiers.phone',
  ufficio: 'identifiers.phone',
  'ufficio 2': 'identifiers.phone',
  abitazione: 'identifiers.phone',
  'abitazione 2': 'identifiers.phone',
  'altro telefono': 'identifiers.phone',
  'telefono principale': 'identifiers.phone',
  company: 'company.name',
  'job title': 'company.role',
  posizione: 'company.role',
  department: 'attributes.department',
  reparto: 'attributes.department',
  'business street': 'address.line1',
  'business city': 'address.city',
  'business state': 'address.province',
  'business postal code': 'address.postalCode',
  'business country region': 'address.country',
  'via uff': 'address.line1',
  'citta uff': 'address.city',
  'provincia uff': 'address.province',
  'cap uff': 'address.postalCode',
  'paese area geografica uff': 'address.country',
  // A private contact's address is its home one: read where the row has no business address (see row-mapper).
  'home street': 'address.home.line1',
  'home city': 'address.home.city',
  'home state': 'address.home.province',
  'home postal code': 'address.home.postalCode',
  'home country region': 'address.home.country',
  'via ab': 'address.home.line1',
  'citta ab': 'address.home.city',
  'provincia ab': 'address.home.province',
  'cap ab': 'address.home.postalCode',
  'paese area geografica ab': 'address.home.country',
  // The categories a contact is filed under (`Clienti`, `Fornitori`): its labels, as Google's.
  categories: 'attributes.labels',
  categorie: 'attributes.labels',
  notes: 'attributes.notes',
};

/** Wix's subscriber states, as its contacts export writes them. */
const WIX_STATES: Readonly<Record<string, string>> = { Subscribed: 'true', Unsubscribed: 'false', 'Never subscribed': '', 'Not set': '', Pending: '' };

/** PrestaShop's orders list in one language of its back office, by its folded headers (see EXPORT_FORMATS). */
function prestashopOrders(headers: readonly string[]): ExportFormat {
  const [id, reference, fresh, delivery, customer, total, payment, status, date, company] = headers as [string, string, string, string, string, string, string, string, string, string];
  return {
    name: 'prestashop-orders',
    signature: [reference, fresh, delivery, customer, payment],
    namespace: 'prestashop',
    kind: 'order',
    columns: {
      [id]: 'order.orderId',
      [reference]: '',
      [fresh]: '',
      [delivery]: 'address.country',
      [customer]: '',
      [total]: 'order.total',
      [payment]: '',
      [status]: 'order.status',
      [date]: 'order.placedAt',
      [company]: 'company.name',
    },
    namesNoOne:
      "PrestaShop's orders list names each customer by an initial and the surname only (M. Rossi), with no e-mail or customer id, so no order can be told whose; export the orders with the customer's e-mail (PrestaShop's SQL manager, or an export module) and import that",
  };
}

/**
 * Eventbrite's attendee summary, by the folded header of its attendee's number (`Attendee #`; `Attendee no.` where
 * Eventbrite writes British English, with `Order no.` and `Surname`): see EXPORT_FORMATS.
 */
function eventbriteAttendees(attendee: string): ExportFormat {
  return {
    name: 'eventbrite-attendees',
    signature: [attendee, 'total paid', 'eventbrite fees', 'attendee status'],
    namespace: 'eventbrite',
    kind: 'interaction',
    recordKey: attendee,
    columns: {
      [attendee]: '',
      order: '',
      'order no': '',
      'order id': '',
      'order date': 'occurredAt',
      'event name': 'interaction.touchpoint',
      'ticket type': 'interaction.subject',
      'event id': '',
      quantity: '',
      'ticket quantity': '',
      'price tier': '',
      'ticket price': '',
      group: '',
      'order type': '',
      currency: '',
      'total paid': '',
      'fees paid': '',
      'eventbrite fees': '',
      'eventbrite payment processing': '',
      'attendee status': '',
      'buyer first name': '',
      'buyer last name': '',
      'buyer surname': '',
      'buyer email': '',
      barcode: '',
      'billing address 1': '',
      'billing address 2': '',
      'billing city': '',
      'billing state': '',
      'billing zip': '',
      'billing postcode': '',
      'billing country': '',
    },
    nameOrder: 'firstLast',
  };
}

export const EXPORT_FORMATS: readonly ExportFormat[] = [
  {
    name: 'shopify-orders',
    signature: ['name', 'financial status', 'lineitem name'],
    namespace: 'shopify',
    kind: 'order',
    columns: {
      name: 'order.orderId',
      id: 'order.ref',
      email: 'identifiers.email',
      phone: 'identifiers.phone',
      'billing phone': 'identifiers.phone',
      'billing name': 'person.fullName',
      'billing company': 'company.name',
      'billing address1': 'address.line1',
      'billing address2': 'address.line2',
      'billing city': 'address.city',
      'billing zip': 'address.postalCode',
      'billing province': 'address.province',
      'billing country': 'address.country',
      'financial status': 'order.status',
      total: 'order.total',
      'refunded amount': 'order.refunded',
      currency: 'order.currency',
      'created at': 'order.placedAt',
      'accepts marketing': 'consents.marketing_email',
      'lineitem name': 'attributes.lineitemName',
    },
  },
  {
    name: 'shopify-customers',
    signature: ['first name', 'last name', 'email', 'total spent', 'total orders'],
    namespace: 'shopify',
    columns: {
      'customer id': 'identifiers.externalId',
      'default address company': 'company.name',
      company: 'company.name',
      'default address address1': 'address.line1',
      'default address address2': 'address.line2',
      'default address city': 'address.city',
      'default address province code': 'address.province',
      'default address country code': 'address.country',
      'default address zip': 'address.postalCode',
      'default address phone': 'identifiers.phone',
      'accepts email marketing': 'consents.marketing_email',
      'accepts marketing': 'consents.marketing_email',
      'accepts sms marketing': 'consents.marketing_sms',
      'total spent': 'attributes.totalSpent',
      'total orders': 'attributes.totalOrders',
      tags: 'attributes.tags',
      note: 'attributes.note',
    },
  },
  // Mailchimp exports an audience as three files, alike but for a few columns: the unsubscribed members (`UNSUB_TIME`)
  // withdrew their consent then, the cleaned ones (`CLEAN_TIME`: the address bounced) say nothing of it, and only the
  // subscribed members' file grants it. The two are told first: they have the subscribed file's columns too.
  {
    name: 'mailchimp-unsubscribed',
    signature: ['email address', 'member rating', 'unsub time'],
    namespace: 'mailchimp',
    columns: /* @__PURE__ */ mailchimpColumns({ 'unsub time': 'consents.marketing_email.at', 'unsub reason': 'attributes.mailchimpUnsubscribeReason' }),
    constants: { 'consents.marketing_email': 'no' },
  },
  {
    name: 'mailchimp-cleaned',
    signature: ['email address', 'member rating', 'clean time'],
    namespace: 'mailchimp',
    columns: MAILCHIMP_COLUMNS,
    constants: { 'attributes.mailchimpCleaned': 'true' },
  },
  {
    name: 'mailchimp-audience',
    signature: ['email address', 'member rating', 'optin time'],
    namespace: 'mailchimp',
    columns: /* @__PURE__ */ mailchimpColumns({ 'optin time': 'consents.marketing_email.at', 'optin ip': 'consents.marketing_email.ip' }),
    constants: { 'consents.marketing_email': 'yes' },
  },
  // WordPress's Newsletter plugin (`Email;Name;Surname;Sex;Status;Date;Token;…`) writes its subscriber's state as one
  // letter: C confirmed, S awaiting the confirmation of a double opt-in (no consent yet), U unsubscribed, B bounced (the
  // address, not the person's word), P complained (marked as spam: a withdrawal). `Date` is when the subscriber was
  // created, not when the state changed, so it dates the row (and with it the decision, as a file's undated one).
  {
    name: 'newsletter-plugin',
    signature: ['email', 'surname', 'status', 'token'],
    namespace: 'newsletter',
    kind: 'contact',
    columns: { status: 'consents.marketing_email' },
    values: { status: { C: 'true', U: 'false', P: 'false', S: '', B: '' } },
  },
  {
    name: 'woocommerce-customers',
    signature: ['billing email', 'billing first name'],
    namespace: 'woocommerce',
    columns: {
      'customer id': 'identifiers.externalId',
      id: 'identifiers.externalId',
      'billing first name': 'person.firstName',
      'billing last name': 'person.lastName',
      'billing email': 'identifiers.email',
      'billing phone': 'identifiers.phone',
      'billing company': 'company.name',
      'billing address 1': 'address.line1',
      'billing address 2': 'address.line2',
      'billing city': 'address.city',
      'billing postcode': 'address.postalCode',
      'billing state': 'address.province',
      'billing country': 'address.country',
      'date created': 'occurredAt',
      'orders count': 'attributes.ordersCount',
      'total spent': 'attributes.totalSpent',
    },
  },
  // An address book has no ids: its rows are people by name, e-mail and phone. Google omits the columns of a field no
  // contact has, so either numbered column tells it.
  { name: 'google-contacts', signature: ['e mail 1 value'], namespace: 'google', kind: 'contact', columns: GOOGLE_CONTACTS_COLUMNS },
  { name: 'google-contacts', signature: ['phone 1 value'], namespace: 'google', kind: 'contact', columns: GOOGLE_CONTACTS_COLUMNS },
  // Outlook's contacts CSV has every column always, in the language of the Outlook that wrote it.
  { name: 'outlook-contacts', signature: ['e mail address', 'business phone', 'home phone', 'mobile phone'], namespace: 'outlook', kind: 'contact', columns: OUTLOOK_COLUMNS },
  { name: 'outlook-contacts', signature: ['indirizzo posta elettronica', 'ufficio', 'abitazione', 'cellulare'], namespace: 'outlook', kind: 'contact', columns: OUTLOOK_COLUMNS },
  {
    name: 'stripe-customers',
    signature: ['id', 'description', 'email', 'created utc'],
    namespace: 'stripe',
    columns: {
      id: 'identifiers.externalId',
      name: 'person.fullName',
      'created utc': 'occurredAt',
      description: 'attributes.description',
      'card last4': 'attributes.cardLast4',
    },
    nameOrder: 'firstLast',
  },
  // Zoho CRM's contacts and leads exports: `Record Id` as HubSpot's, so told apart by Zoho's system times. Its owner
  // columns (`Contact Owner`, `Lead Owner`) are the salesperson's.
  {
    name: 'zoho-crm',
    signature: ['record id', 'created time', 'modified time'],
    namespace: 'zoho',
    columns: {
      'record id': 'identifiers.externalId',
      'account name': 'company.name',
      // The job (`Sales Manager`); the form of address is `Salutation`.
      title: 'company.role',
      salutation: 'person.title',
      'secondary email': 'identifiers.email',
      'home phone': 'identifiers.phone',
      description: 'attributes.description',
    },
  },
  {
    name: 'hubspot-contacts',
    signature: ['record id', 'first name', 'last name', 'email'],
    namespace: 'hubspot',
    columns: {
      'record id': 'identifiers.externalId',
      'phone number': 'identifiers.phone',
      'mobile phone number': 'identifiers.phone',
      'street address': 'address.line1',
      'state region': 'address.province',
      'country region': 'address.country',
      'postal code': 'address.postalCode',
      'company name': 'company.name',
      'job title': 'company.role',
      'original source': 'lead.source',
      'create date': 'occurredAt',
      'lifecycle stage': 'attributes.lifecycleStage',
      'marketing contact status': 'attributes.marketingContactStatus',
    },
  },
  // Wix's contacts export: numbered e-mails and phones (read as any numbered column), its first address by parts, and
  // the subscriber states its marketing tools keep per channel. `Never subscribed` is no word either way; the states are
  // undated (the row is dated by `Created At (UTC+0)`), so a grant stands only while nothing else is known.
  {
    name: 'wix-contacts',
    signature: ['email 1', 'email subscriber status'],
    namespace: 'wix',
    kind: 'contact',
    columns: {
      'address 1 street': 'address.line1',
      'address 1 street line 2': 'address.line2',
      'address 1 city': 'address.city',
      'address 1 state region': 'address.province',
      'address 1 zip': 'address.postalCode',
      'address 1 country': 'address.country',
      'email subscriber status': 'consents.marketing_email',
      'sms subscriber status': 'consents.marketing_sms',
      position: 'company.role',
      labels: 'attributes.labels',
    },
    values: {
      'email subscriber status': WIX_STATES,
      'sms subscriber status': WIX_STATES,
    },
  },
  // Airbnb's reservations export (Reservations › Export): one row a stay, under its confirmation code. Its guest is known
  // by name and by the phone Airbnb gives (`Contact`); it has no e-mail. A stay is a sale, booked on `Booked`, worth the
  // host's `Earnings` (`€300.00`); a cancelled one (`Canceled by guest`) counts toward nothing. The listing is where the
  // guest stayed: the touchpoint. The stay's dates and its guests' numbers are left out.
  {
    name: 'airbnb-reservations',
    signature: ['confirmation code', 'guest name', 'listing'],
    namespace: 'airbnb',
    kind: 'order',
    columns: {
      'confirmation code': 'order.orderId',
      'guest name': 'person.fullName',
      contact: 'identifiers.phone',
      status: 'order.status',
      booked: 'order.placedAt',
      earnings: 'order.total',
      listing: 'interaction.touchpoint',
    },
    nameOrder: 'firstLast',
  },
  // Booking.com's reservations (the extranet's list, saved as CSV or .xlsx): one row a booking, under its number, made by
  // its booker (`Booked by`, often `Surname, Name`), who is the person; the guests (`Guest name(s)`, several names) are
  // not. The booker's phone and country, when Booking.com gives them; no e-mail. A booking is a sale: booked on `Booked
  // on`, worth its `Price` (`450 EUR`); a cancelled one (`cancelled_by_guest`) counts toward nothing. The unit booked is
  // the touchpoint, the booker's remarks its summary; the commission and the stay's dates are left out.
  {
    name: 'booking-reservations',
    signature: ['book number', 'booked by', 'booked on'],
    namespace: 'booking',
    kind: 'order',
    columns: {
      'book number': 'order.orderId',
      'booked by': 'person.fullName',
      'booked on': 'order.placedAt',
      status: 'order.status',
      price: 'order.total',
      'booker country': 'address.country',
      'unit type': 'interaction.touchpoint',
      remarks: 'interaction.summary',
    },
    nameOrder: 'firstLast',
  },
  // Acuity Scheduling's appointments (Reports › Export): one row an appointment, under its id, of its client (names,
  // phone, e-mail), dated by when it starts (`March 3, 2026 10:00am`, in the account's zone), of its type (the service)
  // with the client's notes. The calendar is the practitioner's, not the client's; the price, payment, label and who
  // booked it are left out, as are the intake form's questions beyond a consent's.
  {
    name: 'acuity-appointments',
    signature: ['start time', 'end time', 'calendar', 'appointment price'],
    namespace: 'acuity',
    kind: 'interaction',
    recordKey: 'appointment id',
    columns: {
      'start time': 'occurredAt',
      type: 'interaction.subject',
      notes: 'interaction.summary',
      'end time': '',
      calendar: '',
      'appointment id': '',
      'scheduled by': '',
    },
    nameOrder: 'firstLast',
  },
  // SurveyMonkey's responses (Analyze › Save as › All responses data, CSV or .xlsx): one row a response, under its
  // respondent's id (which links no one), dated by when it was completed (`End Date`). The respondent is known by the
  // e-mail, name and custom data of an e-mail invitation, which a web link leaves empty, and by the survey's own
  // questions, a contact question's fields named in the second header row (see subHeaderNames). The collector, the
  // start and the IP address are left out.
  {
    name: 'surveymonkey-responses',
    signature: ['respondent id', 'collector id', 'start date', 'end date'],
    namespace: 'surveymonkey',
    kind: 'contact',
    recordKey: 'respondent id',
    columns: {
      'respondent id': '',
      'collector id': '',
      'start date': '',
      'end date': 'occurredAt',
      'ip address': '',
      'custom data 1': '',
    },
    nameOrder: 'firstLast',
  },
  // Eventbrite's attendee summary (Reports › Attendee summary, CSV or .xlsx): one row an attendee, under their number,
  // who is the row's person (names, e-mail, and what the checkout asked: `Home Address 1`, `Mobile Phone`, `Job Title`,
  // `Company`), registered on `Order Date` for a ticket of the event. The registration is the attendee's interaction:
  // the ticket type its subject, the event (where the report names it) its touchpoint. The amounts are the order's
  // shared out per attendee and the order is its buyer's, who may be someone else: they are left out, with the fees,
  // the order's type, the group, the attendee's status and the buyer's names, e-mail and billing address.
  /* @__PURE__ */ eventbriteAttendees('attendee'),
  /* @__PURE__ */ eventbriteAttendees('attendee no'),
  // PrestaShop's orders list (Orders › Export, `order_<date>.csv`): one row an order, under its id, with its reference,
  // the country it was delivered to, its total and its state, in the back office's language. Its customer is only an
  // initial and the surname (`M. Rossi`), with no e-mail or customer id. Its `ID` is the order's: read as a customer
  // code, each order was a customer of its own, named by nothing. As the file names no one, the import fails saying
  // so, unless a column added to it does (an e-mail).
  /* @__PURE__ */ prestashopOrders(['id', 'reference', 'new client', 'delivery', 'customer', 'total', 'payment', 'status', 'date', 'company']),
  /* @__PURE__ */ prestashopOrders(['id', 'riferimento', 'nuovo cliente', 'consegna', 'cliente', 'totale', 'pagamento', 'stato', 'data', 'azienda']),
  // Meta's lead ads download (Ads Manager, Leads Center; a tab-separated UTF-16 file): one row a form submitted, under
  // its lead id (`l:123…`), with the ad that brought it and the form's questions by their keys (`full_name`,
  // `phone_number` as `p:+39…`; a custom question by its text). Its ids are the lead's and the ad objects', no
  // customer's: the lead id keys the row, so a download that overlaps the last adds only its new leads. The platform
  // and `is_organic` are the lead's first touch; the form is its touchpoint. The ad's and ad set's names are left out.
  {
    name: 'meta-lead-ads',
    signature: ['created time', 'form id', 'is organic', 'platform'],
    namespace: 'meta',
    kind: 'contact',
    recordKey: 'id',
    columns: {
      id: '',
      'created time': 'occurredAt',
      platform: 'lead.source',
      'is organic': 'lead.medium',
      'campaign name': 'lead.campaign',
      'form name': 'interaction.touchpoint',
      'full name': 'person.fullName',
      'phone number': 'identifiers.phone',
      'work phone number': 'identifiers.phone',
      'work email': 'identifiers.email',
      'street address': 'address.line1',
      'post code': 'address.postalCode',
      'zip code': 'address.postalCode',
      state: 'address.province',
      'job title': 'company.role',
      'company name': 'company.name',
    },
    values: {
      platform: { fb: 'facebook', ig: 'instagram', an: 'audience network', ms: 'messenger', wa: 'whatsapp' },
      'is organic': { TRUE: 'organic', FALSE: 'paid', true: 'organic', false: 'paid', '1': 'organic', '0': 'paid' },
    },
    nameOrder: 'firstLast',
  },
  // Microsoft Forms' responses (Open in Excel), in English or Italian: one row a response, under the form's own number
  // for it (`ID`), when it was completed, and, for a form that records who answers, the respondent's account (`Email`,
  // `Name`; `anonymous` otherwise). The questions follow, each headed by its text, read as any form's. The response's
  // number was read as a customer code: the respondents numbered 1, 2, 3 of one form were linked with those of the
  // next form uploaded under the same source; and the responses were undated.
  { name: 'microsoft-forms', signature: ['start time', 'completion time'], namespace: 'msforms', kind: 'contact', recordKey: 'id', columns: MS_FORMS_COLUMNS, values: MS_FORMS_VALUES, nameOrder: 'firstLast' },
  { name: 'microsoft-forms', signature: ['ora di inizio', 'ora di completamento'], namespace: 'msforms', kind: 'contact', recordKey: 'id', columns: MS_FORMS_COLUMNS, values: MS_FORMS_VALUES, nameOrder: 'firstLast' },
];

/**
 * Folded header -> canonical path, from each path's headers (a Map: a header such as `constructor` is no key of it).
 * Its top-level calls are marked pure: a bundle that reads no header (the privacy worker parses mappings only) leaves
 * the tables out.
 */
function byHeader(paths: Readonly<Record<string, readonly string[]>>): ReadonlyMap<string, string> {
  return new Map(Object.entries(paths).flatMap(([path, names]) => names.map((n) => [foldHeader(n), path] as const)));
}

export const SYNONYM_LOOKUP: ReadonlyMap<string, string> = /* @__PURE__ */ byHeader(HEADER_SYNONYMS);

/** Italian articles and prepositions a header may carry or leave out: `Data di registrazione`, `Iscritto alla newsletter`. */
const LINKING_WORDS: ReadonlySet<string> = new Set([
  'il', 'lo', 'la', 'i', 'gli', 'le', 'l', 'd', 'di', 'del', 'dello', 'della', 'dei', 'degli', 'delle', 'dell',
  'a', 'ad', 'al', 'allo', 'alla', 'ai', 'agli', 'alle', 'all', 'per',
]);

/**
 * A folded header without its linking words (`data di registrazione` → `data registrazione`). Only a word between two
 * others links them: a first or last word is a word of the header's own (`ad name`, the name of an advertisement, is no
 * `name`).
 */
const withoutLinkingWords = (folded: string): string =>
  folded
    .split(' ')
    .filter((w, i, words) => i === 0 || i === words.length - 1 || !LINKING_WORDS.has(w))
    .join(' ');

/**
 * The synonyms by their words alone: a header that names a synonym with its articles and prepositions written otherwise
 * (`Data di registrazione` for `Data registrazione`, `Consenso al trattamento dei dati`) is that synonym. Two synonyms of
 * different fields that read alike so are neither's.
 */
const LOOSE_SYNONYMS: ReadonlyMap<string, string> = /* @__PURE__ */ (() => {
  const loose = new Map<string, string | null>();
  for (const [header, path] of SYNONYM_LOOKUP) {
    const key = withoutLinkingWords(header);
    loose.set(key, loose.has(key) && loose.get(key) !== path ? null : path);
  }
  return new Map([...loose].filter((e): e is [string, string] => e[1] !== null));
})();

/** A time's header that notes its zone (`Submit Date (UTC)`, Wix's `Created At (UTC+0)`, `GMT+01:00`); mapping reads the zone. */
const ZONE_NOTE = /\s(?:utc|gmt)(?:\s\d{1,2}){0,2}$/;
/** An amount's header that notes its currency (`Total (USD)`, `Amount in GBP`, `Prezzo CHF`); mapping reads the currency. */
const CURRENCY_NOTE = /\s(?:in\s)?(?:eur|euro|usd|gbp|chf)$/;
/** The amounts of an order, each in the order's currency. */
export const AMOUNT_PATHS: ReadonlySet<string> = /* @__PURE__ */ new Set(['order.total', 'order.refunded', 'order.lineTotal', 'order.unitPrice']);

/**
 * A form's own name for a field, as a form plugin's export heads it: Contact Form 7's `your-name`, `your-email` (which
 * CFDB7 and Flamingo export as they are), a form's `Il tuo nome`, `La tua email`. The field is the person's.
 */
const YOUR = /^(?:your|il tuo|la tua|il vostro|la vostra)\s+(?=\S)/;

/** A line's amount whose header notes its currency (`Prezzo unitario (CHF)`). */
function lineAmountOf(folded: string): string | undefined {
  const path = CURRENCY_NOTE.test(folded) ? ORDER_LINE_COLUMNS.get(folded.replace(CURRENCY_NOTE, '')) : undefined;
  return path !== undefined && AMOUNT_PATHS.has(path) ? path : undefined;
}

/**
 * The field a folded header is a synonym of: as written, with its linking words written otherwise, with a form's `your`
 * before it, or, for a time, with its zone noted after it, for an amount, with its currency.
 */
function synonymOf(folded: string): string | undefined {
  const exact = SYNONYM_LOOKUP.get(folded);
  if (exact !== undefined) return exact;
  const key = withoutLinkingWords(folded);
  const loose = key !== '' ? LOOSE_SYNONYMS.get(key) : undefined;
  if (loose === undefined && YOUR.test(folded)) return synonymOf(folded.replace(YOUR, ''));
  if (loose !== undefined) return loose;
  if (ZONE_NOTE.test(folded)) {
    const time = synonymOf(folded.replace(ZONE_NOTE, ''));
    return time === 'occurredAt' || time === 'order.placedAt' || time?.endsWith('.at') ? time : undefined;
  }
  const amount = CURRENCY_NOTE.test(folded) ? synonymOf(folded.replace(CURRENCY_NOTE, '')) : undefined;
  return amount !== undefined && AMOUNT_PATHS.has(amount) ? amount : undefined;
}

/** A run of words written together, each from its capital (`emailAddress`, `IDCliente`, `dateOfBirth`). */
const CAMEL_CASE = /[a-z\d][A-Z]|[A-Z]{2}[a-z]/;

/**
 * A header folded as it is recognised: an app's or an API's keys written in camelCase (`emailAddress`, `phoneNumber`,
 * `createdAt`, MailUp's `IDCliente`) by their words, as their snake_case (`email_address`) already were, where the
 * words name a field and the run-together form names none (`firstName` reads as before). An export's own column is
 * kept as the export names it.
 */
function foldWords(header: string, format?: ExportFormat): string {
  const folded = foldHeader(header);
  if (!CAMEL_CASE.test(header) || own(format?.columns, folded) !== undefined || (synonymOf(folded) ?? personFieldOf(folded)) !== undefined) return folded;
  const words = foldHeader(header.replace(/([a-z\d])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2'));
  return (synonymOf(words) ?? personFieldOf(words)) !== undefined ? words : folded;
}

/**
 * Whether a survey question's labels (its second header row, see subHeaderNames) are a contact question's fields
 * (SurveyMonkey's `Contact Information`: `Name`, `Company`, …, `Email Address`, `Phone Number`, each label editable):
 * a person's name and an e-mail or a phone. A choice question's labels (`Email`, `Phone`, `Post` for how to be
 * reached) name no person.
 */
export function isContactQuestion(labels: readonly string[]): boolean {
  const paths = labels.map((l) => synonymOf(foldHeader(l)));
  return paths.some((p) => p === 'person.fullName' || p === 'person.firstName' || p === 'person.lastName') && paths.some((p) => p === 'identifiers.email' || p === 'identifiers.phone');
}

/**
 * A consent asked as a form asks it: a form's export heads each column with its question, and a consent's is often its
 * checkbox's whole wording (`Acconsento al trattamento dei dati personali ai sensi del GDPR`, `Desidero ricevere la
 * newsletter`, `I agree to receive marketing emails`) or a question (`Vuoi ricevere la newsletter?`, `Acconsente al
 * trattamento…?`, `Would you like to receive our newsletter?`): words that give or ask a consent, then what for.
 */
const CONSENT_QUESTION =
  /^(?:(?:si|yes)\s)?(?:acconsent[oie]|accett[oia]|autorizz[oia]|consent[oie]|do il (?:mio )?consenso|presto il (?:mio )?consenso|esprimo il (?:mio )?consenso|dichiaro|ho letto|confermo|desider[oia]|voglio|vuoi|vuole|sono d accordo|iscrivimi|iscriviti|i agree|i accept|i consent|i have read|i ve read|i would like|i d like|i want|yes please|subscribe me|sign me up|keep me|do you (?:agree|consent|accept|want)|would you like)\b/;
/** A consent named by its noun (`Consenso al trattamento dei dati personali`): a header that may be a date's or an IP's. */
const CONSENT_NOUN = /^(?:consenso|consensi|consent)\b/;
const ABOUT_CONSENT = /\s(?:data|date|timestamp|ip|time|ora|testo|text|versione|version|fonte|source)$/;
const PROFILING = /\b(?:profilazione|profiling)\b/;
const THIRD_PARTIES = /\b(?:terzi|third part(?:y|ies)|partner|partners|gruppo)\b/;
const MARKETING =
  /\b(?:marketing|newsletters?|commercial[ei]|promozional[ei]|promozioni|pubblicitari[aeo]?|offerte|sconti|novita|news|offers|promotions|promotional|advertising)\b/;
const BY_TEXT = /\b(?:sms|whatsapp)\b/;
const BY_PHONE = /\b(?:telefon\w*|chiamate|phone|calls?)\b/;
const BY_EMAIL = /\b(?:e ?mail|email|newsletters?|posta)\b/;
const PRIVACY_NOTICE = /\b(?:privacy|informativa|trattamento|dati personali|personal data|gdpr|regolamento|data protection)\b/;

/**
 * The consent a header asks, if it asks one (see CONSENT_QUESTION): profiling, marketing (by text or by phone where
 * those alone are named, by e-mail otherwise) or the privacy notice. A box that asks for two purposes (profiling and
 * marketing) or for the data to go to third parties is no consent of one purpose here: it stays unmapped, and the
 * report names it for a mapping to place.
 */
function consentQuestionOf(folded: string): string | undefined {
  if (!CONSENT_QUESTION.test(folded) && !(CONSENT_NOUN.test(folded) && (!ABOUT_CONSENT.test(folded) || / personal data$/.test(folded)))) return undefined;
  const marketing = MARKETING.test(folded);
  if (THIRD_PARTIES.test(folded) || (marketing && PROFILING.test(folded))) return undefined;
  if (PROFILING.test(folded)) return 'consents.profiling';
  if (marketing) {
    const [text, phone, email] = [BY_TEXT, BY_PHONE, BY_EMAIL].map((r) => r.test(folded));
    return email || text === phone ? 'consents.marketing_email' : text ? 'consents.marketing_sms' : 'consents.marketing_phone';
  }
  return PRIVACY_NOTICE.test(folded) ? 'consents.privacy_notice' : undefined;
}

/** The export format whose signature headers are all present, if any. */
export function detectExportFormat(headers: readonly string[]): ExportFormat | undefined {
  const folded = new Set(headers.map(foldHeader));
  return EXPORT_FORMATS.find((f) => f.signature.every((s) => folded.has(s)));
}

/** Words that make a header one more e-mail or phone of the row's person: `Telefono 2`, `Email secondaria`, `Cell. ufficio`. */
const ANOTHER = /\s+(\d|secondari[oa]|alternativ[oa]|altr[oa]|personale|aziendale|ufficio|casa|lavoro|privato|work|home|office|personal|secondary|alternate|other|mobile)$/;
/**
 * The same words where English puts them, before the field (`Work Email`, `Secondary Email`, `Other Phone`). Not `Main`
 * or `Company`: a company's switchboard (`Company Main Phone`) is everyone's there.
 */
const ANOTHER_BEFORE = /^(primary|secondary|alternate|alternative|other|personal|private|work|business|home|office)\s+/;

/**
 * The multi-valued field a header names with a number or a qualifier after its synonym, if it does. A PEC (`Email PEC`)
 * is not one: a certified mailbox is no address to write to, so it stays unmapped, and the report names it.
 */
function anotherOf(folded: string): string | undefined {
  let base = folded.replace(ANOTHER, '');
  if (base === folded) base = folded.replace(ANOTHER_BEFORE, '');
  const path = base !== folded ? synonymOf(base) : undefined;
  return path && MULTI_VALUED.has(path) ? path : undefined;
}

/**
 * An order's number, as people and the shop's webhooks know it (`order_number`, WooCommerce's `number` and Shopify's
 * `name`), is the order's id where a file has both: a shop that numbers its orders apart from its database ids (a
 * sequential-numbering plugin) would otherwise hold each order twice, once by the export's id and once by the
 * webhook's number. The id is kept as the order's ref, which is how a binned WooCommerce order (its id only) is found.
 */
const ORDER_NUMBERS: ReadonlySet<string> = new Set([
  'numero ordine', 'n ordine', 'order number', 'order no', 'nr ordine', 'num ordine', 'ordine n', 'ordine nr', 'ordine numero', 'order nr',
]);

/**
 * An order named bare (`Ordine`, `Order`, WooCommerce's `Order #`): its number beside an order's amount, where no column
 * names the order's id otherwise. Elsewhere it says nothing of a person (a list's sort order).
 */
const BARE_ORDERS: ReadonlySet<string> = new Set(['ordine', 'order']);

/**
 * A payment's id beside its amount (a card terminal's or a payment app's transactions: `Codice transazione;Importo
 * totale;Stato`), where no column names an order's id: each row a sale, known by it. Where an order or invoice number
 * is named too (PayPal's `Numero fattura`), that one is the order's.
 */
const TRANSACTIONS: ReadonlySet<string> = new Set(['codice transazione', 'id transazione', 'numero transazione', 'transaction id', 'transaction code']);

/**
 * A booking's number beside its amount (a hotel's or a holiday let's stays: `Numero prenotazione;Check-in;Nome
 * ospite;…;Totale;Stato`), where no column names an order's id: each stay a sale of its guest, as Airbnb's are read,
 * and its `Stato` the stay's. Without an amount (a restaurant's bookings) it names no sale and stays unmapped.
 */
const BOOKINGS: ReadonlySet<string> = new Set([
  'numero prenotazione', 'n prenotazione', 'nr prenotazione', 'codice prenotazione', 'id prenotazione', 'booking number', 'booking id',
  'booking reference', 'reservation number', 'reservation id', 'reservation code',
]);

/**
 * A guest's arrival (`Check-in`, `Data arrivo`): the day a hotel's or a holiday let's stay is for, which dates its row
 * (and so its sale) in a file of no known tool. Booking.com's and Airbnb's exports date a stay by when it was booked.
 */
const ARRIVALS: ReadonlySet<string> = new Set(['check in', 'check in date', 'data check in', 'data arrivo', 'data di arrivo', 'arrivo', 'arrival', 'arrival date']);

/**
 * A bare `Stato` in a file with a time of day (a restaurant's bookings, a salon's appointments, a call log): the
 * booking's or the call's state (`Confermata`, `Cancellata`), not the country it is elsewhere.
 */
const BARE_STATES: ReadonlySet<string> = new Set(['stato']);

/**
 * A card named only as a card (`Numero carta`, `Card number`): a shop's loyalty card in a customer register or a till's
 * receipts, but in a file of payments (one with a payment's id, or the card's type or circuit beside it) the card the
 * sale was paid with. Its last four digits, unmasked, are what thousands of a bank's customers share: read as a loyalty
 * card, an identifier that links, they joined strangers wherever no names told them apart.
 */
const BARE_CARDS: ReadonlySet<string> = new Set(['numero carta', 'numero della carta', 'card number']);
/**
 * A bare `VAT` in a file of sales (an order's id or amount: `Order ID;Subtotal;VAT;Total`, a till's receipts) is the
 * tax the sale bore, not the customer's VAT number, which a register's `Company;VAT` means. Read as one, every row's
 * amount was a VAT number that could not be read (flagged). It stays unread there, and the report names it.
 */
const BARE_VAT: ReadonlySet<string> = new Set(['vat']);
const PAYMENT_CARD_TYPES: ReadonlySet<string> = new Set([
  'tipo carta', 'tipo di carta', 'circuito', 'circuito carta', 'circuito di pagamento', 'card type', 'card brand', 'card scheme', 'brand carta',
]);

/**
 * A transaction's type in a file of sales (`Tipo transazione`: `Pagamento`, `Rimborso`; `Transaction Type`: `charge`,
 * `refund`): which document the row is, read as an invoicing tool's `Tipo documento` is (see documentOf). A payment
 * app lists a refund as a row of its own, often with a positive amount; unread, it counted as one more sale.
 */
const TRANSACTION_TYPES: ReadonlySet<string> = new Set(['tipo transazione', 'tipo di transazione', 'tipo operazione', 'transaction type', 'type of transaction']);

/**
 * A row's bare id (`ID;Data ordine;Email;Totale ordine`) beside an order's date and amount, where no column names the
 * order's id: each row is an order, and this its id. Read as a customer code, each order was a customer of its own, and
 * the file's amounts were read into no order.
 */
const BARE_IDS: ReadonlySet<string> = new Set(['id', 'codice', 'cod', 'code', 'numero', 'n', 'nr', 'num']);

/**
 * Words that make a column the row's person's: `Requester Email`, `Customer Name`, `Telefono cliente`. A helpdesk's
 * ticket export or a call log names the customer so, beside the agent who handled the row (`Agent Email`, which stays
 * unmapped); a shop's order, its buyer's billing columns (`Billing Email`, `Email (Billing)`, `Email di fatturazione`);
 * a CRM, the columns it names by their record (Pipedrive's `Person - Email - Work`); a booking or an event, the guest
 * (Calendly's `Invitee Email`, `Attendee Name`, `Email partecipante`) beside the host; a ticket's or a donation's
 * payer (`Purchaser Email`); a restaurant's or a hotel's guest (`Guest name`, `Nome ospite`, `Email dell'ospite`); a
 * clinic's patient, a club's member, a school's student (`Email paziente`, `Nome socio`, `Member Email`); a
 * course's participant (`Email corsista`, `Nome allievo`); an insurance policy's holder (`Codice fiscale contraente`); a
 * charity's donor (`Donor Email`, `Email donatore`); a landlord's tenant (`Codice fiscale inquilino`); a
 * company's contact person (`Email referente`, where the row names no person of its own: see CONTACT_PERSON). Not a
 * `… utente` (`Nome utente` is a username, `ID utente` a site's visitor id) nor a `… proprietario` (an Italian CRM's
 * `Proprietario contatto` is the sales rep), but for a vet's clients (see PETS).
 */
const PERSON_PREFIX = /^(requester|customer|client|contact|caller|buyer|purchaser|billing|person|invitee|attendee|participant|registrant|guest|patient|member|student|donor)\s+/;
const PERSON_SUFFIX = /\s+(?:(?:del\s+|dell\s+)?(cliente|contatto|richiedente|chiamante|acquirente|partecipante|ospite|paziente|socio|socia|studente|studentessa|iscritto|iscritta|associato|associata|corsista|allievo|allieva|contraente|referente|donatore|donatrice|inquilino|inquilina)|billing|(?:di\s+)?fatturazione)$/;
/** The fields such a word may qualify: a `Customer Type` or a `Nota cliente` is no field of the person's. */
const PERSON_FIELDS = /^(person|identifiers|company|address)\./;

/** Whether a folded header names its column as the row's person's (`customer id`, `codice cliente`, `requester email`). */
const qualified = (folded: string): boolean => PERSON_PREFIX.test(folded) || PERSON_SUFFIX.test(folded);

/** A folded header without the words that make it the person's (`requester email` → `email`). */
const unqualified = (folded: string): string => folded.replace(PERSON_PREFIX, '').replace(PERSON_SUFFIX, '');

/** In a vet's register (see PETS), the owner's field a header names: `Proprietario`, `Telefono proprietario`. */
function ownerFieldOf(folded: string): string | undefined {
  if (folded === 'proprietario') return 'person.fullName';
  return OWNER.test(folded) ? personFieldOf(folded.replace(OWNER, ' cliente')) : undefined;
}

/** The person's field a qualified header names (`requester email`, `nome cliente`), if it does. */
export function personFieldOf(folded: string): string | undefined {
  const base = unqualified(folded);
  if (base === folded || !base) return undefined;
  const path = synonymOf(base) ?? anotherOf(base);
  return path && PERSON_FIELDS.test(path) ? path : undefined;
}

/**
 * A lead's first touch, named as such: it wins over a bare `Source` or `UTM Medium` beside it (Klaviyo's profiles have
 * both: `Source` is how the profile was added, `Initial Source` where the person first came from).
 */
const FIRST_TOUCH: ReadonlySet<string> = new Set(['initial source', 'initial source medium', 'initial source campaign', 'original source', 'fonte originale']);

/** Headers that date a consent without naming its purpose (see recogniseHeaders). */
const CONSENT_DATES: ReadonlySet<string> = new Set(['data consenso', 'data del consenso', 'data ora consenso', 'consent date', 'date of consent', 'consent timestamp', 'consented at']);

/**
 * Headers a file of interactions (one with a subject: a helpdesk's tickets, a mailbox's messages) gives another
 * meaning: its `Source` (Zendesk's `Via`) is the channel the ticket came by (`Email`, `Phone`, `Portal`), not how the
 * person was won nor a street, and its `Stato` is the ticket's (`Aperto`, `Chiuso`), not a country. Such a state says
 * nothing of the person; the report names it among the unmapped columns.
 */
const IN_INTERACTION_FILES: Readonly<Record<string, string | null>> = {
  source: 'interaction.touchpoint',
  origine: 'interaction.touchpoint',
  // Zendesk's tickets export names the channel `Via` (`Mail`, `Web form`, `Chat`): read as the Italian for a street, it
  // became the requester's address.
  via: 'interaction.touchpoint',
  'ticket type': 'interaction.type',
  'tipo ticket': 'interaction.type',
  stato: null,
  status: null,
  // A bare id or code is the row's own, the ticket's or the message's (`Id;Subject;Requester email`): read as a
  // customer id, each ticket gave its requester an id of its own, and one numbered as another record's id in the
  // source joined the two. The requester's is named so (`Requester id`, `Codice cliente`).
  id: null,
  cod: null,
  codice: null,
};

/**
 * Headers an orders file gives another meaning: `Stato` is a country in a customer register, and the order's state
 * beside a `Numero ordine` (`evaso`, `annullato`); read as a country, a cancelled order would count as a sale.
 */
const IN_ORDER_FILES: Readonly<Record<string, string>> = { stato: 'order.status', status: 'order.status', 'stato pagamento': 'order.status', 'payment status': 'order.status' };

/** Bare headers of a type, which say what kind of interaction a row is only where the file has interactions. */
const BARE_TYPES: ReadonlySet<string> = new Set(['tipo', 'type']);

/**
 * A booking system's appointments (a salon's, a clinic's, a studio's: `Cliente;Telefono;Data;Ora;Servizio;Operatore;
 * Stato`): each row a visit the person booked, what for in its service column, which is then the interaction's
 * subject, and the file one of interactions (its `Stato` the appointment's, not a country). Only beside a time of day
 * or an appointment's date: a register's `Servizio` (the service a customer has) is no visit.
 */
const SERVICES: ReadonlySet<string> = new Set([
  'servizio', 'servizi', 'trattamento', 'trattamenti', 'prestazione', 'prestazioni', 'tipo appuntamento', 'tipo di appuntamento',
  'service', 'services', 'treatment', 'appointment type',
]);
const APPOINTMENT_DATES: ReadonlySet<string> = new Set(['data appuntamento', 'appointment date', 'data visita', 'visit date']);
/**
 * A booking system names the one who booked by a bare `Cliente` (`Client`, `Customer`, a clinic's `Paziente`), and
 * writes their name there (Fresha's, Square's, a salon's agenda): in a file of appointments that names no one
 * otherwise, it is the full name. Unread, each visit had a phone and no name, so a mother booking her children from
 * her phone made one person of them all (names keep a household apart). Elsewhere (an orders file) such a column may
 * hold a customer's code, and stays unread; in a vet's agenda the patient is the animal.
 */
const BOOKED_BY: ReadonlySet<string> = new Set(['cliente', 'client', 'customer', 'paziente', 'patient']);
/**
 * A hotel's or a holiday let's stays name their guest so (`Numero prenotazione;Arrivo;Ospite;…`): the full name; and
 * what the stay cost so (`Reservation ID;Booked On;Arrival;…;Total Price`): the sale's amount. Only there: elsewhere a
 * `Total Price` may be one article's line (eBay's orders report, left as it was).
 */
const STAY_TOTALS: ReadonlySet<string> = new Set(['total price', 'prezzo del soggiorno', 'totale soggiorno', 'stay total']);
const GUESTS: ReadonlySet<string> = new Set(['ospite', 'guest']);
/**
 * When a stay was booked: it dates the row before the guest's arrival does (see ARRIVALS), as Booking.com's and
 * Airbnb's exports date a stay, so a stay booked for August is not the guest's last activity and sale until then.
 */
const BOOKED_ON: ReadonlySet<string> = new Set([
  'data prenotazione', 'data della prenotazione', 'data di prenotazione', 'prenotato il', 'booking date', 'reservation date',
  'booked on', 'booked at', 'date booked', 'reserved on',
]);

/**
 * Headers that make a file an invoicing tool's export of documents (`Tipo documento;Numero;Data;Cliente;…;Totale
 * documento`, as Fatture in Cloud and Easyfatt write it): each row a sale, or a credit note, a quote. A document's
 * total or an invoice's number or date says so; a `Tipo documento` alone does not (a hotel's guest register names an
 * identity card so).
 */
const DOCUMENT_HEADERS: ReadonlySet<string> = new Set([
  'totale documento', 'totale doc', 'tot documento', 'tot doc', 'totale fattura', 'tot fattura', 'invoice total',
  'numero fattura', 'n fattura', 'nr fattura', 'invoice number', 'invoice no', 'data fattura', 'invoice date',
]);

/**
 * Headers such a file gives a meaning they lack elsewhere: its bare `Numero` (`Numero documento`) is the document's
 * number, `Tipo documento` which document it is (see documentOf), and its `Cliente` (`Intestatario`, `Customer`) the
 * name the document is made out to, a business or a private customer, read as a `Denominazione` is (a person's codice
 * fiscale tells which). Elsewhere a bare `Cliente` holds a code as often as a name, and here too where the file names
 * the customer in another column.
 */
const IN_DOCUMENT_FILES: ReadonlyMap<string, string> = /* @__PURE__ */ byHeader({
  'order.orderId': ['numero', 'n', 'nr', 'num', 'numero documento', 'n documento', 'nr documento', 'numero doc', 'n doc', 'nr doc', 'num doc'],
  'order.documentType': ['tipo documento', 'tipo doc', 'tipologia documento', 'documento', 'document type'],
  'order.placedAt': ['data documento', 'data doc'],
  'company.name': ['cliente', 'intestatario', 'customer', 'client'],
});
/** The fields that name the customer: a file with one of them names its customer there, not in a bare `Cliente`. */
const NAME_PATHS: ReadonlySet<string | undefined> = new Set(['company.name', 'person.fullName', 'person.firstName', 'person.lastName']);

/**
 * Headers of an order's lines (an ERP's `righe ordine`: one row per article), read only beside an order id: elsewhere a
 * `Prezzo` or an `Articolo` says nothing of a person.
 */
const ORDER_LINE_COLUMNS: ReadonlyMap<string, string> = /* @__PURE__ */ byHeader({
  'order.line': ['riga', 'n riga', 'nr riga', 'num riga', 'numero riga', 'line number', 'line no', 'line nr', 'line item id'],
  'order.product': ['codice articolo', 'cod articolo', 'articolo', 'codice prodotto', 'prodotto', 'sku', 'product', 'product code', 'item code', 'item'],
  // WooCommerce's order export plugins: `Quantity (- Refund)` is what was kept, `Item Cost` one article's price.
  'order.quantity': ['quantita', 'qta', 'q ta', 'qty', 'quantity', 'pezzi', 'n pezzi', 'quantity refund'],
  'order.unitPrice': ['prezzo', 'prezzo unitario', 'prezzo unit', 'unit price', 'price', 'item price', 'item cost'],
  'order.lineTotal': ['totale riga', 'importo riga', 'subtotale riga', 'line total', 'line amount', 'line subtotal'],
});

/**
 * A bare amount (`Importo`, `Amount`) beside an order's line columns is the line's, not the order's: summed into the
 * order, not read as its total, which every line would overwrite. Where a line amount is named too, it stays the order's.
 */
const LINE_AMOUNTS: ReadonlySet<string> = new Set(['importo', 'amount', 'prezzo totale', 'importo eur', 'importo euro', 'amount eur']);

/**
 * A description beside an order's line columns names the article (when no code does): not a contact's note. It does
 * not make a file one of lines by itself, as an orders export may describe its orders.
 */
const LINE_DESCRIPTIONS: ReadonlySet<string> = new Set([
  'descrizione', 'descrizione articolo', 'descrizione prodotto', 'description', 'product name', 'item name', 'nome prodotto', 'nome articolo', 'product title',
]);

/**
 * A bare code beside an order's line columns (`Numero ordine;Email;Codice;Descrizione;Quantità;Prezzo`: the Italian
 * pair `Codice`/`Descrizione` of every article list) is the article's, where no column names the article otherwise.
 * Read as a customer code, it made every article one customer id of everyone who bought it: a deterministic link that
 * merged them (up to the identifier's limit) wherever no names told them apart.
 */
const LINE_CODES: ReadonlySet<string> = new Set(['codice', 'cod', 'code']);

/**
 * A company's contact person (`Referente`): the person a row is about where the row names a company, but in a file
 * with the person's own name columns, someone else (the account's owner, a sales rep), whose name is not the
 * person's.
 */
const CONTACT_PERSON: ReadonlySet<string> = new Set(['referente', 'persona di riferimento', 'contact person']);
/** A contact person's own columns (`Email referente`, `Cellulare del referente`): theirs, as the bare `Referente` is. */
const CONTACT_PERSONS_OWN = /\s(?:del\s+)?referente$/;

/**
 * A vet's register, or a groomer's (`Nome animale;Specie;Razza;Proprietario;Telefono proprietario`): the customer is
 * the animal's owner, whose columns it names so, and its `… paziente` is the animal. Elsewhere a `Proprietario` is an
 * Italian CRM's sales rep (see PERSON_PREFIX).
 */
const PETS: ReadonlySet<string> = new Set(['nome animale', 'animale', 'specie', 'razza', 'nome pet', 'pet', 'pet name', 'species', 'breed', 'nome del pet', 'microchip']);
const OWNER = /\s+(?:del\s+)?proprietario$/;
const ANIMALS = /\s+(?:del\s+)?paziente$/;

/**
 * Where an order was sent (Etsy's `Street 1;Ship City;Ship State;Ship Zipcode;Ship Country`, a shop's `Indirizzo di
 * spedizione;CAP spedizione`, `Shipping City`, `Delivery Address`): the buyer's own address, a part at a time, where
 * the file gives no other for that part (a billing address wins) and names no recipient apart from its buyer (Amazon's
 * `recipient-name` beside `buyer-name`: a gift's address is not the buyer's). Unread, an order file kept the street and
 * lost the city and postcode the matching weighs. Only an address given in parts (two ship-to columns or more): a lone
 * `Shipping Address` (PayPal's activity download) holds the whole address, the recipient's name often with it.
 */
const SHIP_TO = /^(?:ship|shipping|ship to|delivery)\s+(?=\S)|\s+(?:di\s+)?(?:spedizione|consegna)$/;
const RECIPIENTS: ReadonlySet<string> = new Set([
  'recipient name', 'recipient', 'ship to name', 'shipping name', 'delivery name', 'nome destinatario', 'destinatario', 'destinatario spedizione', 'nome spedizione',
]);

/**
 * A business register's bare `Nome` (an invoicing tool's clients: `Codice;Nome;Referente;…;P.IVA;Cod. fiscale`): the
 * client's name, a business's or a private customer's, read as a `Denominazione` is (a person's codice fiscale tells
 * which), where the file names a contact person and a partita IVA, and no surname or company column. Read as a first
 * name, a business's name was a person's, and its contact person was dropped as someone else.
 */
const CLIENT_NAMES: ReadonlySet<string> = new Set(['nome', 'name']);
/**
 * A register's bare `Cliente` beside the client's own code and a partita IVA or codice fiscale (an ERP's or a
 * bookkeeper's `Codice;Cliente;Indirizzo;…;Partita IVA;Codice Fiscale`): the code is in its own column, so this one is
 * the client's name, read as a `Denominazione` (the codice fiscale tells a person). Unread, the register named no one.
 */
const REGISTER_CLIENTS: ReadonlySet<string> = new Set(['cliente', 'customer']);

/**
 * Canonical path for each recognised column index. The first column wins for single-valued paths, except that one
 * named as the person's wins over a bare one (in `Id;Requester id`, the ticket's id is not the person's; in
 * `Name;Customer Name`, the name may be a product's); e-mail and phone columns all count.
 */
export function recogniseHeaders(headers: readonly string[], format?: ExportFormat): Map<number, string> {
  const byIndex = new Map<number, string>();
  const taken = new Map<string, { index: number; qualified: boolean }>();
  const folded = headers.map((h) => foldWords(h, format));
  const synonyms = folded.map(synonymOf);
  const documentsFile = !format && folded.some((h) => DOCUMENT_HEADERS.has(h));
  // (A column such a file reads as the customer's name, an `Intestatario`, is not elsewhere.)
  const namedElsewhere = folded.some((h, i) => NAME_PATHS.has(synonyms[i] ?? personFieldOf(h)) && !(documentsFile && IN_DOCUMENT_FILES.get(h) === 'company.name'));
  const asDocument = (h: string): string | undefined => {
    const path = documentsFile ? IN_DOCUMENT_FILES.get(h) : undefined;
    return path === 'company.name' && namedElsewhere ? undefined : path;
  };
  const namedOrderIds = synonyms.includes('order.orderId') || (documentsFile && folded.some((h) => IN_DOCUMENT_FILES.get(h) === 'order.orderId'));
  const firstOf = (names: ReadonlySet<string>): number => folded.findIndex((h) => names.has(h));
  // A file of sales that names its orders' id in no column of its own: see BARE_ORDERS, TRANSACTIONS and BARE_IDS.
  const stays = !format && (firstOf(ARRIVALS) >= 0 || firstOf(BOOKINGS) >= 0);
  const stayTotal = stays && !synonyms.includes('order.total') ? firstOf(STAY_TOTALS) : -1;
  const bareOrderId =
    format || namedOrderIds || (!synonyms.includes('order.total') && stayTotal < 0)
      ? -1
      : [firstOf(BARE_ORDERS), firstOf(TRANSACTIONS), firstOf(BOOKINGS), synonyms.includes('order.placedAt') ? firstOf(BARE_IDS) : -1].find((i) => i >= 0) ?? -1;
  const orderIds = namedOrderIds || bareOrderId >= 0;
  const paymentsFile = !format && (firstOf(TRANSACTIONS) >= 0 || firstOf(PAYMENT_CARD_TYPES) >= 0);
  // An orders file that names its status otherwise (`Stato ordine`) keeps `Stato` for the country.
  const ordersFile = orderIds && !synonyms.includes('order.status');
  const appointment =
    !format && !orderIds && !synonyms.includes('interaction.subject') && (synonyms.includes('occurredAt.time') || firstOf(APPOINTMENT_DATES) >= 0)
      ? firstOf(SERVICES)
      : -1;
  const interactionsFile = !format && !orderIds && (synonyms.includes('interaction.subject') || appointment >= 0);
  // A known tool's export names its own columns; a file without an order id has no lines.
  const lineColumns = !format && orderIds ? folded.map((h) => ORDER_LINE_COLUMNS.get(h) ?? lineAmountOf(h)) : [];
  const linesFile = lineColumns.some((p) => p && p !== 'order.lineTotal');
  const lineAmountNamed = lineColumns.includes('order.lineTotal');
  const articleNamed = lineColumns.includes('order.product');
  const clientName =
    !format && folded.some((h) => CONTACT_PERSON.has(h)) && synonyms.includes('identifiers.vatNumber') && !synonyms.includes('person.lastName') && !synonyms.includes('company.name')
      ? firstOf(CLIENT_NAMES)
      : !format && !orderIds && !namedElsewhere && synonyms.includes('identifiers.externalId') && (synonyms.includes('identifiers.vatNumber') || synonyms.includes('identifiers.taxCode'))
        ? firstOf(REGISTER_CLIENTS)
        : -1;
  const ownNames = synonyms.some((p, i) => i !== clientName && (p === 'person.firstName' || p === 'person.lastName'));
  const petsFile = !format && folded.some((h) => PETS.has(h));
  const bookedBy = namedElsewhere || petsFile ? -1 : appointment >= 0 ? firstOf(BOOKED_BY) : stays ? firstOf(GUESTS) : -1;
  headers.forEach((_, i) => {
    const h = folded[i]!;
    if (ownNames && (CONTACT_PERSON.has(h) || CONTACT_PERSONS_OWN.test(h)) && !own(format?.columns, h)) return;
    // A vet's patient is the animal: see PETS.
    if (petsFile && ANIMALS.test(h)) return;
    const asLine =
      lineColumns[i] ??
      (!linesFile
        ? undefined
        : !lineAmountNamed && LINE_AMOUNTS.has(h)
          ? 'order.lineTotal'
          : LINE_DESCRIPTIONS.has(h) || (!articleNamed && LINE_CODES.has(h))
            ? 'order.product'
            : undefined);
    const asInteraction = interactionsFile ? own(IN_INTERACTION_FILES, h) : undefined;
    if (asInteraction === null) return;
    const path =
      own(format?.columns, h) ??
      (i === bareOrderId ? 'order.orderId' : i === appointment ? 'interaction.subject' : i === clientName ? 'company.name' : i === bookedBy ? 'person.fullName' : i === stayTotal ? 'order.total' : undefined) ??
      (ordersFile ? own(IN_ORDER_FILES, h) : undefined) ??
      (!format && ARRIVALS.has(h) ? 'occurredAt' : undefined) ??
      (orderIds && TRANSACTION_TYPES.has(h) ? 'order.documentType' : undefined) ??
      (petsFile ? ownerFieldOf(h) : undefined) ??
      asLine ??
      asInteraction ??
      asDocument(h) ??
      synonyms[i] ??
      anotherOf(h) ??
      personFieldOf(h) ??
      consentQuestionOf(h);
    if (!path) return;
    // A bare type is an interaction's only in a file of them (a ticket's, a call log's with its time of day, one with
    // notes): a register's `Tipo` is the customer's (`Privato`, `Azienda`), which made each of its rows an interaction
    // of that type.
    if (path === 'interaction.type' && BARE_TYPES.has(h) && !own(format?.columns, h) && !interactionsFile && !synonyms.includes('interaction.summary') && !synonyms.includes('occurredAt.time')) return;
    // A booking's state is no country: see BARE_STATES.
    if (path === 'address.country' && BARE_STATES.has(h) && !own(format?.columns, h) && synonyms.includes('occurredAt.time')) return;
    // A sale's tax is no VAT number: see BARE_VAT.
    if (path === 'identifiers.vatNumber' && BARE_VAT.has(h) && !own(format?.columns, h) && (orderIds || synonyms.includes('order.total'))) return;
    // A payment's card is no loyalty card: see BARE_CARDS.
    if (path === 'identifiers.loyaltyCard' && paymentsFile && BARE_CARDS.has(h)) return;
    // Named for its field in particular (as the person's, or as the first touch): it wins over a bare column.
    const before = taken.get(path);
    const specific =
      (!own(format?.columns, h) && PERSON_FIELDS.test(path) && qualified(h)) ||
      FIRST_TOUCH.has(h) ||
      (path === 'occurredAt' && BOOKED_ON.has(h) && before !== undefined && ARRIVALS.has(folded[before.index]!));
    if (before && path === 'order.orderId' && ORDER_NUMBERS.has(h) !== ORDER_NUMBERS.has(folded[before.index]!)) {
      const [number, id] = ORDER_NUMBERS.has(h) ? [i, before.index] : [before.index, i];
      byIndex.set(number, path);
      taken.set(path, { index: number, qualified: false });
      if (taken.has('order.ref')) byIndex.delete(id);
      else {
        byIndex.set(id, 'order.ref');
        taken.set('order.ref', { index: id, qualified: false });
      }
      return;
    }
    if (before && !MULTI_VALUED.has(path)) {
      if (!specific || before.qualified) return;
      byIndex.delete(before.index);
    }
    taken.set(path, { index: i, qualified: specific });
    byIndex.set(i, path);
  });
  // A ship-to address part where the file gives no other: see SHIP_TO.
  const shipTo = format || folded.some((h) => RECIPIENTS.has(h)) ? [] : folded.flatMap((h, i) => {
    const base = byIndex.has(i) ? undefined : h.replace(SHIP_TO, '');
    // `Stato spedizione` is the parcel's state (`Spedito`, `Consegnato`), not the country a bare `Stato` is.
    const path = base && base !== h && base !== 'stato' ? synonymOf(base) : undefined;
    return path?.startsWith('address.') ? [{ i, path }] : [];
  });
  if (shipTo.length >= 2) {
    for (const { i, path } of shipTo) {
      if (taken.has(path)) continue;
      taken.set(path, { index: i, qualified: false });
      byIndex.set(i, path);
    }
  }
  // `Nome cliente` alone is the customer's whole name, as `Nome` beside a `Cognome` is the first.
  const first = taken.get('person.firstName');
  // A `Billing First Name` says which name it is.
  if (first?.qualified && unqualified(folded[first.index]!) === 'nome' && !taken.has('person.lastName') && !taken.has('person.fullName')) {
    byIndex.set(first.index, 'person.fullName');
  }
  // A bare `Data consenso` dates the file's one consent (`Newsletter;Data consenso`). Beside two (a privacy and a
  // marketing consent) it may be either's, or the form's that gave both; beside an opt-out column it is when the
  // consent was given, not when it was withdrawn: it stays unmapped, and the report names it.
  const dates = folded.flatMap((h, i) => (CONSENT_DATES.has(h) && !byIndex.has(i) ? [i] : []));
  if (dates.length === 1) {
    // Each consent column's purpose, an opt-out column's as `<purpose>.optOut`.
    const purposes = new Set([...byIndex.values()].filter((path) => /^consents\.[a-z_]+(\.optOut)?$/.test(path)).map((path) => path.slice(9)));
    const [purpose] = purposes;
    if (purposes.size === 1 && !purpose!.endsWith('.optOut') && !taken.has(`consents.${purpose}.at`)) byIndex.set(dates[0]!, `consents.${purpose}.at`);
  }
  return byIndex;
}
