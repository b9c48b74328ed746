/**
 * The data rows of `npm run bench:futures`: typed arrays of 1, 16 and 128 MB to a ProcessPoolExecutor worker (as an
 * argument) and back (as a result), against CPython's ProcessPoolExecutor with `bytes` of the same sizes
 * (py/data.py, Debian's 3.11 and pyenv's 3.13); and a 128 MB SharedArrayBuffer through an InterpreterPoolExecutor,
 * which shares it. Each contender runs in a fresh process; ours and each CPython take turns, one process each, so
 * that the machine's load (2 cores shared) weighs on all of them alike; the figures are medians over the
 * repetitions. Ours is measured twice: from a parent with kernel.json's environment (as a notebook's kernel runs:
 * glibc backs large allocations with huge pages, so a result's memory is cheap to fault in), and from a plain one. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../../kernel/install/package-root';
import { median } from '../kernel/stats';
import { InterpreterPoolExecutor } from '../../runtime/futures/interpreter';
import { ProcessPoolExecutor } from '../../runtime/futures/process';
import { byteLength, collectGarbage, residentBytes, residentFloats, touchShared } from './tasks';
import { check, medianMs, timeMs } from './timing';

export const DATA_MB = [1, 16, 128];
const MB = 1024 * 1024;

/** Per size in MB: [to the worker, back] in ms. */
export type ToAndBack = Record<number, [number, number]>;

/**
 * One contender's figures in one fresh process: `first`, the first round trip at each size (Uint8Array for ours,
 * `bytes` for CPython), and `next`, the round trips after it, with the last one's garbage freed.
 */
export interface FirstAndNext<T> {
  first: ToAndBack;
  next: T;
}

type Ours = { bytes: ToAndBack; floats: ToAndBack };

export interface DataFigures {
  /** Ours, Uint8Array and Float64Array, the parent under kernel.json's environment: the rows. */
  bytes: ToAndBack;
  floats: ToAndBack;
  /** The first round trip at each size in a fresh process (kernel.json's environment): printed, not in the rows. */
  first: ToAndBack;
  /** Ours from a plain node parent (no GLIBC_TUNABLES of kernel.json's). */
  plain: Ours & { first: ToAndBack };
  /** CPython's `bytes`, per interpreter that could run ('3.11', '3.13'). */
  cpython: Record<string, FirstAndNext<ToAndBack>>;
  /** InterpreterPoolExecutor, 128 MB SharedArrayBuffer: submit→result, ms. */
  shared: number;
}

/** The CPythons measured: Debian's, and pyenv's 3.13 when installed. */
const PYTHONS: [string, string, NodeJS.ProcessEnv][] = [
  ['3.11', '/usr/bin/python3', process.env],
  ['3.13', 'python3', { ...process.env, PYENV_VERSION: '3.13.0' }],
];

/** Runs one contender's process and parses the JSON it prints, or undefined (reason on stderr) when it failed. */
function runJson<T>(what: string, command: string, args: string[], env: NodeJS.ProcessEnv): T | undefined {
  const r = spawnSync(command, args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) {
    process.stderr.write(`bench:futures: ${what} failed (${r.error?.message ?? `exit ${r.status}`})\n`);
    return undefined;
  }
  return JSON.parse(r.stdout) as T;
}

/** One process of CPython's `bytes` to and back (py/data.py), or undefined when it could not run. */
function runCPythonOnce(python: string, env: NodeJS.ProcessEnv): FirstAndNext<ToAndBack> | undefined {
  const script = path.join(PACKAGE_ROOT, 'bench', 'futures', 'py', 'data.py');
  return runJson(`${python} data.py`, python, [script, '1', ...DATA_MB.map(String)], env);
}

function medians(samples: ToAndBack[]): ToAndBack {
  const out: ToAndBack = {};
  for (const mb of DATA_MB) out[mb] = [median(samples.map((s) => s[mb]![0])), median(samples.map((s) => s[mb]![1]))];
  return out;
}

/** Frees the garbage of the last transfer in the parent and in the worker (both run with --expose-gc). */
async function freeGarbage(pool: ProcessPoolExecutor): Promise<void> {
  globalThis.gc!();
  check(await pool.submit(collectGarbage).result(), true, 'gc in the worker');
}

/**
 * Each size and kind to the worker and back, on a started pool. A process's first receipt of a size lands in memory
 * the VM's host has not backed lately, which costs several times the transfer itself (docs/performance.md) and
 * falls on whichever transfer comes first; so one untimed round trip at each size and kind comes first (its
 * Uint8Array times kept as `first`), and each timed transfer starts with the last one's garbage freed on both sides,
 * as CPython's refcounting frees its `bytes` at once (py/data.py does the same).
 */
