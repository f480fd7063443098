import type { Identifier, RecordKind } from '../canonical.ts';

export const VENDORS = ['shopify', 'woocommerce', 'stripe', 'typeform', 'tally', 'mailchimp', 'elementor', 'cf7', 'generic'] as const;
export type VendorName = (typeof VENDORS)[number];

/** A request as the HTTP API hands it over: header names lower-cased, the body's exact bytes. */
export interface WebhookRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

export type Payload = { readonly type: 'json'; readonly value: unknown } | { readonly type: 'form'; readonly value: Readonly<Record<string, string | string[]>> };

/**
 * What a form builder says an answer's value is. A yes/no, a number or a date can be a consent, a phone or a birth
 * date, but never a person's name, town or street: a question that merely mentions a city ("How important is the
 * weather to your opinion about a city? 1 to 5") does not give a rating as the town.
 */
export type AnswerKind = 'boolean' | 'number' | 'date';

/** One answer of a form post or survey, before it is recognised. */
export interface Answer {
  /** What the form shows (a field's label, a question's title): what a report names. */
  readonly label: string;
  /** Other names the same answer goes by (a field's key or ref, a nested key's last part), tried after the label. */
  readonly aliases?: readonly string[];
  readonly value: string;
  readonly kind?: AnswerKind;
}

/**
 * What a delivery says about one person, before cleaning: canonical paths with raw values (vendor payloads with a
 * fixed shape), or answers (form posts) recognised like an export's headers, or mapped by the source's file.
 */
export interface Extracted {
  readonly kind: RecordKind;
  /** The vendor's stable key of the thing delivered (`order:#1001`, `customer:123`, `response:abc`). */
  readonly recordKey: string;
  readonly fields?: readonly (readonly [path: string, value: string])[];
  readonly answers?: readonly Answer[];
  /** Consent proof: the form or topic a consent was given on. */
  readonly form: string;
  /** Timeline touchpoint (a form's name). */
  readonly touchpoint?: string;
  /**
   * A change to an order already received that names no person (WooCommerce's `order.deleted` carries only the
   * order's id): kept without identifiers, and applied to whichever profile holds that order.
   */
  readonly changeOnly?: boolean;
}

/** A data-subject request a vendor sends on a person's behalf (Shopify's mandatory compliance topics). */
export interface VendorPrivacyRequest {
  readonly type: 'access' | 'erasure';
  /** `subject`: one person; `source`: everything received from this source (Shopify's shop/redact). */
  readonly scope: 'subject' | 'source';
  readonly identifiers: readonly Identifier[];
  readonly reference?: string;
}

export interface Interpretation {
  readonly topic: string;
  /** Idempotency: the vendor's event id, or what identifies the event when the vendor has none. */
  readonly eventKey: string;
  readonly records: readonly Extracted[];
  readonly privacy: readonly VendorPrivacyRequest[];
  /** Acknowledged without records (a ping, a topic without customer data), and why. */
  readonly ignored?: string;
}
