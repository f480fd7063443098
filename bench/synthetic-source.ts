import type { EventFacts, OrderFacts } from '../lambdas/domain/lake/rows.ts';
import { emptyProfile, type FieldValue, type ProfileState } from '../lambdas/domain/profile.ts';
import type { LakeSource, LakeVisitor, ScanPart } from '../lambdas/ports/lake.ts';

export const PROFILES = Number(process.env.BENCH_KPI_PROFILES ?? 1_000_000);
export const EVENTS_PER_PROFILE = Number(process.env.BENCH_KPI_EVENTS_PER_PROFILE ?? 5);
export const AS_OF = '2026-11-23';
const PROVINCES: [string, string][] = [['MI', 'Lombardia'], ['RM', 'Lazio'], ['NA', 'Campania'], ['TO', 'Piemonte'], ['BO', 'Emilia-Romagna'], ['FI', 'Toscana'], ['BA', 'Puglia'], ['PA', 'Sicilia']];
const SOURCES = ['erp', 'shopify', 'newsletter', 'forms'];

const DAY_MS = 86_400_000;
const two = (n: number) => String(n).padStart(2, '0');

/**
 * A deterministic synthetic customer base: PROFILES people, EVENTS_PER_PROFILE records each, a third of them buyers.
 * Timestamps are made from a table of days (toISOString would cost the generator more than the publisher's parsing).
 */
export class SyntheticSource implements LakeSource {
  /** Part i of n holds the profiles whose number is i modulo n, each drawn from its own seed (the same in any split). */
  async scan(v: LakeVisitor, part: ScanPart = { index: 0, count: 1 }): Promise<void> {
    // mulberry32, seeded per profile
    let x = 0;
    const rand = () => {
      x = (x + 0x6d2b79f5) | 0;
      let t = Math.imul(x ^ (x >>> 15), 1 | x);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    };
    const base = Date.parse('2022-01-01T00:00:00Z');
    const days = Array.from({ length: (Date.parse(`${AS_OF}T00:00:00Z`) - base) / DAY_MS }, (_, d) => new Date(base + d * DAY_MS).toISOString().slice(0, 11));
    const clock = Array.from({ length: 24 * 60 }, (_, m) => `${two(Math.floor(m / 60))}:${two(m % 60)}:`);
    const at = () => `${days[Math.floor(rand() * days.length)]}${clock[Math.floor(rand() * clock.length)]}${two(Math.floor(rand() * 60))}.000Z`;
    // Which source each surviving value came from (the publisher reads no more of a profile's values): shared.
    const valuesFrom = SOURCES.map((s) => {
      const fv = (v: string): FieldValue[] => [{ v, s, t: days[0]!, r: 'r' }];
      return { firstName: fv('X'), city: fv('Città'), province: fv('MI'), region: fv('Lombardia'), country: fv('IT'), gender: fv('F'), birthDate: fv('1980-01-01') };
    });
    for (let i = part.index, n = 0; i < PROFILES; i += part.count, n++) {
      // A page of the table scan: the publisher may hold the source while its uploads catch up.
      if (n % 1000 === 0) await v.drain();
      x = Math.imul(i + 1, 0x9e3779b1);
      // Profile ids look like the resolver's (`p_` and 20 hex digits of a hash): no shared prefixes to compress.
      const id = `p_${(Math.imul(i + 1, 0x85ebca6b) >>> 0).toString(16).padStart(8, '0')}${(Math.imul(i + 7, 0xc2b2ae35) >>> 0).toString(16).padStart(8, '0')}${(i & 0xffff).toString(16).padStart(4, '0')}`;
      const [province, region] = PROVINCES[i % PROVINCES.length]!;
      const times = Array.from({ length: EVENTS_PER_PROFILE }, at).sort();
      const src = SOURCES[i % SOURCES.length]!;
      const buyer = i % 3 === 0;
      const orders: OrderFacts[] = buyer ? times.slice(0, 1 + (i % 4)).map((t, k) => ({ profileId: id, profileKey: i, orderKey: `shopify#${i}-${k}`, source: 'shopify', placedAt: t, total: 20 + (i % 200), currency: 'EUR' })) : [];
      const state: ProfileState = {
        ...emptyProfile(id, times[0]!),
        values: valuesFrom[i % SOURCES.length]!,
        attributes: { firstName: 'X', city: 'Città', province, region, country: 'IT', gender: i % 2 ? 'F' : 'M', birthDate: `${1950 + (i % 55)}-0${1 + (i % 9)}-1${i % 9}` },
        identifiers: [`email:${id}@example.it`],
        sources: [src],
        recordCount: EVENTS_PER_PROFILE,
        firstSeenAt: times[0]!,
        lastSeenAt: times.at(-1)!,
        consents: i % 2 ? { marketing: { granted: i % 4 === 1, at: times[0]!, source: src, r: 'r' } } : {},
        orders: { count: orders.length, revenue: orders.reduce((s, o) => s + (o.total ?? 0), 0), ...(orders[0] ? { firstAt: orders[0].placedAt, lastAt: orders.at(-1)!.placedAt } : {}) },
      };
      v.profile(state, i);
      for (let k = 0; k < times.length; k++) {
        const e: EventFacts = { profileId: id, profileKey: i, occurredAt: times[k]!, source: k < orders.length ? 'shopify' : SOURCES[(i + k) % SOURCES.length]!, kind: k < orders.length ? 'order' : k % 2 ? 'interaction' : 'contact', channel: k % 2 ? 'webhook' : 'file' };
        v.event(e);
      }
      for (const o of orders) v.order(o);
    }
  }
  async *importReports() {}
}

