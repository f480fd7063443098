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
 * What a delivery says about one person, before cleaning: canonical paths with raw values (vendor payloads with a
 * fixed shape), or labelled values (form posts) recognised like an export's headers, or mapped by the source's file.
 */
export interface Extracted {
  readonly kind: RecordKind;
  /** The vendor's stable key of the thing delivered (`order:#1001`, `customer:123`, `response:abc`). */
  readonly recordKey: string;
  readonly fields?: readonly (readonly [path: string, value: string])[];
  readonly labels?: readonly (readonly [label: string, value: string])[];
  /** Consent proof: the form or topic a consent was given on. */
  readonly form: string;
  /** Timeline touchpoint (a form's name). */
  readonly touchpoint?: string;
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
