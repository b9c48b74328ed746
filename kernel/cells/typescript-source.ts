/**
 * The compiler's source as the kernel compiles it (typescript-code.ts, and the start-up snapshot's builder,
 * kernel/snapshot/): typescript.js with two changes that let each cell's type checker die young.
 *
 * createTypeChecker makes a sentinel, `noIterationTypes`, as an object literal with getters. Node 20's V8 keeps
 * what such getters reach alive in its young-generation collections until the next full one: each checker, and so
 * every checker since the last Mark-Compact, survived each scavenge and was promoted, though only the last is
 * alive. With a new checker per declaring cell, each scavenge copied and promoted nearly all that the cells
 * allocated (docs/performance.md, "The cell engine"). The same sentinel, made once beside createTypeChecker, means
 * the same to every checker: it is only compared by identity, and its getters only fail.
 *
 * The other cause is V8's allocation-site pretenuring: once a literal's objects have survived scavenges, optimised
 * code allocates its next ones in the old generation. appendIfUnique's `[toAdd]` (symbols' declarations, a
 * checker's type parameters) was pretenured as soon as checkers survived, and its arrays then pointed from the old
 * generation at the next checker, which every scavenge kept. `Array.of(toAdd)` makes the same array without an
 * allocation site, so it stays young and so does the checker. Pretenuring itself stays on: the other literals V8
 * pretenures hold what the start-up makes and keeps (the lib files' flow nodes among them), and the cells' own code
 * keeps it.
 *
 * Line numbers stay those of typescript.js (a compiler crash's stack names its lines). A change whose text is not
 * found (another TypeScript) is not made.
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

/** appendIfUnique's literal and the same array from a builtin, whose allocation carries no allocation site. */
const PRETENURED = { start: 'function appendIfUnique(array, toAdd, equalityComparer) {', line: '    return [toAdd];', siteless: '    return Array.of(toAdd);' };

/** typescript.js's text with the changes above, each made where its text is found (once). */
export function compilerSource(text: string): string {
  return withoutSite(shareSentinel(text), PRETENURED);
}

/** The checker's sentinel made once, beside createTypeChecker. */
function shareSentinel(text: string): string {
  const start = text.indexOf(CHECKER_START);
  const at = text.indexOf(PER_CHECKER, start);
  if (start < 0 || at < 0 || text.includes(SHARED)) return text;
  const literal = PER_CHECKER.slice(PER_CHECKER.indexOf('{')).replace(/\s*\n\s*/g, ' ');
  const lineBreaks = '\n'.repeat(PER_CHECKER.split('\n').length - 1);
  return `${text.slice(0, start)}var ${SHARED} = ${literal} ${text.slice(start, at)}  var noIterationTypes = ${SHARED};${lineBreaks}${text.slice(at + PER_CHECKER.length)}`;
}

/** The line replaced within its function (which ends at the first unindented `}`), if it is there. */
function withoutSite(text: string, { start, line, siteless }: typeof PRETENURED): string {
  const fn = text.indexOf(`\n${start}\n`);
  const end = text.indexOf('\n}\n', fn);
  const at = text.indexOf(`\n${line}\n`, fn);
  if (fn < 0 || at < 0 || at > end) return text;
  return `${text.slice(0, at + 1)}${siteless}${text.slice(at + 1 + line.length)}`;
}
