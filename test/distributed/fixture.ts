// Top-level functions the distributed tests submit (shipped by source, as to a process pool).
import { registerShippingScope } from '../../runtime/futures/shipping';

export function square(x: number): number {
  return x * x;
}

export function fail(message: string): never {
  throw new RangeError(message);
}

/** Where the task ran: the worker's pid, where it loads packages from, its working folder. */
export function where(): [number, string, string] {
  return [process.pid, require.resolve('ioredis'), process.cwd()];
}

/** Holds its worker for `ms` (blocking, as a CPU-bound task would), then returns i² and the worker's pid. */
export function hold(ms: number, i: number): [number, number] {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return [i * i, process.pid];
}

/** A side effect a test can look for. */
export function touch(file: string): string {
  require('node:fs').writeFileSync(file, 'ran');
  return file;
}

export function killWorker(): void {
  process.kill(process.pid, 'SIGKILL');
}

export function load(name: string): unknown {
  return typeof require(name);
}

registerShippingScope(module.exports);
