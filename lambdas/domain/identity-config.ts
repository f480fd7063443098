import * as z from 'zod/mini';
import type { IdentifierType } from './canonical.ts';
import { DEFAULT_LEAD_SCORE_RULES, leadScoreSchema } from './lead-score.ts';
import { SURVIVED_FIELDS } from './profile.ts';

/**
 * How identities are resolved (`config/identity.json`): which identifiers link records deterministically and in what
 * order of trust, what may never link, how many people one value may join, and which source wins a field.
 */
export const identityConfigSchema = z.strictObject({
  /** Identifier types that link records, strongest first. */
  linking: z._default(z.array(z.enum(['taxCode', 'externalId', 'email', 'phone', 'loyaltyCard', 'vatNumber'])), [
    'taxCode',
    'externalId',
    'loyaltyCard',
    'email',
    'phone',
  ]),
  /** Most distinct people one identifier value may join (a family e-mail, a switchboard number). */
  maxPeoplePerIdentifier: z._default(z.int().check(z.positive()), 3),
  /** E-mail local parts that name a role, not a person. */
  roleEmailLocalParts: z._default(z.array(z.string()), [
    'info', 'noreply', 'no-reply', 'donotreply', 'test', 'admin', 'administrator', 'amministrazione', 'office', 'ufficio',
    'segreteria', 'contatti', 'contact', 'contacts', 'hello', 'ciao', 'sales', 'vendite', 'ordini', 'orders', 'support',
    'assistenza', 'help', 'helpdesk', 'postmaster', 'webmaster', 'marketing', 'newsletter', 'privacy', 'dpo', 'pec',
    'fatture', 'fatturazione', 'billing', 'contabilita', 'accounting', 'hr', 'jobs', 'lavora', 'reception', 'staff',
    // An Italian firm's offices and a shop's or a hotel's desks: whoever works there that year.
    'commerciale', 'direzione', 'acquisti', 'ufficio-acquisti', 'ufficio-tecnico', 'tecnico', 'logistica', 'magazzino',
    'spedizioni', 'personale', 'legale', 'prenotazioni', 'booking', 'bookings', 'reservations', 'eventi', 'events',
    'servizio-clienti', 'customer-service', 'customer-care', 'enquiries', 'inquiries', 'team', 'mail', 'email', 'posta',
    'shop', 'negozio',
  ]),
  /** Whole values that never link (placeholders typed into forms). */
  blockedValues: z._default(z.array(z.string()), [
    'email:test@test.com', 'email:test@test.it', 'email:a@a.it', 'email:a@a.com', 'email:nomail@nomail.it',
    'email:noemail@noemail.com', 'email:no@email.it', 'email:email@email.com', 'email:example@example.com',
  ]),
  /**
   * Probabilistic matching of records that share no identifier (domain/matching.ts): at `mergeAt` or above the
   * records merge, from `reviewAt` they become a duplicate candidate; a blocking key shared by more than
   * `maxBlockSize` records finds no one. `enabled: false` keeps resolution deterministic.
   */
  matching: z._default(
    z.strictObject({
      enabled: z._default(z.boolean(), true),
      mergeAt: z._default(z.number(), 12),
      reviewAt: z._default(z.number(), 7),
      maxBlockSize: z._default(z.int().check(z.positive()), 100),
    }),
    { enabled: true, mergeAt: 12, reviewAt: 7, maxBlockSize: 100 },
  ),
  /** Source priority for survivorship, highest first; sources not listed rank below, then the most recent value wins. */
  sourcePriority: z._default(z.array(z.string()), []),
  /**
   * A field's own source priority, in place of `sourcePriority` for it (`{"line1": ["erp"], "phone"...}`): the ERP
   * knows the invoicing address, the shop the delivery one. Fields: SURVIVED_FIELDS and custom `attr.<name>`.
   */
  fieldSourcePriority: z._default(
    z.record(
      z.string().check(z.refine((f) => SURVIVED_FIELDS.includes(f) || /^attr\..+/.test(f), { error: `a field a profile survives: ${SURVIVED_FIELDS.join(', ')}, or attr.<name>` })),
      z.array(z.string()),
    ),
    {},
  ),
  /** The lead score's rules (domain/lead-score.ts); without them, DEFAULT_LEAD_SCORE_RULES. */
  leadScore: z._default(leadScoreSchema, { rules: [...DEFAULT_LEAD_SCORE_RULES] }),
});

