/**
 * The work every contender runs: the same function bodies in our pools, piscina's worker and (in Python) bench.py.
 * Plain module functions with no free names, so our pools ship them by source as they are.
 */

/** A tiny task: what is measured is the pool's per-task overhead, not the work. */
export function tiny(x: number): number {
  return x + 1;
}

/** The lecture's sum_generate(n) as a plain JS loop: CPU-bound work for the speed-up row. */
export function sumLoop(n: number): number {
  let s = 0;
  for (let i = 1; i <= n; i++) s += i;
  return s;
}

/** The data rows: a typed array's size (what travels is the argument) and a fresh one of n bytes (the result). */
export function byteLength(data: ArrayBufferView): number {
  return data.byteLength;
}

export function makeBytes(n: number): Uint8Array {
  return new Uint8Array(n);
}

export function makeFloats(n: number): Float64Array {
  return new Float64Array(n / 8);
}

/** Frees a worker's garbage (when it runs with --expose-gc): the data rows time each transfer with none left over. */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  return gc !== undefined;
}

/** Touches a shared buffer so the SharedArrayBuffer row does real (tiny) work on it. */
export function touchShared(view: Float64Array): number {
  view[0] = (view[0] ?? 0) + 1;
  return view.length;
}
