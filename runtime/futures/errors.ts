/**
 * concurrent.futures' own errors (CPython's `_base.Error`, CancelledError, InvalidStateError, BrokenExecutor, and the
 * Broken* errors thread.py and process.py define). Python names via prototype.name (so subclasses keep theirs); reprs
 * come from repr.ts's `args` rule.
 */
import { PyException, RuntimeError } from '../python/errors';

function named<C extends { prototype: Error }>(cls: C, name: string): C {
  cls.prototype.name = name;
  return cls;
}


/** `concurrent.futures._base.Error`: base of the future-specific errors. */
export class FuturesError extends PyException {}
named(FuturesError, 'Error');

export class CancelledError extends FuturesError {}
named(CancelledError, 'CancelledError');

export class InvalidStateError extends FuturesError {}
named(InvalidStateError, 'InvalidStateError');

/** Raised when an executor has become non-functional after a severe failure. */
export class BrokenExecutor extends RuntimeError {}
named(BrokenExecutor, 'BrokenExecutor');

/** A worker of a ThreadPoolExecutor failed initializing (CPython defines it in thread.py). */
export class BrokenThreadPool extends BrokenExecutor {}
named(BrokenThreadPool, 'BrokenThreadPool');

/** A worker process died or failed initializing (CPython defines it in process.py). */
export class BrokenProcessPool extends BrokenExecutor {}
named(BrokenProcessPool, 'BrokenProcessPool');
