/** Describes a value for error messages: "a Socket", "an Array", "a function", "an undefined". */
export function describeValue(value: unknown): string {
  const kind = typeof value !== 'object' || value === null ? (value === null ? 'null' : typeof value) : (value.constructor?.name || typeof value);
  // "an Array", "an undefined", but "a Uint8Array": the letter alone does not say how the word sounds.
  return `${/^(?:[aeioAEIO]|un)/.test(kind) ? 'an' : 'a'} ${kind}`;
}
