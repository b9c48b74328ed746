/**
 * The runtime's exports as a pool worker's globals, so shipped notebook code can call print, range, sum... Loading
 * the whole runtime takes a worker longer than booting it took, and most tasks use none of it: each name the parent
 * knows (its registered runtime exports, sent with 'init') is a global that loads the runtime on first use, and a
 * parent without the runtime registered (plain Node using one executor) ships no code that could use it. A name of
 * the Python layer (sum, range, print, time...) loads that layer only, about a quarter of the whole runtime's cost,
 * since that is what shipped notebook code mostly reads; any other name loads the rest. A spare worker
 * (spare-worker.ts) loads it all while it waits, as no pool waits for it then.
 */
import { registerRuntimeExports } from './references';

let runtime: Record<string, unknown> | undefined;
/** The Python layer, when a name of it was read before the whole runtime was loaded. */
let pythonLayer: Record<string, unknown> | undefined;

/** The getter each lazy global was installed with: only those are replaced by the loaded values. */
const lazyGlobals = new Map<string, () => unknown>();

/** Makes `exports` plain globals (names the worker's own globals already have stay). */
function settle(exports: Record<string, unknown>): void {
  const g = globalThis as Record<string, unknown>;
  for (const key of Object.keys(exports)) {
    if (key === '__esModule') continue;
    const lazy = lazyGlobals.get(key);
    if (!(key in g) || (lazy && Object.getOwnPropertyDescriptor(g, key)?.get === lazy)) {
      Object.defineProperty(g, key, { value: exports[key], writable: true, configurable: true, enumerable: true });
    }
  }
}

/** Loads the runtime now: its exports become plain globals. */
export function loadRuntime(): Record<string, unknown> {
  if (runtime) return runtime;
  try {
    runtime = require('../index') as Record<string, unknown>;
  } catch (e) {
    process.stderr.write(`pool-worker: could not preload the runtime: ${(e as Error).message}\n`);
    runtime = {};
  }
  settle(runtime);
  return runtime;
}

/** The runtime's export `name`: from the Python layer alone when it is one of that layer's (the index re-exports them). */
function runtimeExport(name: string): unknown {
  if (!runtime) {
    if (!pythonLayer) {
      try {
        pythonLayer = require('../python') as Record<string, unknown>;
        settle(pythonLayer);
      } catch {
        pythonLayer = {};
      }
    }
    if (Object.prototype.hasOwnProperty.call(pythonLayer, name)) return pythonLayer[name];
  }
  return loadRuntime()[name];
}

/**
 * Installs `names` (the parent's runtime exports) as globals that load the runtime on first read, and registers them
 * as this worker's runtime exports (references to them, `__tsf.ref`, load it too). Assigning one makes it plain data.
 */
export function installRuntimeGlobals(names: readonly string[]): void {
  if (runtime || !names.length) return;
  const g = globalThis as Record<string, unknown>;
  const exports: Record<string, unknown> = {};
  for (const name of names) {
    const get = () => runtimeExport(name);
    Object.defineProperty(exports, name, { get, enumerable: true, configurable: true });
    if (name in g) continue;
    lazyGlobals.set(name, get);
    Object.defineProperty(g, name, {
      get,
      set: (value: unknown) => Object.defineProperty(g, name, { value, writable: true, configurable: true, enumerable: true }),
      configurable: true,
      enumerable: true,
    });
  }
  registerRuntimeExports(exports);
}
