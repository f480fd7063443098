/**
 * A value built on first use, not when its module loads: every function that imports a module pays its top-level
 * work at a cold start, and most never need a given table.
 */
export function onFirstUse<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}
