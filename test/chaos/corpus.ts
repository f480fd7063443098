import { signFor } from '../../lambdas/domain/webhooks/signatures.ts';
import { seeded } from './faults.ts';

/**
 * The chaos suite's inputs, generated from a seed: exports as Italian companies upload them (Windows-1252 `;` ERP
 * files, a newsletter tool's CSV, a shop's order exports) and vendor webhooks (Shopify orders, Tally forms), with
 * what each must become. People recur across sources under different identifiers, so resolution has merges to make.
 */
export const WEBHOOK_SECRETS = { shopify: 'shpss_chaos', tally: 'tally_chaos' } as const;

export interface Upload {
  readonly key: string;
  readonly body: Buffer;
  readonly rows: number;
  readonly rejected: number;
  readonly suppressed: number;
}

export interface Delivery {
  readonly id: string;
  readonly source: 'shopify' | 'tally';
  readonly headers: Record<string, string>;
  readonly body: string;
  /** What the receiver must answer (the first time; a repeat of an answered event is a duplicate). */
  readonly expect: 'accepted' | 'suppressed' | 'quarantined' | 'unauthorized';
  /** The same event sent again (a vendor retry after a timeout): answered as a duplicate. */
  readonly repeatOf?: string;
}

export interface Corpus {
  readonly uploads: readonly Upload[];
  readonly deliveries: readonly Delivery[];
  /** People erased before anything arrives: their rows and webhooks must be suppressed. */
  readonly erased: readonly { readonly email: string; readonly phone: string }[];
  readonly expected: {
    readonly rows: number;
    readonly rejectedRows: number;
    readonly suppressedRows: number;
    /** Canonical records that must reach a profile, each once (accepted rows + accepted webhook records). */
    readonly records: number;
    /** Distinct orders of people not erased, and their revenue in cents. */
    readonly orders: number;
    readonly revenueCents: number;
  };
}

const FIRST = ['Mario', 'Giulia', 'Niccolò', 'Luca', 'Chiara', 'Francesca', 'Andrea', 'Sofia', 'Matteo', 'Elena', 'Davide', 'Martina'];
const LAST = ['Rossi', "D'Angelo", 'Bianchi', 'Esposito', 'Ferrari', 'De Luca', 'Gallo', 'Conti', 'Marino', 'Greco', 'Bruno', 'Colombo'];
const CITIES = [['Milano', 'MI'], ['Roma', 'RM'], ['Forlì', 'FC'], ['Napoli', 'NA'], ['Torino', 'TO'], ['Bari', 'BA']] as const;

interface Person {
  readonly i: number;
  readonly first: string;
  readonly last: string;
  readonly email: string;
  /** As people type it. */
  readonly phone: string;
  readonly code: string;
  readonly shopifyId: string;
  readonly erased: boolean;
}