async function oursInProcess(pool: ProcessPoolExecutor, inputs: Map<number, readonly [Uint8Array, Float64Array]>): Promise<FirstAndNext<Ours>> {
  const first: ToAndBack = {};
  const next: Ours = { bytes: {}, floats: {} };
  for (const mb of DATA_MB) {
    const n = mb * MB;
    const [u8, f64] = inputs.get(mb)!;
    const kinds: [ToAndBack, ArrayBufferView, (n: number) => ArrayBufferView][] = [[next.bytes, u8, residentBytes], [next.floats, f64, residentFloats]];
    const to = (data: ArrayBufferView) => timeMs(async () => check(await pool.submit(byteLength, data).result(), n, 'to the worker'));
    const back = (make: (n: number) => ArrayBufferView) => timeMs(async () => check((await pool.submit(make, n).result()).byteLength, n, 'back'));
    for (const [, data, make] of kinds) {
      const trip: [number, number] = [await to(data), await back(make)];
      first[mb] ??= trip;
    }
    for (const [into, data, make] of kinds) {
      await freeGarbage(pool);
      const there = await to(data);
      await freeGarbage(pool);
      into[mb] = [there, await back(make)];
    }
  }
  return { first, next };
}

/**
 * Before timing: the pool started and each task function shipped once, with a few bytes. A function's first task
 * carries its source for the worker to compile (CPython pickles `make` by reference, which costs nothing extra), so
 * an untimed first call keeps that out of the first size's rows, which measure data. CPython's side does the same
 * (py/data.py).
 */
async function warmUp(pool: ProcessPoolExecutor): Promise<void> {
  await pool.submit(byteLength, new Uint8Array(8)).result();
  await pool.submit(residentBytes, 8).result();
  await pool.submit(residentFloats, 8).result();
  await pool.submit(collectGarbage).result();
}

/** Inputs with content (written, so their memory is in place as a real array's is). */
const makeInputs = () => new Map(DATA_MB.map((mb) => [mb, [new Uint8Array(mb * MB).fill(7), new Float64Array((mb * MB) / 8).fill(0.5)]] as const));

/** Entry of data-child.ts: ours in this fresh process (pool start-up not timed), printed as JSON. */
export async function oursOnceMain(): Promise<void> {
  if (typeof globalThis.gc !== 'function') throw new Error('data-child.js needs --expose-gc (NODE_OPTIONS), for its workers too');
  const pool = new ProcessPoolExecutor({ max_workers: 1 });
  try {
    await warmUp(pool);
    process.stdout.write(JSON.stringify(await oursInProcess(pool, makeInputs())));
  } finally {
    await pool.shutdown();
  }
}

/** `env` with --expose-gc in NODE_OPTIONS, which the pool's workers inherit. */
function withGc(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, NODE_OPTIONS: [env.NODE_OPTIONS, '--expose-gc'].filter(Boolean).join(' ') };
}

/** The environment kernel.json gives a kernel (MALLOC_ARENA_MAX, GLIBC_TUNABLES...). */
function kernelEnv(): NodeJS.ProcessEnv {
  const spec = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'kernel.json'), 'utf8')) as { env?: Record<string, string> };
  return { ...process.env, ...spec.env };
}

/** One fresh process of ours (data-child.js) under `env`, or undefined (reason on stderr). */
function oursOnce(env: NodeJS.ProcessEnv): FirstAndNext<Ours> | undefined {
  return runJson('data-child.js', process.execPath, [path.join(__dirname, 'data-child.js')], withGc(env));
}

/**
 * Every contender runs in a fresh process of its own, one after the other in turns (CPython 3.11, 3.13, ours as a
 * kernel, ours from a plain parent), `reps` times, so that the machine's load weighs on all of them alike.
 */
export async function measureData(reps: number): Promise<DataFigures> {
  const kernel: FirstAndNext<Ours>[] = [];
  const plain: FirstAndNext<Ours>[] = [];
  const py = new Map<string, FirstAndNext<ToAndBack>[]>();
  for (let rep = 0; rep < reps; rep++) {
    for (const [name, python, env] of PYTHONS) {
      if (rep > 0 && !py.has(name)) continue; // failed once: not installed
      const once = runCPythonOnce(python, env);
      if (once) py.set(name, [...(py.get(name) ?? []), once]);
    }
    const asKernel = oursOnce(kernelEnv());
    if (asKernel) kernel.push(asKernel);
    const fromPlain = oursOnce(process.env);
    if (fromPlain) plain.push(fromPlain);
  }
  if (!kernel.length && !plain.length) throw new Error('bench:futures: no run of data-child.js succeeded');
  const summary = (samples: FirstAndNext<Ours>[]) => ({
    bytes: medians(samples.map((o) => o.next.bytes)),
    floats: medians(samples.map((o) => o.next.floats)),
    first: medians(samples.map((o) => o.first)),
  });
  const cpython = Object.fromEntries([...py].map(([name, samples]) => [name, { first: medians(samples.map((s) => s.first)), next: medians(samples.map((s) => s.next)) }]));
  const plainFigures = summary(plain.length ? plain : kernel);
  const asKernel = kernel.length ? summary(kernel) : plainFigures;
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
