/**
 * Bound methods. Python prints `f.cancelled` (not called) as `<bound method Future.cancelled of <Future ...>>`.
 * Each public method becomes a prototype getter returning a per-instance, lazily created bound function whose repr
 * is computed when printed (so it shows the instance's current state). Subclasses overriding a method get the same.
 */
import { inspect } from 'node:util';
import { REPR, repr } from './repr';

const BOUND_SELF: unique symbol = Symbol('tsfutures.boundSelf');
const BOUND_NAME: unique symbol = Symbol('tsfutures.boundName');
type BoundMethod = Function & { [BOUND_SELF]: unknown; [BOUND_NAME]: string };

/** Shared by every bound method (one closure per method would cost a future ~400 bytes more: GC-bound pools). */
function describeBound(this: BoundMethod): string {
  return `<bound method ${this[BOUND_NAME]} of ${repr(this[BOUND_SELF])}>`;
}

export function defineBoundMethods(cls: { prototype: object; name: string }, names: readonly string[]): void {
  for (const name of names) {
    const method = (cls.prototype as Record<string, unknown>)[name];
    if (typeof method !== 'function') throw new Error(`${cls.name}.${name} is not a method`);
    // The instance's cached bound method lives under a symbol of its own (no per-instance cache object).
    const slot = Symbol(`tsfutures.bound.${name}`);
    const qualname = `${cls.name}.${name}`;
    Object.defineProperty(cls.prototype, name, {
      configurable: true,
      enumerable: false,
      get(this: Record<symbol, BoundMethod | undefined>) {
        let bound = this[slot];
        if (bound === undefined) {
          bound = method.bind(this) as BoundMethod;
          bound[BOUND_SELF] = this;
          bound[BOUND_NAME] = qualname;
          (bound as unknown as Record<symbol, unknown>)[REPR] = describeBound;
          (bound as unknown as Record<symbol, unknown>)[inspect.custom] = describeBound;
          this[slot] = bound;
        }
        return bound;
      },
      set(this: object, value: unknown) {
        // Assigning over a method on one instance (monkey-patching in tests) shadows it, like Python.
        Object.defineProperty(this, name, { value, writable: true, configurable: true, enumerable: true });
      },
    });
  }
}