export type IdentityConfig = z.infer<typeof identityConfigSchema>;

export const DEFAULT_IDENTITY_CONFIG: IdentityConfig = identityConfigSchema.parse({});

export function parseIdentityConfig(json: unknown): IdentityConfig {
  return identityConfigSchema.parse(json);
}

/** Why an identifier may not link records, or undefined when it may. */
export function blockedReason(type: IdentifierType, value: string, config: IdentityConfig): string | undefined {
  if (!config.linking.includes(type as never)) return 'identifier.notLinking';
  return valueBlockedReason(type, value, config);
}

/** Whether an identifier key (`email:nessuna@email.it`) holds a placeholder: a value that names nobody. */
export function isPlaceholderKey(identifierKey: string, config: IdentityConfig): boolean {
  const type = identifierKey.slice(0, identifierKey.indexOf(':')) as IdentifierType;
  return valueBlockedReason(type, identifierKey.slice(type.length + 1), config) === 'identifier.placeholder';
}

/** Whether an identifier key holds a role address (`email:info@studio.it`): a business's, not one person's. */
export function isRoleKey(identifierKey: string, config: IdentityConfig): boolean {
  return identifierKey.startsWith('email:') && valueBlockedReason('email', identifierKey.slice(6), config) === 'email.role';
}

const ROLE_SEPARATORS = /[._-]/g;
const roleSets = new WeakMap<readonly string[], ReadonlySet<string>>();
/** The config's role local parts without their separators, built once per config. */
function rolesOf(config: IdentityConfig): ReadonlySet<string> {
  let roles = roleSets.get(config.roleEmailLocalParts);
  if (!roles) roleSets.set(config.roleEmailLocalParts, (roles = new Set(config.roleEmailLocalParts.map((r) => r.replace(ROLE_SEPARATORS, '')))));
  return roles;
}

/**
 * Why a value says nothing about who its person is, whatever its type's linking: a placeholder typed into a form, a
 * role address (`info@`, `amministrazione@`), a listed value. Or undefined.
 */
export function valueBlockedReason(type: IdentifierType, value: string, config: IdentityConfig): string | undefined {
  if (config.blockedValues.includes(`${type}:${value}`)) return 'identifier.placeholder';
  if (type === 'email') {
    const local = value.slice(0, value.indexOf('@'));
    // Written with or without separators: `no-reply`, `no.reply`, `noreply`; `servizio.clienti`, `servizioclienti`.
    if (rolesOf(config).has(local.replace(ROLE_SEPARATORS, ''))) return 'email.role';
    // What a till or a form gets typed when the person gives no address (`no@no.it`, `n.d@nd.it`, `nessuna@email.it`).
    if (/^(test|prova|fake|dummy|nomail|noemail|senzamail|none|nessuna|nessuno|niente|no|nd|na|nn|asd|asdf|qwerty|x+)$/.test(local.replace(ROLE_SEPARATORS, ''))) {
      return 'identifier.placeholder';
    }
  }
  if (type === 'phone') {
    // The national number under any country-code length: all one digit, or a counting sequence. Or a real prefix (a
    // mobile operator's, a town's) with the rest one digit over and over (`333 0000000`, `02 00000000`, `347 1111111`),
    // as a clerk types a number the person did not give.
    const national = [1, 2, 3].map((n) => value.replace(/^\+/, '').slice(n));
    if (national.some((d) => /^(\d)\1{5,}$/.test(d) || /^0?1234567890?$/.test(d)) || /(\d)\1{6,}$/.test(value)) return 'identifier.placeholder';
  }
  return undefined;
}
