/** The contract between ingestion and resolution (ARCHITECTURE.md, "Canonical record"). */

export type IdentifierType = 'email' | 'phone' | 'externalId' | 'taxCode' | 'vatNumber' | 'loyaltyCard';
export type RecordKind = 'contact' | 'order' | 'interaction' | 'consent' | 'privacy-request';
export type Channel = 'file' | 'webhook' | 'api';

export interface Identifier {
  readonly type: IdentifierType;
  /** Normalised value (email lower-cased, phone in E.164, ...). */
  readonly value: string;
  /** Scope of values that are only unique per source, e.g. `shopify` for a Shopify customer id. */
  readonly namespace?: string;
}

export interface Lineage {
  readonly objectKey: string;
  readonly importId?: string;
  readonly deliveryId?: string;
  readonly recordKey: string;
  readonly line?: number;
}

export interface Person {
  firstName?: string;
  lastName?: string;
  gender?: string;
  birthDate?: string;
  language?: string;
  title?: string;
}

export interface Company {
  name?: string;
  vatNumber?: string;
  size?: string;
  sector?: string;
  role?: string;
}

export interface Address {
  line1?: string;
  line2?: string;
  postalCode?: string;
  city?: string;
  province?: string;
  region?: string;
  country?: string;
}

export interface Consent {
  readonly purpose: string;
  readonly granted: boolean;
  readonly at: string;
  /**
   * A file gave the decision without its date (a shop export's `Accepts Marketing`): `at` is the row's date or the
   * import's, not the decision's. Such a grant never replaces a withdrawal or a dated decision (see `supersedes`).
   */
  readonly undated?: true;
  readonly proof?: { readonly form?: string; readonly textVersion?: string; readonly ip?: string };
}

export interface Order {
  readonly orderId: string;
  /**
   * The order's id in the vendor's own system, where the order is known by another: Shopify's numeric id beside its
   * name (`#1001`, the id of its exports). A change that gives only this id (Shopify's `orders/delete`) finds the
   * order by it.
   */
  readonly ref?: string;
  readonly status?: string;
  /** The order's total; for one line of an order (`line` set), that line's amount. */
  readonly total?: number;
  /**
   * Set when the record is one line of an order (an ERP's order lines, one row each): the line's key within the order,
   * the same in every export of that line. The order's total is then the sum of its lines.
   */
  readonly line?: string;
  readonly currency?: string;
  readonly placedAt?: string;
  /**
   * The vendor marks it a test order (Shopify's `test`, an event of Stripe's test mode): it stays on the profile and
   * counts toward nothing, as a cancelled one. Only ever set, never cleared: a later version that does not say (an
   * export) leaves the order a test.
   */
  readonly test?: true;
  /**
   * A change to an order already received, from a delivery that names no person (WooCommerce's `order.deleted`,
   * Shopify's `orders/delete`: the order's id only). The record has no identifier: it is applied to whichever profile
   * holds the order, never a profile of its own.
   */
  readonly changeOnly?: true;
}

export interface CanonicalRecord {
  readonly recordId: string;
  readonly source: string;
  readonly channel: Channel;
  readonly kind: RecordKind;
  readonly occurredAt: string;
  readonly receivedAt: string;
  readonly lineage: Lineage;
  readonly identifiers: readonly Identifier[];
  readonly person?: Person;
  readonly company?: Company;
  readonly address?: Address;
  readonly consents?: readonly Consent[];
  readonly order?: Order;
  readonly interaction?: { readonly touchpoint: string; readonly type: string; readonly subject?: string };
  readonly lead?: { readonly source?: string; readonly medium?: string; readonly campaign?: string };
  readonly attributes?: Readonly<Record<string, string | number | boolean>>;
  /** Values that failed validation but did not make the record useless: field -> reason code. */
  readonly flags?: Readonly<Record<string, string>>;
}

/** `type:value` or `type:namespace:value`: the key under which an identifier is claimed by one profile. */
export function identifierKey(id: Identifier): string {
  return id.namespace ? `${id.type}:${id.namespace}:${id.value}` : `${id.type}:${id.value}`;
}
