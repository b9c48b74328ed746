/**
 * The runtime's exports in a pool worker (runtime/futures/worker-globals.ts): globals that shipped code can use, loaded
 * on first use, so a task that uses none of them does not wait for the whole runtime to load. And Node's own globals:
 * a worker has them all (runtime/futures/references.ts workerGlobalNames), so none of them is shipped.
 */
import '../../../runtime/index'; // registers the runtime's exports, as the kernel and `require('tsfutures')` do
import { InterpreterPoolExecutor } from '../../../runtime/futures/interpreter';
import type { PoolExecutor } from '../../../runtime/futures/pool-executor';
import { ProcessPoolExecutor } from '../../../runtime/futures/process';
import { registerShippingScope } from '../../../runtime/futures/shipping';
import type { SpareKeeper } from '../../../runtime/futures/spare-worker';
import { processTransport, threadTransport } from '../../../runtime/futures/transports';

/** Whether the worker has loaded the runtime's package entry. */
export function runtimeLoaded(): boolean {
  return Object.keys(require.cache).some((file) => /[\\/]runtime[\\/]index\.js$/.test(file));
}

/** Whether the worker has loaded the runtime's Python errors (with their repr and float formatting). */
export function pythonErrorsLoaded(): boolean {
  return Object.keys(require.cache).some((file) => /[\\/]runtime[\\/]python[\\/](errors|repr|float)\.js$/.test(file));
}

/** Uses names of the runtime's Python layer only, as the lecture's sum_generate does. */
function usesPython(n: number): [boolean, number] {
  return [runtimeLoaded(), sum(range(n))];
}

/** Uses runtime names as globals, as notebook code does. */
function usesRuntime(n: number): [boolean, number, string] {
  return [runtimeLoaded(), sum(range(n)), typeof ThreadPoolExecutor];
}

/** Node globals beyond the timers and URL, whose implementations cannot travel by source. */
function usesNodeGlobals(): [string | null, string, string, boolean, string, string] {
  return [new Headers({ a: '1' }).get('a'), typeof ReadableStream, new DOMException('m', 'AbortError').name,
    global === globalThis, new CustomEvent('e').type, typeof Response];
}

declare const sum: (xs: Iterable<number>) => number;
declare const range: (n: number) => Iterable<number>;
declare const ThreadPoolExecutor: unknown;
// Module scope is invisible to reflection: shipping finds runtimeLoaded here.
registerShippingScope(module.exports);

const kinds: [string, () => PoolExecutor, SpareKeeper][] = [
  ['ProcessPoolExecutor', () => new ProcessPoolExecutor({ max_workers: 1 }), processTransport as SpareKeeper],
  ['InterpreterPoolExecutor', () => new InterpreterPoolExecutor({ max_workers: 1 }), threadTransport as SpareKeeper],
];

describe.each(kinds)('%s', (_name, make, keeper) => {
  // A spare left by an earlier test has preloaded the whole runtime: each test's pool boots a worker of its own.
  beforeEach(() => keeper.release());

  test('a task that uses no runtime name runs before the runtime is loaded; one that does loads it', async () => {
    const pool = make();
    try {
      expect(await pool.submit(runtimeLoaded).result()).toBe(false);
      // Python builtins load the Python layer alone; the first other name loads the rest.
      expect(await pool.submit(usesPython, 4).result()).toEqual([false, 6]);
      expect(await pool.submit(runtimeLoaded).result()).toBe(false);
      expect(await pool.submit(usesRuntime, 5).result()).toEqual([false, 10, 'function']);
      expect(await pool.submit(runtimeLoaded).result()).toBe(true);
    } finally {
      await pool.shutdown();
    }
  }, 30_000);

  test("a worker boots without the runtime's Python errors, which only raising one needs", async () => {
    const pool = make();
    try {
      expect(await pool.submit(pythonErrorsLoaded).result()).toBe(false);
    } finally {
      await pool.shutdown();
    }
  }, 30_000);

  test("a task that uses Node's web globals and `global` runs with the worker's own", async () => {
    const pool = make();
    try {
      expect(await pool.submit(usesNodeGlobals).result()).toEqual(['1', 'function', 'AbortError', true, 'e', 'function']);
    } finally {
      await pool.shutdown();
    }
  }, 30_000);
});