export function generateCorpus(seed: number, size: { people: number; erpRows: number; orderRows: number; shopifyOrders: number; tallyForms: number }): Corpus {
  const rand = seeded(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const people: Person[] = [];
  for (let i = 0; i < size.people; i++) {
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
    const mobile = String((i * 7919 + 1234567) % 10_000_000).padStart(7, '0');
    people.push({
      i,
      first,
      last,
      email: `${first.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '')}.${last.toLowerCase().replace(/[^a-z]/g, '')}.${i}@esempio.it`,
      phone: `+39 320 ${mobile.slice(0, 3)} ${mobile.slice(3)}`,
      code: `C${String(i).padStart(6, '0')}`,
      shopifyId: String(7_381_950_000_000 + i),
      erased: i % 41 === 7,
    });
  }
  const known = people.slice(0, Math.floor(size.people * 0.9)); // the last tenth arrive by webhook only
  let rows = 0;
  let rejectedRows = 0;
  let suppressedRows = 0;
  let records = 0;
  const orders = new Map<string, number>(); // order key -> cents (people not erased)
  const uploads: Upload[] = [];
  const date = (d: number) => `${String((d % 28) + 1).padStart(2, '0')}/${String((d % 12) + 1).padStart(2, '0')}/${1950 + (d % 50)}`;

  // Two ERP exports (Windows-1252, `;`, Italian headers) that overlap by a fifth of their people; a few rows in each
  // have nothing usable (no code, no valid e-mail, no phone) and must be quarantined with a reason.
  for (const [n, from] of [[1, 0], [2, Math.floor(size.erpRows * 0.8)]] as const) {
    const lines = ['Codice cliente;Nome;Cognome;E-mail;Cellulare;Città;Provincia;Data di nascita'];
    let rej = 0;
    let sup = 0;
    for (let k = 0; k < size.erpRows; k++) {
      const p = known[(from + k) % known.length]!;
      const [city, prov] = CITIES[(p.i + n) % CITIES.length]!;
      if (k % 97 === 13) {
        lines.push(`;${p.first.toUpperCase()};${p.last.toUpperCase()};non-una-email;;${city};${prov};${date(p.i)}`);
        rej++;
        continue;
      }
      lines.push(`${p.code};${p.first.toUpperCase()};${p.last.toUpperCase()};${p.email};${p.i % 2 === 0 ? p.phone : ''};${city};${prov};${date(p.i)}`);
      if (p.erased) sup++;
      else records++;
    }
    uploads.push({ key: `imports/erp/clienti-${n}.csv`, body: Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1'), rows: size.erpRows, rejected: rej, suppressed: sup });
    rows += size.erpRows;
    rejectedRows += rej;
    suppressedRows += sup;
  }

  // A newsletter tool's export (UTF-8, `,`): a third of the people, with the phone the ERP may not have.
  {
    const lines = ['Email,First name,Last name,Phone'];
    let sup = 0;
    const list = known.filter((p) => p.i % 3 === 0);
    for (const p of list) {
      lines.push(`${p.email.toUpperCase()},${p.first},${p.last},${p.phone.replace(/ /g, '')}`);
      if (p.erased) sup++;
      else records++;
    }
    uploads.push({ key: 'imports/newsletter/iscritti.csv', body: Buffer.from(`${lines.join('\n')}\n`, 'utf8'), rows: list.length, rejected: 0, suppressed: sup });
    rows += list.length;
    suppressedRows += sup;
  }

  // The shop's order exports: each order names its buyer by e-mail or by phone only; the second export repeats a
  // fifth of the first's orders with a new status (the same orders, counted once).
  {
    const all: { id: string; p: Person; cents: number; day: number; byPhone: boolean }[] = [];
    for (let k = 0; k < size.orderRows; k++) {
      const p = pick(known);
      all.push({ id: `ORD-${100000 + k}`, p, cents: 500 + Math.floor(rand() * 50000), day: Math.floor(rand() * 300), byPhone: rand() < 0.35 });
    }
    const half = Math.floor(all.length / 2);
    const files = [all.slice(0, half).map((o) => ({ o, status: 'pagato' })), [...all.slice(half), ...all.slice(0, Math.floor(half / 5))].map((o) => ({ o, status: 'spedito' }))];
    files.forEach((list, f) => {
      const lines = ['Numero ordine;Data ordine;Totale;Valuta;Stato ordine;E-mail;Cellulare;Nome;Cognome'];
      let sup = 0;
      for (const { o, status } of list) {
        const d = new Date(Date.UTC(2026, 0, 1) + o.day * 86_400_000);
        const when = `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
        const total = `${Math.floor(o.cents / 100)},${String(o.cents % 100).padStart(2, '0')}`;
        lines.push(`${o.id};${when};${total};EUR;${status};${o.byPhone ? '' : o.p.email};${o.byPhone ? o.p.phone : ''};${o.p.first};${o.p.last}`);
        if (o.p.erased) sup++;
        else {
          records++;
          orders.set(`shop:${o.id}`, o.cents);
        }
      }
      uploads.push({ key: `imports/shop/ordini-${f + 1}.csv`, body: Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1'), rows: list.length, rejected: 0, suppressed: sup });
      rows += list.length;
      suppressedRows += sup;
    });
  }

  // Webhooks: Shopify orders (some updated later, some updates arriving before their order), Tally forms, vendor
  // retries of events already answered, bodies that do not parse, and forged signatures.
  const deliveries: Delivery[] = [];
  const shopify = (id: string, topic: string, body: object): Delivery['headers'] => {
    const text = JSON.stringify(body);
    return { 'content-type': 'application/json', 'x-shopify-topic': topic, 'x-shopify-event-id': id, 'x-shopify-webhook-id': id, 'x-shopify-hmac-sha256': signFor('base64', Buffer.from(text), WEBHOOK_SECRETS.shopify) };
  };
  for (let k = 0; k < size.shopifyOrders; k++) {
    const p = pick(people);
    const cents = 990 + Math.floor(rand() * 30000);
    const order = (status: string) => ({
      id: 5_813_927_000_000 + k,
      name: `#${10000 + k}`,
      email: p.email,
      created_at: `2026-${String((k % 9) + 1).padStart(2, '0')}-${String((k % 27) + 1).padStart(2, '0')}T10:00:00+01:00`,
      currency: 'EUR',
      total_price: (cents / 100).toFixed(2),
      financial_status: status,
      buyer_accepts_marketing: k % 3 === 0,
      landing_site: k % 4 === 0 ? '/?utm_source=instagram&utm_medium=social&utm_campaign=saldi' : '/',
      customer: { id: Number(p.shopifyId), email: p.email, first_name: p.first, last_name: p.last, phone: p.phone },
      billing_address: { first_name: p.first, last_name: p.last, city: 'Bergamo', zip: '24121', province_code: 'BG', country_code: 'IT' },
    });
    const expect = p.erased ? 'suppressed' : 'accepted';
    const created: Delivery = { id: `shop-c-${k}`, source: 'shopify', headers: shopify(`shop-c-${k}`, 'orders/create', order('pending')), body: JSON.stringify(order('pending')), expect };
    deliveries.push(created);
    if (!p.erased) {
      records++;
      orders.set(`shopify:#${10000 + k}`, cents);
    }
    if (k % 5 === 0) {
      deliveries.push({ id: `shop-u-${k}`, source: 'shopify', headers: shopify(`shop-u-${k}`, 'orders/updated', order('paid')), body: JSON.stringify(order('paid')), expect });
      if (!p.erased) records++;
    }
  }
  const tallyBody = (k: number, p: Person) =>
    JSON.stringify({
      eventId: `tally-evt-${k}`,
      eventType: 'FORM_RESPONSE',
      createdAt: '2026-10-01T09:30:00.000Z',
      data: {
        responseId: `resp_${k}`,
        formId: 'chaos1',
        formName: 'Richiesta informazioni',
        createdAt: `2026-10-${String((k % 28) + 1).padStart(2, '0')}T09:30:00.000Z`,
        fields: [
          { key: 'q1', label: 'Nome', type: 'INPUT_TEXT', value: p.first },
          { key: 'q2', label: 'Cognome', type: 'INPUT_TEXT', value: p.last },
          { key: 'q3', label: 'Email', type: 'INPUT_EMAIL', value: p.email },
          { key: 'q4', label: 'Telefono', type: 'INPUT_PHONE_NUMBER', value: p.phone },
          { key: 'q5', label: 'utm_source', type: 'HIDDEN_FIELDS', value: k % 2 ? 'google' : 'newsletter' },
        ],
      },
    });
  const tallyHeaders = (body: string, secret: string = WEBHOOK_SECRETS.tally) => ({ 'content-type': 'application/json', 'tally-signature': signFor('base64', Buffer.from(body), secret) });
  for (let k = 0; k < size.tallyForms; k++) {
    const p = pick(people);
    const body = tallyBody(k, p);
    deliveries.push({ id: `tally-${k}`, source: 'tally', headers: tallyHeaders(body), body, expect: p.erased ? 'suppressed' : 'accepted' });
    if (!p.erased) records++;
  }
  const broken = Math.max(1, Math.floor(size.tallyForms / 40));
  for (let k = 0; k < broken; k++) {
    const body = `{"eventId": "tally-broken-${k}", "data": {"fields": [`;
    deliveries.push({ id: `tally-broken-${k}`, source: 'tally', headers: tallyHeaders(body), body, expect: 'quarantined' });
    const forged = tallyBody(size.tallyForms + k, pick(people));
    deliveries.push({ id: `tally-forged-${k}`, source: 'tally', headers: tallyHeaders(forged, 'not-the-secret'), body: forged, expect: 'unauthorized' });
  }
  // Out of order: the whole stream is shuffled (updates may come before their orders); then a tenth is sent again.
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
  }
  const repeats = deliveries.filter((d) => (d.expect === 'accepted' || d.expect === 'suppressed') && rand() < 0.1).map((d) => ({ ...d, id: `${d.id}-again`, repeatOf: d.id }));

  return {
    uploads,
    deliveries: [...deliveries, ...repeats],
    erased: people.filter((p) => p.erased).map((p) => ({ email: p.email, phone: p.phone })),
    expected: {
      rows,
      rejectedRows,
      suppressedRows,
      records,
      orders: orders.size,
      revenueCents: [...orders.values()].reduce((a, b) => a + b, 0),
    },
  };
}
