/**
 * The compiler's source as the kernel compiles it (typescript-code.ts, and the start-up snapshot's builder,
 * kernel/snapshot/): typescript.js with one change that lets each cell's type checker die young.
 *
 * createTypeChecker makes a sentinel, `noIterationTypes`, as an object literal with getters. Node 20's V8 keeps
 * what such getters reach alive in its young-generation collections until the next full one: each checker, and so
 * every checker since the last Mark-Compact, survived each scavenge and was promoted, though only the last is
 * alive (with typescript-code.ts's pretenuring flag, the other cause). With a new checker per declaring cell, each
 * scavenge copied and promoted nearly all that the cells allocated (docs/performance.md, "The cell engine"). The
 * same sentinel, made once beside createTypeChecker, means the same to every checker: it is only compared by
 * identity, and its getters only fail.
 * Line numbers stay those of typescript.js (a compiler crash's stack names its lines). When the text is not found
 * (another TypeScript), the source is compiled as it is.
 */

const PER_CHECKER = `  var noIterationTypes = {
    get yieldType() {
      return Debug.fail("Not supported");
    },
    get returnType() {
      return Debug.fail("Not supported");
    },
    get nextType() {
      return Debug.fail("Not supported");
    }
  };`;
const CHECKER_START = 'function createTypeChecker(host) {';
const SHARED = '__tsfutures_noIterationTypes';

/** typescript.js's text with the checker's sentinel made once (see above), or the text unchanged. */
export function compilerSource(text: string): string {
  const start = text.indexOf(CHECKER_START);
  const at = text.indexOf(PER_CHECKER, start);
  if (start < 0 || at < 0 || text.includes(SHARED)) return text;
  const literal = PER_CHECKER.slice(PER_CHECKER.indexOf('{')).replace(/\s*\n\s*/g, ' ');
  const lineBreaks = '\n'.repeat(PER_CHECKER.split('\n').length - 1);
  return `${text.slice(0, start)}var ${SHARED} = ${literal} ${text.slice(start, at)}  var noIterationTypes = ${SHARED};${lineBreaks}${text.slice(at + PER_CHECKER.length)}`;
}
