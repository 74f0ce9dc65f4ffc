/**
 * Untrusted objects (JSON imports, links, the scripting API) are read by their own fields only: an inherited
 * field (a prototype's `kind` or `dim`) is never taken for a value. Fields a format does not know are left out of
 * the clean copy, as before (an exported file may carry notes of its own).
 */

/** The own fields of `value` among `known` (a field missing or only inherited is absent). */
export function ownFields(value: object, known: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of known) if (Object.hasOwn(value, key)) out[key] = (value as Record<string, unknown>)[key];
  return out;
}
