/**
 * A flat copy of a string (one sequential string where V8 kept a rope), for strings kept for the whole session.
 * A string built by concatenation (a template literal, the printer's output) is a rope of its pieces: a printed
 * declaration ~12 string objects, a `Cell In[N]` label three (~150 bytes where the flat copy takes 32). Copied
 * through UTF-8, which these strings survive unchanged (they hold no lone surrogates).
 */
export function flattenRope(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}
