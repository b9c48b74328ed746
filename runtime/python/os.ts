/** Python's os module, the parts the lecture uses. */
import * as nodeOs from 'node:os';

export const os = {
  cpu_count(): number {
    return typeof nodeOs.availableParallelism === 'function' ? nodeOs.availableParallelism() : nodeOs.cpus().length;
  },
  getpid(): number {
    return process.pid;
  },
};
