/**
 * The MemoryError's message: what stopped the cell, which globals hold the most memory, and how to free it.
 *
 * A heap snapshot would give exact retained sizes but costs seconds and as much memory again on a full heap, just
 * when memory is short. So the globals the cells declared are walked instead, within a budget of objects, and each
 * object counts for the first global that reaches it (close to a retained size when globals do not share data).
 * Large arrays are sampled: their size is the mean of a few elements times their length. Only own data properties
 * are read: no getter or proxy trap of user code runs.
 */
import { types } from 'node:util';
import type { MemoryGuardData } from './memory-guard';

/** Objects visited in all; past it the sizes are lower bounds (shown as ">="). */
const VISIT_BUDGET = 200_000;
/** Elements (or properties) looked at per array (object); the rest are extrapolated from them. */
const SAMPLE = 64;
const SHOWN = 3;
/** Globals below this are not worth naming. */
const WORTH_NAMING_BYTES = 2 ** 20;

const mib = (n: number) => Math.round(n / 2 ** 20);

function human(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${mib(bytes)} MiB`;
}

class SizeWalk {
  private readonly seen = new WeakSet<object>();
  private visits = 0;

  get exhausted(): boolean {
    return this.visits >= VISIT_BUDGET;
  }

  /** Estimated bytes reachable from `value` not yet counted for an earlier global. */
  size(value: unknown): number {
    switch (typeof value) {
      case 'number':
      case 'bigint':
      case 'boolean':
      case 'undefined':
      case 'symbol':
        return 8;
      case 'string':
        return 16 + value.length;
      case 'function':
        return 0; // what its closure holds cannot be reached from JavaScript
    }
    if (value === null || this.seen.has(value as object) || this.exhausted || types.isProxy(value)) return 8;
    const object = value as object;
    this.seen.add(object);
    this.visits++;
    if (types.isArrayBufferView(object)) {
      if (this.seen.has(object.buffer)) return 64;
      this.seen.add(object.buffer);
      return 64 + object.buffer.byteLength;
    }
    if (types.isAnyArrayBuffer(object)) return 64 + object.byteLength;
    if (Array.isArray(object)) return 32 + this.sampled(object.length, (i) => this.element(object, i));
    if (types.isMap(object)) {
      const entries = [...object.entries()].slice(0, SAMPLE);
      return 64 + this.scaled(object.size, entries.map(([k, v]) => 16 + this.size(k) + this.size(v)));
    }
    if (types.isSet(object)) {
      const items = [...object.values()].slice(0, SAMPLE);
      return 64 + this.scaled(object.size, items.map((v) => 8 + this.size(v)));
    }
    const keys = Object.getOwnPropertyNames(object);
    return 32 + this.sampled(keys.length, (i) => 16 + this.own(object, keys[i]));
  }

  /** All of the first SAMPLE items, then every (n / SAMPLE)th, scaled to n. */
  private sampled(n: number, sizeOf: (i: number) => number): number {
    if (n <= SAMPLE) {
      let total = 0;
      for (let i = 0; i < n; i++) total += sizeOf(i);
      return total;
    }
    const sizes: number[] = [];
    for (let k = 0; k < SAMPLE; k++) sizes.push(sizeOf(Math.floor((k * n) / SAMPLE)));
    return this.scaled(n, sizes);
  }

  private scaled(n: number, sizes: number[]): number {
    return sizes.length ? (sizes.reduce((a, b) => a + b, 0) / sizes.length) * n : 0;
  }

  private element(array: unknown[], i: number): number {
    return i in array ? this.own(array, String(i)) : 8;
  }

  private own(object: object, key: string): number {
    const d = Object.getOwnPropertyDescriptor(object, key);
    return d && 'value' in d ? this.size(d.value) : 8;
  }
}

/** The cells' globals (names not in `preexisting`) holding the most memory, largest first. */
export function largestGlobals(global: object, preexisting: ReadonlySet<string>): { name: string; bytes: number; atLeast: boolean }[] {
  const walk = new SizeWalk();
  const found: { name: string; bytes: number; atLeast: boolean }[] = [];
  for (const name of Object.getOwnPropertyNames(global)) {
    if (preexisting.has(name)) continue;
    const d = Object.getOwnPropertyDescriptor(global, name);
    if (!d || !('value' in d) || typeof d.value === 'function') continue;
    const bytes = walk.size(d.value);
    found.push({ name, bytes, atLeast: walk.exhausted });
  }
  return found.sort((a, b) => b.bytes - a.bytes);
}

/**
 * Globals of the realm that cells did not declare (JavaScript's and Node's), read when the kernel loads this module,
 * before any cell runs. The runtime's globals that come later are functions, or small.
 */
const PREEXISTING: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(globalThis));

/** How to free a global: in place where the value allows, else by declaring the name again (cells may). */
function howToFree(name: string, value: unknown): string {
  if (Array.isArray(value)) return `${name}.length = 0`;
  if (types.isMap(value) || types.isSet(value)) return `${name}.clear()`;
  return `let ${name} = null`;
}

export function memoryErrorMessage(data: MemoryGuardData, global: object = globalThis): string {
  const stopped = `the cell was stopped because its allocations took the kernel's memory past its limit (${mib(data.limitBytes)} MiB here; the JavaScript heap limit is ${mib(data.heapLimitBytes)} MiB)`;
  let held = '. Free globals you no longer need, or restart the kernel';
  try {
    const largest = largestGlobals(global, PREEXISTING).filter((g) => g.bytes >= WORTH_NAMING_BYTES).slice(0, SHOWN);
    if (largest.length) {
      const names = largest.map((g) => `${g.name} (${g.atLeast ? '>= ' : '~'}${human(g.bytes)})`).join(', ');
      const first = largest[0].name;
      held = `; largest globals: ${names}. Free what you no longer need (e.g. \`${howToFree(first, (global as Record<string, unknown>)[first])}\`), or restart the kernel`;
    }
  } catch {
    // The report is a courtesy: the MemoryError itself must not fail.
  }
  return `${stopped}; what it kept in globals is still there${held}`;
}
