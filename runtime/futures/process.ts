/**
 * ProcessPoolExecutor: tasks run in child processes (CPython's `concurrent.futures.process`). Functions are shipped by
 * source (see shipping.ts) since JS has no pickle; arguments and results travel by structured clone.
 */
import * as os from 'node:os';
import { BrokenProcessPool, ValueError } from './_base';
import { PoolExecutor, type PoolExecutorOptions } from './pool-executor';
import { processTransport } from './transports';
import { TypeError } from '../python/errors';

export interface ProcessPoolExecutorOptions extends PoolExecutorOptions {
  max_tasks_per_child?: number | null;
}

export class ProcessPoolExecutor extends PoolExecutor {
  static override pyModule = 'concurrent.futures.process';

  constructor(options: ProcessPoolExecutorOptions = {}) {
    const perChild = options.max_tasks_per_child ?? null;
    if (perChild !== null) {
      if (!Number.isInteger(perChild)) throw new TypeError('max_tasks_per_child must be an integer');
      if (perChild <= 0) throw new ValueError('max_tasks_per_child must be >= 1');
    }
    super(options, {
      transport: processTransport,
      defaultWorkers: os.availableParallelism?.() ?? os.cpus().length,
      maxTasksPerChild: perChild,
      broken: (message) => new BrokenProcessPool(message),
      diedMessage: 'A child process terminated abruptly, the process pool is not usable anymore',
      futureDiedMessage: 'A process in the process pool was terminated abruptly while the future was running or pending.',
      sharesMemory: false,
      initFailedMessage: 'A child process terminated abruptly, the process pool is not usable anymore',
    });
  }

  protected brokenError(message: string): Error {
    return new BrokenProcessPool(message);
  }
}
