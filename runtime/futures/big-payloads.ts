/**
 * Large binary data between a process pool and its workers, beside the IPC channel rather than through it.
 *
 * Node's IPC channel moves a message through a socket in 64 KB reads that are gathered and copied again before
 * v8 deserializes them (and copied once more out of the arguments' own v8 bytes), so a 128 MB typed array took
 * seconds. Here typed arrays, Buffers and ArrayBuffers of at least LIFT_BYTES are lifted out of the v8 bytes
 * (a placeholder stays in their place) and written once into a file in /dev/shm (memory); the receiver reads each
 * one with a single read into the ArrayBuffer that becomes the value. Small values keep the plain path.
 *
 * Nothing is left behind:
 * - arguments: the parent unlinks its file as soon as it is written and keeps only the descriptor, which the worker
 *   opens as /proc/<parent>/fd/<n>; the descriptor is closed when the task's future is done, and a dead parent's
 *   descriptors are closed by the OS.
 * - results: the worker's file is named after the parent and the worker (`tsfutures-<parent>-w<worker>-<n>`); the
 *   parent unlinks it once opened, removes a worker's leftovers when that worker ends, all of its own at exit, and
 *   any left by a parent that died (its pid no longer running) when a pool starts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { types } from 'node:util';

/** Below this, a buffer rides in the message: a file's few system calls cost more than copying it. */
export const LIFT_BYTES = 256 * 1024;

/** Lifted buffers in a file: the parent's descriptor (arguments) or a path (results), and each buffer's length. */
export interface BigFile {
  /** /proc/<pid>/fd/<fd> of an unlinked file, or the path of a named one (removed by whoever reads it). */
  path: string;
  sizes: number[];
  /** Whether the reader unlinks the file (named files only). */
  named: boolean;
}

/** v8 bytes whose large buffers are in `file`: read with `landBig`. */
export interface LiftedBytes {
  bytes: Uint8Array;
  file: BigFile;
}

const DIR = '/dev/shm';
const PREFIX = 'tsfutures-';
const usable = process.platform === 'linux' && fs.existsSync(DIR) && fs.existsSync('/proc/self/fd');

/** Lifting's view types, in the order their index is written. Buffer first: it is checked by constructor. */
const VIEWS = [Buffer, Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView] as const;

function viewIndex(view: ArrayBufferView): number {
  if (view.constructor === Buffer) return 0;
  const tag = Object.prototype.toString.call(view);
  return VIEWS.findIndex((T, i) => i > 0 && tag === `[object ${T.name}]`);
}

/** Large buffers `value` holds (views and bare ArrayBuffers), looking at no more than `budget` values. */
export function findBig(value: unknown, budget = 10_000): { views: number; buffers: ArrayBuffer[] } | undefined {
  const seen = new Set<object>();
  const buffers: ArrayBuffer[] = [];
  let views = 0;
  const stack: unknown[] = [value];
  while (stack.length && budget-- > 0) {
    const x = stack.pop();
    if (x === null || typeof x !== 'object' || seen.has(x)) continue;
    seen.add(x);
    if (ArrayBuffer.isView(x)) {
      if (x.byteLength >= LIFT_BYTES && !types.isSharedArrayBuffer(x.buffer)) views++;
    } else if (types.isArrayBuffer(x)) {
      if (x.byteLength >= LIFT_BYTES) buffers.push(x);
    } else if (Array.isArray(x)) {
      for (let i = x.length - 1; i >= 0; i--) stack.push(x[i]);
    } else if (types.isMap(x)) {
      for (const [k, v] of x as Map<unknown, unknown>) stack.push(k, v);
    } else if (types.isSet(x)) {
      for (const v of x as Set<unknown>) stack.push(v);
    } else if (!types.isDate(x) && !types.isRegExp(x) && !types.isAnyArrayBuffer(x)) {
      for (const k of Object.keys(x)) stack.push((x as Record<string, unknown>)[k]);
    }
  }
  return views || buffers.length ? { views, buffers } : undefined;
}

const INLINE = 0;
const LIFTED = 1;

/** v8's serializer with large views written as (type, index into the lifted list), their bytes left out. */
class LiftingSerializer extends v8.DefaultSerializer {
  readonly lifted: Uint8Array[] = [];

