/** Thrown for any bad state patch; `field` names the offending field, e.g. `"units"` or `"network.w[3]"`. */
export class StateError extends Error {
  override name = 'StateError';
  constructor(
    readonly field: string,
    message: string,
    /** For expression targets: the character position of a syntax error. */
    readonly position?: number,
  ) {
    super(`Invalid state: ${field}: ${message}`);
  }
}
