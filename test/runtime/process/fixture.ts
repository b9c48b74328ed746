// Top-level names of a module, submitted to process pools by the tests. Module scope is invisible to reflection,
// so the module registers its exports as a shipping scope.
import { registerShippingScope } from '../../../runtime/futures/shipping';

export const SCALE = 3;

export function triangle(n: number): number {
  let s = 0;
  for (let i = 1; i <= n; i++) s += i;
  return s;
}

export function scaledTriangle(n: number): number {
  return triangle(n) * SCALE;
}

export class Point {
  constructor(readonly x: number, readonly y: number) {}
  norm1(): number {
    return Math.abs(this.x) + Math.abs(this.y);
  }
}

export function pointNorm(x: number, y: number): number {
  return new Point(x, y).norm1();
}

export async function slowDouble(x: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 5));
  return 2 * x;
}

export function failWith(message: string): never {
  throw new RangeError(message);
}

export function pid(): number {
  return process.pid;
}

export function spin(ms: number): number {
  const end = Date.now() + ms;
  while (Date.now() < end);
  return process.pid;
}

/** For the side-by-side test with CPython: a class whose instances travel both ways, and an exception with a field. */
export class Vec {
  x: number;
  y: number;
  constructor(x: number, y: number) {
    this.x = x;
    this.y = y;
  }
  norm(): number {
    return Math.hypot(this.x, this.y);
  }
}

export function doubled(v: Vec): Vec {
  return new Vec(v.x * 2, v.y * 2);
}

export class NeedMore extends Error {
  need: number;
  constructor(need: number) {
    super(`need ${need} more`);
    this.need = need;
  }
}

export function demand(n: number): never {
  throw new NeedMore(n);
}

/** Functions as a task's result: an intrinsic and a module function come back as the parent's own. */
export function giveFunctions(): Function[] {
  return [Math.hypot, doubled];
}

/** A function made in the worker, which has no name the parent could find it by. */
export function giveLambda(): (x: number) => number {
  return (x) => x;
}

/** A result v8 cannot clone, inside an array. */
export function weakMapInArray(): unknown[] {
  return [new WeakMap()];
}

registerShippingScope(module.exports);
