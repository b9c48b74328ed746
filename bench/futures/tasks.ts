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

/** The data rows: a typed array's size (what travels is the argument). */
export function byteLength(data: ArrayBufferView): number {
  return data.byteLength;
}

/**
 * The data rows' results: n bytes the worker already holds, written (as a computed result is), made at the first
 * call for each size and kept. "Back" then times a result's travel as "to" times an argument the parent already
 * holds, not a never-written `new Uint8Array(n)` faulting in fresh pages as it is read (py/data.py keeps its `bytes`
 * alike). Self-contained (globalThis only) so that it ships by source as it is.
 */
export function residentBytes(n: number): Uint8Array {
  const kept = ((globalThis as { dataBenchKept?: Map<string, ArrayBufferView> }).dataBenchKept ??= new Map());
  if (!kept.has(`u8 ${n}`)) kept.set(`u8 ${n}`, new Uint8Array(n).fill(7));
  return kept.get(`u8 ${n}`) as Uint8Array;
}

export function residentFloats(n: number): Float64Array {
  const kept = ((globalThis as { dataBenchKept?: Map<string, ArrayBufferView> }).dataBenchKept ??= new Map());
  if (!kept.has(`f64 ${n}`)) kept.set(`f64 ${n}`, new Float64Array(n / 8).fill(0.5));
  return kept.get(`f64 ${n}`) as Float64Array;
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
