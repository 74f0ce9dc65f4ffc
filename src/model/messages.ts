/** Text of any thrown value, for messages to the user. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
