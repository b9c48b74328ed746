import v8 = require('node:v8');
import type * as TS from 'typescript';

/**
 * Keeps V8's optimising compiler (TurboFan) away from the compiler's per-cell factories. Every cell builds a new
 * program and a new type checker, so `createTypeChecker` and `createProgram` -- huge closures whose bodies only
 * create their thousands of inner functions -- turn "hot" after some cells, and TurboFan then spends seconds of a
 * core on them in the background, in zone memory that glibc keeps mapped, so a kernel's RSS jumped in some runs and
 * not others (figures: docs/performance.md, "The cell engine"). Their inner functions -- the real work -- are
 * optimised as before. Functions that run only a few times a cell are kept out differently, by the launcher's larger
 * interrupt budget (bin/tsfutures-kernel.sh), which makes them reach TurboFan's threshold four times later.
 * `%NeverOptimizeFunction` is V8's own switch for this; natives syntax is on only while it is called, so cells
 * and the code cache see the same flags as before.
 */
export function keepFactoriesUnoptimized(ts: typeof TS): void {
  if (process.env.TSF_JIT === '0') return;
  // Internal names (createTypeChecker, transformNodes) are exported at run time but not in the typings.
  const exported = ts as unknown as Record<string, unknown>;
  const factories = ['createTypeChecker', 'createProgram', 'createPrinter', 'transformNodes'].map((name) => exported[name]);
  try {
    v8.setFlagsFromString('--allow-natives-syntax');
    const neverOptimize = new Function('f', '%NeverOptimizeFunction(f)') as (f: unknown) => void;
    for (const f of factories) if (typeof f === 'function') neverOptimize(f);
  } catch {
    // Another V8 without the intrinsic: the factories get optimised, as everywhere else.
  } finally {
    v8.setFlagsFromString('--no-allow-natives-syntax');
  }
}

/**
 * Keeps V8's baseline compiler (Sparkplug) away from the engine's own work. Each cell runs the compiler's checker and
 * emitter once, so their functions warm up slowly over hundreds of cells and Sparkplug compiles them one by one, code
 * that stays for the kernel's life and does not make the next cell faster. Users' code keeps Sparkplug: library code a
 * cell calls a few hundred times is faster with it (docs/performance.md, "Kernel memory: where it goes"). V8 reads
 * the flag when a function's budget runs out, on the main thread, so turning it off only while the engine checks and
 * emits leaves every other moment (the cells' run, the event loop's tasks) as it was. A nested call keeps the outer
 * one's setting.
 */
let baselineOff = 0;

export function withoutBaselineCode<T>(work: () => T): T {
  if (baselineOff++ === 0) v8.setFlagsFromString('--no-sparkplug');
  try {
    return work();
  } finally {
    if (--baselineOff === 0) v8.setFlagsFromString('--sparkplug');
  }
}

/** Inside withoutBaselineCode, code that may run users' modules (their top level is users' code). */
export function withBaselineCode<T>(work: () => T): T {
  if (baselineOff === 0) return work();
  v8.setFlagsFromString('--sparkplug');
  const outer = baselineOff;
  baselineOff = 0;
  try {
    return work();
  } finally {
    baselineOff = outer;
    v8.setFlagsFromString('--no-sparkplug');
  }
}
