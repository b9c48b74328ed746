import v8 = require('node:v8');

/**
 * Keeps V8's baseline compiler (Sparkplug) away from the engine's own work. Each cell runs the compiler's checker and
 * emitter once, so their functions warm up slowly over hundreds of cells and Sparkplug compiles them one by one:
 * ~2 MB of code space that stays for the kernel's life, for a CPU per cell the same within noise. Users' cells keep
 * Sparkplug: library code a cell calls a few hundred times runs ~1.5-2x faster with it (docs/performance.md,
 * "Kernel memory: where it goes"). V8 reads the flag when a function's budget runs out, on the main thread, so
 * turning it off only while the engine checks and emits leaves every other moment (the cells' run, the event loop's
 * tasks) as it was. A nested call keeps the outer one's setting.
 */
let depth = 0;

export function withoutBaselineCode<T>(work: () => T): T {
  if (depth++ === 0) v8.setFlagsFromString('--no-sparkplug');
  try {
    return work();
  } finally {
    if (--depth === 0) v8.setFlagsFromString('--sparkplug');
  }
}

/** Inside withoutBaselineCode, code that may run users' modules (their top level is users' code). */
export function withBaselineCode<T>(work: () => T): T {
  if (depth === 0) return work();
  v8.setFlagsFromString('--sparkplug');
  const outer = depth;
  depth = 0;
  try {
    return work();
  } finally {
    depth = outer;
    v8.setFlagsFromString('--no-sparkplug');
  }
}
