/**
 * `concurrent.futures` for TypeScript: the names Python's package exports, plus `futures` (the module object itself,
 * for `futures.ThreadPoolExecutor(...)` as in `from concurrent import futures`).
 */
import {
  ALL_COMPLETED, BrokenExecutor, BrokenProcessPool, BrokenThreadPool, CancelledError, DoneAndNotDoneFutures, Executor,
  FIRST_COMPLETED, FIRST_EXCEPTION, Future, InvalidStateError, RuntimeError, TimeoutError, ValueError, as_completed, wait,
} from './_base';
import { ThreadPoolExecutor } from './thread';
import { ProcessPoolExecutor } from './process';
import { InterpreterPoolExecutor } from './interpreter';

export {
  ALL_COMPLETED, BrokenExecutor, BrokenProcessPool, BrokenThreadPool, CancelledError, DoneAndNotDoneFutures, Executor,
  FIRST_COMPLETED, FIRST_EXCEPTION, Future, InvalidStateError, RuntimeError, TimeoutError, ValueError, as_completed, wait,
  ThreadPoolExecutor, ProcessPoolExecutor, InterpreterPoolExecutor,
};
export type { ReturnWhen, WaitOptions, MapOptions, ShutdownOptions, DoneCallback } from './_base';
export type { ThreadPoolExecutorOptions } from './thread';
export type { ProcessPoolExecutorOptions } from './process';

/** The module object: `futures.wait(...)`, `futures.ThreadPoolExecutor`, ... */
export const futures = Object.freeze({
  ALL_COMPLETED, BrokenExecutor, BrokenProcessPool, BrokenThreadPool, CancelledError, DoneAndNotDoneFutures, Executor,
  FIRST_COMPLETED, FIRST_EXCEPTION, Future, InvalidStateError, RuntimeError, TimeoutError, ValueError, as_completed, wait,
  ThreadPoolExecutor, ProcessPoolExecutor, InterpreterPoolExecutor,
});
