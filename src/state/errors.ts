import { messageOf } from '../model/messages.ts';

/** Thrown for any bad state patch; `field` names the offending field, e.g. `"units"` or `"network.w[3]"`. */
export class StateError extends Error {
  override name = 'StateError';
  constructor(
    readonly field: string,
    /** What is wrong with the field, without the "Invalid state: field:" prefix (for messages that add their own). */
    readonly detail: string,
    /** For expression targets: the character position of a syntax error. */
    readonly position?: number,
  ) {
    super(`Invalid state: ${field}: ${detail}`);
  }
}

/**
 * A refusal for a message that adds its own context ("Delete was not done: …"): a StateError as "field: detail"
 * (without its "Invalid state:" prefix), anything else in plain words (messageOf).
 */
export function refusalText(e: unknown): string {
  return e instanceof StateError ? `${e.field}: ${e.detail}` : messageOf(e);
}

/** The StateError of a field error from the model (`InvalidNetworkError`, `InvalidTargetError`), its field under `prefix`. */
export function nestedStateError(prefix: string, e: { field: string; detail: string; position?: number }): StateError {
  // A model error about the whole value ("network: must be an object") is the field itself, not "network.network".
  const field = e.field === prefix || e.field === '' ? prefix : `${prefix}.${e.field}`;
  return new StateError(field, e.detail, e.position);
}
