/**
 * The data rows of `npm run bench:futures`: typed arrays of 1, 16 and 128 MB to a ProcessPoolExecutor worker (as an
 * argument) and back (as a result), against CPython's ProcessPoolExecutor with `bytes` of the same sizes
 * (py/data.py, Debian's 3.11 and pyenv's 3.13); and a 128 MB SharedArrayBuffer through an InterpreterPoolExecutor,
 * which shares it. Ours and each CPython take turns, one repetition each, so that the machine's load (2 cores
 * shared) weighs on all of them alike; the figures are medians over the repetitions. Ours is measured twice: from a
 * parent with kernel.json's environment (as a notebook's kernel runs: glibc backs large allocations with huge pages,
 * so a result's memory is cheap to fault in), and from this plain node process.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../../kernel/install/package-root';
import { median } from '../kernel/stats';
import { InterpreterPoolExecutor } from '../../runtime/futures/interpreter';
import { ProcessPoolExecutor } from '../../runtime/futures/process';
import { byteLength, makeBytes, makeFloats, touchShared } from './tasks';
import { check, medianMs, timeMs } from './timing';

export const DATA_MB = [1, 16, 128];
const MB = 1024 * 1024;

/** Per size in MB: [to the worker, back] in ms. */
export type ToAndBack = Record<number, [number, number]>;

export interface DataFigures {
  /** Ours, Uint8Array and Float64Array, the parent under kernel.json's environment. */
  bytes: ToAndBack;
  floats: ToAndBack;
  /** Ours from this plain node process. */
  plain: { bytes: ToAndBack; floats: ToAndBack };
  /** CPython's `bytes`, per interpreter that could run ('3.11', '3.13'). */
  cpython: Record<string, ToAndBack>;
  /** InterpreterPoolExecutor, 128 MB SharedArrayBuffer: submit→result, ms. */
  shared: number;
}

/** The CPythons measured: Debian's, and pyenv's 3.13 when installed. */
const PYTHONS: [string, string, NodeJS.ProcessEnv][] = [
  ['3.11', '/usr/bin/python3', process.env],
  ['3.13', 'python3', { ...process.env, PYENV_VERSION: '3.13.0' }],
];

/** One repetition of CPython's `bytes` to and back, ms per size, or undefined (reason on stderr) when it could not run. */
function runCPythonOnce(python: string, env: NodeJS.ProcessEnv): ToAndBack | undefined {
  const script = path.join(PACKAGE_ROOT, 'bench', 'futures', 'py', 'data.py');
  const r = spawnSync(python, [script, '1', ...DATA_MB.map(String)], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) {
    process.stderr.write(`bench:futures: ${python} data.py failed (${r.error?.message ?? `exit ${r.status}`})\n`);
    return undefined;
  }
  return JSON.parse(r.stdout) as ToAndBack;
}

function medians(samples: ToAndBack[]): ToAndBack {
  const out: ToAndBack = {};
  for (const mb of DATA_MB) out[mb] = [median(samples.map((s) => s[mb]![0])), median(samples.map((s) => s[mb]![1]))];
  return out;
}

type Ours = { bytes: ToAndBack; floats: ToAndBack };

/** One repetition of ours: each size and kind to the worker and back, on a started pool. */
async function oursOnce(pool: ProcessPoolExecutor, inputs: Map<number, readonly [Uint8Array, Float64Array]>): Promise<Ours> {
  const out: Ours = { bytes: {}, floats: {} };
  for (const mb of DATA_MB) {
    const n = mb * MB;
    const [u8, f64] = inputs.get(mb)!;
    const kinds: [ToAndBack, ArrayBufferView, (n: number) => ArrayBufferView][] = [[out.bytes, u8, makeBytes], [out.floats, f64, makeFloats]];
    for (const [into, data, make] of kinds) {
      const to = await timeMs(async () => check(await pool.submit(byteLength, data).result(), n, 'to the worker'));
      const back = await timeMs(async () => check((await pool.submit(make, n).result()).byteLength, n, 'back'));
      into[mb] = [to, back];
    }
  }
  return out;
}

