/**
 * concurrent.futures' own errors (CPython's `_base.Error`, CancelledError, InvalidStateError, BrokenExecutor, and the
 * Broken* errors thread.py and process.py define). Python names through pythonName(); reprs
 * come from repr.ts's `args` rule.
 */
import { PyException, RuntimeError, pythonName } from '../python/errors';


/** `concurrent.futures._base.Error`: base of the future-specific errors. */
export class FuturesError extends PyException {}
pythonName(FuturesError, 'Error');

export class CancelledError extends FuturesError {}
pythonName(CancelledError, 'CancelledError');

export class InvalidStateError extends FuturesError {}
pythonName(InvalidStateError, 'InvalidStateError');

/** Raised when an executor has become non-functional after a severe failure. */
export class BrokenExecutor extends RuntimeError {}
pythonName(BrokenExecutor, 'BrokenExecutor');

/** A worker of a ThreadPoolExecutor failed initializing (CPython defines it in thread.py). */
export class BrokenThreadPool extends BrokenExecutor {}
pythonName(BrokenThreadPool, 'BrokenThreadPool');

/** A worker process died or failed initializing (CPython defines it in process.py). */
export class BrokenProcessPool extends BrokenExecutor {}
pythonName(BrokenProcessPool, 'BrokenProcessPool');
