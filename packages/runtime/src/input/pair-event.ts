// Builds the plain-object events of the key/value formats (syslog, logfmt, CEF; spec 05 §4).
// Only object construction lives here; tokenizing belongs to each format's module.

/** A key/value event: string values, keys in first-seen order. */
export type PairEvent = Record<string, string>;

/**
 * Adds `key = value` unless the object already has an own `key`: the spec keeps the first occurrence of a key.
 * `__proto__` is defined as an ordinary own property so a hostile key cannot replace the object's prototype.
 */
export function addPair<V>(event: Record<string, V>, key: string, value: V): void {
  if (Object.hasOwn(event, key)) return;
  if (key === '__proto__') Object.defineProperty(event, key, { value, enumerable: true, writable: true, configurable: true });
  else event[key] = value;
}