/**
 * Before timing: the pool started and each task function shipped once, with a few bytes. A function's first task
 * carries its source for the worker to compile (CPython pickles `make` by reference, which costs nothing extra), so
 * an untimed first call keeps that out of the first size's rows, which measure data. CPython's side does the same
 * (py/data.py). The path large buffers take is not warmed: its first use is in the 1 MB rows, on both sides.
 */
async function warmUp(pool: ProcessPoolExecutor): Promise<void> {
  await pool.submit(byteLength, new Uint8Array(8)).result();
  await pool.submit(makeBytes, 8).result();
  await pool.submit(makeFloats, 8).result();
}

/** Inputs with content (written, so their memory is in place as a real array's is). */
const makeInputs = () => new Map(DATA_MB.map((mb) => [mb, [new Uint8Array(mb * MB).fill(7), new Float64Array((mb * MB) / 8).fill(0.5)]] as const));

/** Entry of data-child.ts: one repetition of ours (pool start-up not timed), printed as JSON. */
export async function oursOnceMain(): Promise<void> {
  const pool = new ProcessPoolExecutor({ max_workers: 1 });
  try {
    await warmUp(pool);
    process.stdout.write(JSON.stringify(await oursOnce(pool, makeInputs())));
  } finally {
    await pool.shutdown();
  }
}

/** The environment kernel.json gives a kernel (MALLOC_ARENA_MAX, GLIBC_TUNABLES...). */
function kernelEnv(): NodeJS.ProcessEnv {
  const spec = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'kernel.json'), 'utf8')) as { env?: Record<string, string> };
  return { ...process.env, ...spec.env };
}

/** One repetition of ours from a parent under kernel.json's environment, or undefined (reason on stderr). */
function oursAsKernelOnce(): Ours | undefined {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'data-child.js')], { encoding: 'utf8', env: kernelEnv(), stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) {
    process.stderr.write(`bench:futures: data-child.js failed (${r.error?.message ?? `exit ${r.status}`})\n`);
    return undefined;
  }
  return JSON.parse(r.stdout) as Ours;
}

export async function measureData(reps: number): Promise<DataFigures> {
  const pool = new ProcessPoolExecutor({ max_workers: 1 });
  const kernel: Ours[] = [];
  const plain: Ours[] = [];
  const py = new Map<string, ToAndBack[]>();
  try {
    await warmUp(pool);
    const inputs = makeInputs();
    for (let rep = 0; rep < reps; rep++) {
      for (const [name, python, env] of PYTHONS) {
        if (rep > 0 && !py.has(name)) continue; // failed once: not installed
        const once = runCPythonOnce(python, env);
        if (once) py.set(name, [...(py.get(name) ?? []), once]);
      }
      const once = oursAsKernelOnce();
      if (once) kernel.push(once);
      plain.push(await oursOnce(pool, inputs));
    }
  } finally {
    await pool.shutdown();
  }
  const cpython = Object.fromEntries([...py].map(([name, samples]) => [name, medians(samples)]));
  const plainFigures = { bytes: medians(plain.map((o) => o.bytes)), floats: medians(plain.map((o) => o.floats)) };
  const asKernel = kernel.length ? { bytes: medians(kernel.map((o) => o.bytes)), floats: medians(kernel.map((o) => o.floats)) } : plainFigures;
  const threads = new InterpreterPoolExecutor({ max_workers: 1 });
  try {
    const view = new Float64Array(new SharedArrayBuffer(128 * MB));
    await threads.submit(touchShared, view).result(); // start-up and compile, not measured
    const shared = await medianMs(Math.max(reps, 20), async () => check(await threads.submit(touchShared, view).result(), view.length, 'shared'));
    return { ...asKernel, plain: plainFigures, cpython, shared };
  } finally {
    await threads.shutdown();
  }
}

/** MB/s of a transfer of `mb` MB that took `ms`. */
export const mbPerS = (mb: number, ms: number) => (mb * 1000) / ms;
