/** Beyond one machine: DistributedExecutor (BullMQ on Redis) and the errors it raises. */
export { DistributedExecutor, type DistributedExecutorOptions } from './executor';
export type { LocalClusterOptions } from './local-cluster';
export { ConnectionError } from './errors';
