/** Base of the product's errors. Messages never contain personal data. */
export class CdpError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A required setting is missing or malformed; names the variable, never a value. */
export class ConfigurationError extends CdpError {}

/** A store refused a write after all retries (contention); the message is retried by the queue. */
export class ContentionError extends CdpError {}
