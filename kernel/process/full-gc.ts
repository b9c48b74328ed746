import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

/**
 * V8's gc() (one full, atomic collection), for the kernel's own collections (memory-guard.ts, idle-compaction.ts).
 * Taken from a throwaway context created while --expose-gc is on, and the flag turned off again at once: contexts
 * created later (the cells', a cell's own vm contexts) must not get a `gc` global they would not have in plain node.
 */
export function fullGc(): void {
  gc ??= exposedGc();
  gc();
}

function exposedGc(): () => void {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return own as () => void;
  setFlagsFromString('--expose-gc');
  try {
    return runInNewContext('gc') as () => void;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}