  constructor(buffers: ArrayBuffer[]) {
    super();
    for (const b of buffers) this.transferArrayBuffer(this.lifted.push(new Uint8Array(b)) - 1, b);
  }

  _writeHostObject(view: ArrayBufferView): void {
    if (view.byteLength < LIFT_BYTES || types.isSharedArrayBuffer(view.buffer)) {
      this.writeUint32(INLINE);
      (v8.DefaultSerializer.prototype as unknown as { _writeHostObject(v: unknown): void })._writeHostObject.call(this, view);
      return;
    }
    this.writeUint32(LIFTED);
    this.writeUint32(viewIndex(view));
    this.writeUint32(this.lifted.push(new Uint8Array(view.buffer, view.byteOffset, view.byteLength)) - 1);
  }
}

class LandingDeserializer extends v8.DefaultDeserializer {
  constructor(bytes: Uint8Array, private readonly landed: ArrayBuffer[]) {
    super(bytes);
  }

  _readHostObject(): unknown {
    if (this.readUint32() === INLINE) {
      return (v8.DefaultDeserializer.prototype as unknown as { _readHostObject(): unknown })._readHostObject.call(this);
    }
    const View = VIEWS[this.readUint32()]!;
    const buffer = this.landed[this.readUint32()]!;
    if (View === Buffer) return Buffer.from(buffer);
    const perElement = (View as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
    return new (View as unknown as new (b: ArrayBuffer, o: number, l: number) => unknown)(buffer, 0, buffer.byteLength / perElement);
  }
}

/** One system call, where fs.rmSync({ force }) makes three (two stats and the unlink). */
function unlinkIfThere(name: string): void {
  try {
    fs.unlinkSync(name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

function writeAll(fd: number, chunks: Uint8Array[]): void {
  let position = 0;
  for (const chunk of chunks) {
    for (let done = 0; done < chunk.byteLength;) done += fs.writeSync(fd, chunk, done, chunk.byteLength - done, position + done);
    position += chunk.byteLength;
  }
}

let sequence = 0;
const nextName = (tag: string) => path.join(DIR, `${PREFIX}${side.parent}-${tag}-${sequence++}`);

/** Which side this process is: a pool's parent, or a worker of the parent `parent`. */
const side = { parent: process.pid, worker: false };

/** Called by a process-pool worker at start: its files are named after its parent and itself. */
export function setWorkerSide(parentPid: number): void {
  side.parent = parentPid;
  side.worker = true;
}

/**
 * `value` serialized with its large buffers in a file, or undefined when it has none (or no file could be made:
 * the caller then takes the plain path). Throws what v8.serialize would throw for a value that cannot be cloned.
 */
export function liftBig(value: unknown): LiftedBytes | undefined {
  if (!usable) return undefined;
  const big = findBig(value);
  if (!big) return undefined;
  const s = new LiftingSerializer(big.buffers);
  s.writeHeader();
  s.writeValue(value);
  const bytes = s.releaseBuffer();
  const sizes = s.lifted.map((c) => c.byteLength);
  const name = nextName(side.worker ? `w${process.pid}` : 'p');
  let fd: number | undefined;
  try {
    fd = fs.openSync(name, 'wx', 0o600);
    if (!side.worker) fs.unlinkSync(name); // the descriptor is the file now: it cannot outlive this process
    writeAll(fd, s.lifted);
  } catch {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(name, { force: true });
    return undefined; // e.g. /dev/shm full: the channel still works
  }
  if (side.worker) {
    fs.closeSync(fd);
    return { bytes, file: { path: name, sizes, named: true } };
  }
  openArgs.add(fd);
  return { bytes, file: { path: `/proc/${process.pid}/fd/${fd}`, sizes, named: false } };
}

/** The value of lifted bytes: each buffer read at once into the ArrayBuffer that becomes it. */
export function landBig({ bytes, file }: LiftedBytes): unknown {
  const fd = fs.openSync(file.path, 'r');
  const landed: ArrayBuffer[] = [];
  try {
    if (file.named) unlinkIfThere(file.path);
    let position = 0;
    for (const size of file.sizes) {
      // Not zero-filled first (new ArrayBuffer's calloc would write every page once more): the read fills it all,
      // or throws and the buffer is dropped. A buffer of its own (allocUnsafeSlow never pools), exactly `size` long.
      const into = Buffer.allocUnsafeSlow(size);
      const buffer = into.buffer as ArrayBuffer;
      for (let done = 0; done < size;) {
        const n = fs.readSync(fd, into, done, size - done, position + done);
        if (n === 0) throw new Error(`a large value's file ended after ${position + done} of its bytes`);
        done += n;
      }
      position += size;
      landed.push(buffer);
    }
  } finally {
    fs.closeSync(fd);
  }
  const d = new LandingDeserializer(bytes, landed);
  d.readHeader();
  landed.forEach((b, i) => d.transferArrayBuffer(i, b));
  return d.readValue();
}

export function isLifted(x: unknown): x is LiftedBytes {
  return x !== null && typeof x === 'object' && 'file' in x && 'bytes' in x;
}

/** Descriptors of argument files the parent holds until their task is done. */
const openArgs = new Set<number>();

/** Closes an argument file once its task is done (the worker has read it, or never will). */
export function releaseLifted(x: unknown): void {
  if (!isLifted(x) || x.file.named) return;
  const fd = Number(x.file.path.slice(x.file.path.lastIndexOf('/') + 1));
  if (openArgs.delete(fd)) fs.closeSync(fd);
}

function removeMatching(test: (name: string) => boolean): void {
  let names: string[];
  try {
    names = fs.readdirSync(DIR);
  } catch {
    return;
  }
  for (const name of names) if (name.startsWith(PREFIX) && test(name.slice(PREFIX.length))) fs.rmSync(path.join(DIR, name), { force: true });
}

/** After a worker ended: the result files it wrote and the parent never read. */
export function removeWorkerFiles(workerPid: number): void {
  if (usable) removeMatching((rest) => rest.startsWith(`${process.pid}-w${workerPid}-`));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let sweptAtStart = false;
/**
 * When a pool starts: the files of parents that died (killed before they could clean up, their workers with them);
 * and, at this process's exit, its own workers' leftovers.
 */
export function cleanUpOnce(): void {
  if (!usable || sweptAtStart) return;
  sweptAtStart = true;
  removeMatching((rest) => {
    const pid = Number(rest.slice(0, rest.indexOf('-')));
    return pid !== process.pid && Number.isInteger(pid) && pid > 0 && !alive(pid);
  });
  process.on('exit', () => removeMatching((rest) => rest.startsWith(`${process.pid}-`)));
}

/**
 * glibc tunables a worker starts with, unless its environment sets them. Page faults dominate receiving big data (a
 * fresh 4 KB page costs ~20-30 us in a VM): `hugetlb=1` backs large blocks with transparent huge pages (one fault
 * per 2 MB); `mmap_threshold` keeps blocks under 32 MB (glibc's own ceiling for its dynamic threshold, which an
 * explicit MALLOC_TRIM_THRESHOLD_ such as kernel.json's turns off) in the heap, where they get huge pages too (a
 * mapping of its own under 2 MB never does) and freed ones are reused without faulting again.
 */
export const WORKER_TUNABLES: Record<string, string> = {
  'glibc.malloc.hugetlb': '1',
  'glibc.malloc.mmap_threshold': String(32 * 1024 * 1024),
};
/** glibc's older environment variables for the same settings: a user's value there is kept too. */
const TUNABLE_ALIASES: Record<string, string> = { 'glibc.malloc.mmap_threshold': 'MALLOC_MMAP_THRESHOLD_' };

/** The environment a worker starts with: the parent's, with WORKER_TUNABLES added to GLIBC_TUNABLES where unset. */
export function workerEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (process.platform !== 'linux') return env;
  const given = env.GLIBC_TUNABLES ?? '';
  const set = new Set(given.split(':').map((t) => t.split('=')[0]));
  const added = Object.entries(WORKER_TUNABLES)
    .filter(([name]) => !set.has(name) && env[TUNABLE_ALIASES[name] ?? ''] === undefined)
    .map(([name, value]) => `${name}=${value}`);
  if (!added.length) return env;
  return { ...env, GLIBC_TUNABLES: [given, ...added].filter(Boolean).join(':') };
}
