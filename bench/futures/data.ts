/**
 * The data rows of `npm run bench:futures`: typed arrays of 1, 16 and 128 MB to a ProcessPoolExecutor worker (as an
 * argument) and back (as a result), against CPython's ProcessPoolExecutor with `bytes` of the same sizes
 * (py/data.py); and a 128 MB SharedArrayBuffer through an InterpreterPoolExecutor, which shares it.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../../kernel/install/package-root';
import { InterpreterPoolExecutor } from '../../runtime/futures/interpreter';
import { ProcessPoolExecutor } from '../../runtime/futures/process';
import { byteLength, makeBytes, makeFloats, touchShared } from './tasks';
import { check, medianMs } from './timing';

export const DATA_MB = [1, 16, 128];
const MB = 1024 * 1024;

export interface DataFigures {
  /** Per size in MB: [to the worker, back] in ms, for Uint8Array and Float64Array. */
  bytes: Record<number, [number, number]>;
  floats: Record<number, [number, number]>;
  /** InterpreterPoolExecutor, 128 MB SharedArrayBuffer: submit→result, ms. */
  shared: number;
}

export async function measureData(reps: number): Promise<DataFigures> {
  const pool = new ProcessPoolExecutor({ max_workers: 1 });
  const bytes: Record<number, [number, number]> = {};
  const floats: Record<number, [number, number]> = {};
  try {
    await pool.submit(byteLength, new Uint8Array(8)).result();
    for (const mb of DATA_MB) {
      const n = mb * MB;
      const kinds: [Record<number, [number, number]>, ArrayBufferView, (n: number) => ArrayBufferView][] =
        [[bytes, new Uint8Array(n), makeBytes], [floats, new Float64Array(n / 8), makeFloats]];
      for (const [into, data, make] of kinds) {
        const to = await medianMs(reps, async () => check(await pool.submit(byteLength, data).result(), n, 'to the worker'));
        const back = await medianMs(reps, async () => check((await pool.submit(make, n).result()).byteLength, n, 'back'));
        into[mb] = [to, back];
      }
    }
  } finally {
    await pool.shutdown();
  }
  const threads = new InterpreterPoolExecutor({ max_workers: 1 });
  try {
    const view = new Float64Array(new SharedArrayBuffer(128 * MB));
    await threads.submit(touchShared, view).result(); // start-up and compile, not measured
    const shared = await medianMs(Math.max(reps, 20), async () => check(await threads.submit(touchShared, view).result(), view.length, 'shared'));
    return { bytes, floats, shared };
  } finally {
    await threads.shutdown();
  }
}

/** CPython's `bytes` to and back, ms per size in MB, or undefined (reason on stderr) when Python could not run. */
export function runCPythonData(reps: number): Record<number, [number, number]> | undefined {
  const script = path.join(PACKAGE_ROOT, 'bench', 'futures', 'py', 'data.py');
  const r = spawnSync('/usr/bin/python3', [script, String(reps), ...DATA_MB.map(String)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) {
    process.stderr.write(`bench:futures: python3 data.py failed (${r.error?.message ?? `exit ${r.status}`})\n`);
    return undefined;
  }
  return JSON.parse(r.stdout) as Record<number, [number, number]>;
}
