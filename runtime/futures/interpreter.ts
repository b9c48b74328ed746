/**
 * InterpreterPoolExecutor (Python 3.14): like the process pool — shipped functions, cloned arguments, isolated
 * globals — but each worker is a worker thread (its own V8 isolate), JS's closest match to a subinterpreter.
 */
import * as os from 'node:os';
import { BrokenThreadPool } from './_base';
import { PoolExecutor, type PoolExecutorOptions } from './pool-executor';
import { threadTransport } from './transports';
import { markTransfer } from './shared-memory';
import { pythonName } from '../python/errors';

export class BrokenInterpreterPool extends BrokenThreadPool {}
pythonName(BrokenInterpreterPool, 'BrokenInterpreterPool');

const INIT_FAILED = 'A thread initializer failed, the thread pool is not usable anymore';

export class InterpreterPoolExecutor extends PoolExecutor {
  static override pyModule = 'concurrent.futures.interpreter';

  constructor(options: PoolExecutorOptions & { thread_name_prefix?: string } = {}) {
    super(options, {
      transport: threadTransport,
      // ThreadPoolExecutor's default, which InterpreterPoolExecutor inherits in CPython.
      defaultWorkers: Math.min(32, (os.availableParallelism?.() ?? os.cpus().length) + 4),
      maxTasksPerChild: null,
      broken: (message) => new BrokenInterpreterPool(message),
      diedMessage: 'A worker thread terminated abruptly, the interpreter pool is not usable anymore',
      futureDiedMessage: 'A worker thread in the interpreter pool was terminated abruptly while the future was running or pending.',
      sharesMemory: true,
      initFailedMessage: INIT_FAILED,
    });
  }

  protected brokenError(message: string): Error {
    return new BrokenInterpreterPool(message);
  }

  /**
   * Marks an ArrayBuffer (or the buffer under a typed array) to be moved to the worker rather than copied:
   * `pool.submit(fn, InterpreterPoolExecutor.transfer(bytes))`. The caller's buffer is detached once sent.
   */
  static transfer<T extends ArrayBuffer | ArrayBufferView>(buffer: T): T {
    return markTransfer(buffer);
  }
}
