import { ConfigurationError } from './errors.ts';

/** Reads a required setting when it is needed (never at import time), failing fast with the variable's name. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigurationError(`Missing required environment variable ${name}`);
  }
  return value;
}

/** Memoises a factory: dependencies are built on the first invocation, then reused across warm invocations. */
export function lazy<T>(factory: () => T): () => T {
  let value: { v: T } | undefined;
  return () => {
    value ??= { v: factory() };
    return value.v;
  };
}
