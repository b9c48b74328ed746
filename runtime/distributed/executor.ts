/**
 * DistributedExecutor: a concurrent.futures Executor whose tasks run on `tsfutures worker` processes on any
 * number of machines, through a BullMQ queue in Redis (like dask.distributed's Client.get_executor()).
 *
 * A future is pending while its job waits in the queue, running once a worker has taken it, then finished or
 * cancelled. Jobs are signed with the cluster key (protocol.ts); workers answer through this client's inbox list,
 * which a reader loop pops, so results leave Redis as soon as they arrive. A worker that claimed a job asks this
 * client before running it, and the client alone decides (the future turns running, or it was cancelled and the
 * job is dropped): so cancel() == true means the task never runs, as in CPython. A heartbeat key tells workers this client
 * is alive: when it stops (kernel restart), its queued jobs are dropped rather than run (client-connection.ts).
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import {
  BrokenExecutor, Executor, Future, PENDING, RUNNING, CANCELLED, RuntimeError, ValueError, shutdownOptions,
  takeMapOptions, type ShutdownOptions,
} from '../futures/_base';
import { mapInChunks } from '../futures/chunked-map';
import { noteStart, noteSubmit } from '../timeline/record';
import { decodeError, decodeResult, encodeCall, encodeChunk } from './codec';
import { ClientConnection } from './client-connection';
import { ConnectionError } from './errors';
import { startLocalCluster, type LocalClusterOptions } from './local-cluster';
import {
  DEFAULT_QUEUE, DEFAULT_URL, KEY_ENV, inboxKey, jobIdOf, newClientId, redactUrl, sign, type EncodedCall, type JobData,
  type Notice,
} from './protocol';
import { setTimeout } from 'node:timers';

export interface DistributedExecutorOptions {
  /** Redis URL (default $TSFUTURES_REDIS_URL or redis://127.0.0.1:6379); `redis://user:pass@host`, `rediss://` for TLS. */
  url?: string;
  /** Queue name, the workers' --queue (default 'tsfutures'). */
  queue?: string;
  /** The cluster key jobs are signed with (default $TSFUTURES_CLUSTER_KEY). */
  key?: string | Uint8Array;
  /** How many workers a task may kill (die while running it) before its future fails with BrokenExecutor. */
  max_attempts?: number;
  /** With `rediss://`: a PEM file of the CA that signed the server's certificate, when Node's own CAs do not. */
  tls_ca_file?: string;
}

interface Entry {
  future: Future<any>;
  fn: string;
  /** Workers that started the task, in order. */
  workers: string[];
  /** Still in the batch that has not been sent to Redis yet. */
  unsent: boolean;
}

const DRAIN = 1000;
const ADD_SLICE = 50;
/** Seconds an answer list of a worker that went away stays in Redis. */
const ANSWER_TTL_S = 60;

export class DistributedExecutor extends Executor {
  static override pyModule = 'tsfutures.distributed';
  readonly url: string;
  readonly queue: string;
  private readonly key: Buffer;
  private readonly maxAttempts: number;
  private readonly client = newClientId();
  private seq = 0;
  private readonly entries = new Map<number, Entry>();
  private batch: { seq: number; name: string; data: JobData }[] = [];
  private flushScheduled = false;
  private flushing: Promise<unknown> = Promise.resolve();
  private readonly removals = new Set<Promise<unknown>>();
  private readonly redis: ClientConnection;
  /** Answers to workers asking to start a job, by the worker's answer list: sent together after each inbox read. */
  private answers = new Map<string, string[]>();
  private shutdownCalled = false;
  private closed: Promise<void> | undefined;
  /** The private cluster of DistributedExecutor.local(), stopped with the executor. */
  private cluster: ChildProcess | undefined;
  private clusterPids: number[] = [];

  constructor(options: DistributedExecutorOptions = {}) {
    super();
    this.url = options.url ?? process.env.TSFUTURES_REDIS_URL ?? DEFAULT_URL;
    if (!/^rediss?:\/\//.test(this.url)) throw new ValueError(`url must be a redis:// or rediss:// URL, not ${redactUrl(this.url)}`);
    this.queue = options.queue ?? DEFAULT_QUEUE;
    const key = options.key ?? process.env[KEY_ENV]?.trim();
    if (key === undefined || key.length === 0) {
      throw new ValueError(`DistributedExecutor needs the cluster key its workers were given: pass { key } or set ${KEY_ENV}`);
    }
    this.key = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
    const tlsCa = options.tls_ca_file === undefined ? undefined : fs.readFileSync(options.tls_ca_file, 'utf8');
    this.maxAttempts = options.max_attempts ?? 3;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) throw new ValueError('max_attempts must be an integer >= 1');
    this.redis = new ClientConnection(this.url, this.queue, this.client, tlsCa, {
      lost: (error) => this.failAll(error), // nothing pending can finish any more; submit raises it from now on
      restarted: (error) => this.failAll(error),
    });
    void this.redis.ready.then(() => this.readLoop(), () => undefined);
  }

  /**
   * A DistributedExecutor once Redis has answered: rejects with ConnectionError (after the retries, about 4 s) when
   * it cannot be reached, where `new DistributedExecutor()` returns at once and its first futures fail with it.
   */
  static async connect(options: DistributedExecutorOptions = {}): Promise<DistributedExecutor> {
    const executor = new DistributedExecutor(options);
    try {
      await executor.ready();
    } catch (error) {
      await executor.shutdown({ wait: true });
      throw error;
    }
    return executor;
  }

  /** Resolves once connected to Redis; rejects with the ConnectionError its futures fail with when it is out of reach. */
  ready(): Promise<void> {
    return this.redis.ready;
  }

  /**
   * Like dask's LocalCluster: a private redis-server from PATH on a free loopback port and `workers` worker processes,
   * all stopped by shutdown() (or when this process ends).
   */
  static async local(options: LocalClusterOptions & { max_attempts?: number } = {}): Promise<DistributedExecutor> {
    const cluster = await startLocalCluster(options);
    const executor = new DistributedExecutor({ url: cluster.url, queue: cluster.queue, key: cluster.key, max_attempts: options.max_attempts });
    executor.cluster = cluster.process;
    executor.clusterPids = [cluster.process.pid!, ...cluster.pids];
    try {
      await executor.ready();
    } catch (error) {
      await executor.shutdown();
      throw error;
    }
    return executor;
  }

  private failAll(error: Error): void {
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const e of entries) {
      if (e.future._state === CANCELLED) e.future.set_running_or_notify_cancel();
      else if (!e.future.done()) e.future.set_exception(error);
    }
  }

  /** Pops the inbox: a blocking pop for the first notice, then the rest in batches. */
  private async readLoop(): Promise<void> {
    const inbox = inboxKey(this.queue, this.client);
    const { reader } = this.redis;
    while (!this.redis.closing && !this.redis.lost) {
      try {
        const first = await reader.blpop(inbox, 0);
        if (first) this.handle(first[1]);
        this.sendAnswers(); // a worker waits on it: before the next round trip
        for (;;) {
          const more = await reader.lpop(inbox, DRAIN);
          if (!more) break;
          for (const text of more) this.handle(text);
          this.sendAnswers();
          if (more.length < DRAIN) break;
        }
      } catch {
        if (this.redis.closing || reader.status === 'end') return;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  private handle(text: string): void {
    const [seq, kind, payload, worker] = JSON.parse(text) as Notice;
    const entry = this.entries.get(seq);
    if (kind === 'A') {
      const [answerKey, startsNow] = payload as [string, 0 | 1];
      return this.answer(answerKey, seq, entry, startsNow === 1 ? worker : null);
    }
    if (!entry) return;
    const f = entry.future;
    if (kind === 'S') return this.started(entry, worker);
    this.entries.delete(seq);
    if (f._state === CANCELLED) {
      f.set_running_or_notify_cancel(); // no worker is told to run a cancelled job; a stray outcome is dropped
      return;
    }
    if (f.done()) return;
    if (f._state === PENDING) f.set_running_or_notify_cancel();
    if (kind === 'R') f.set_result(decodeResult(payload as string));
    else if (kind === 'E') f.set_exception(decodeError(payload as string));
    else if (kind === 'B') {
      f.set_exception(new BrokenExecutor(`task '${entry.fn}' (job ${jobIdOf(this.client, seq)}) killed ${payload} ` +
        `worker${payload === 1 ? '' : 's'} (${entry.workers.join(', ')}) and was not run again (max_attempts=${this.maxAttempts})`));
    } else {
      f.set_exception(new BrokenExecutor(`worker ${worker} rejected task '${entry.fn}' (job ${jobIdOf(this.client, seq)}): ${payload}`));
    }
  }

  /**
   * A worker asks to run a job it claimed: yes when its future was still pending (it turns running here, so cancel()
   * returns false from now on) or already running (a job given back or re-run after its worker died); no when it was
   * cancelled or is no longer ours (its outcome came already): the worker then drops the job unrun.
   */
  private answer(answerKey: string, seq: number, entry: Entry | undefined, startsNow: string | null): void {
    let go = false;
    if (entry) {
      go = entry.future._state === RUNNING || entry.future.set_running_or_notify_cancel();
      if (!go) this.entries.delete(seq); // cancelled: set_running_or_notify_cancel told its waiters
      else if (startsNow !== null) this.started(entry, startsNow);
    }
    const list = this.answers.get(answerKey) ?? [];
    list.push(JSON.stringify([jobIdOf(this.client, seq), go ? 1 : 0]));
    this.answers.set(answerKey, list);
  }

  /** The task started on `worker` (told with the worker's question when its thread was free, else by an 'S'). */
  private started(entry: Entry, worker: string): void {
    if (entry.workers.at(-1) !== worker) entry.workers.push(worker);
    noteStart(entry.future, worker);
  }

  private sendAnswers(): void {
    if (!this.answers.size) return;
    const pipeline = this.redis.conn.pipeline();
    for (const [key, list] of this.answers) pipeline.rpush(key, ...list).expire(key, ANSWER_TTL_S);
    this.answers.clear();
    void pipeline.exec().catch(() => undefined); // a worker that hears nothing drops the job once we are gone
  }

  private checkSubmit(fn: unknown): void {
    if (this.shutdownCalled) throw new RuntimeError('cannot schedule new futures after shutdown');
    if (this.redis.lost) throw new ConnectionError(this.redis.lost.message);
    if (typeof fn !== 'function') throw new TypeError(`'${typeof fn}' object is not callable`);
  }

  override submit<T>(fn: (...args: any[]) => T | Promise<T>, ...args: unknown[]): Future<Awaited<T>> {
    this.checkSubmit(fn);
    return this.enqueue(fn, encodeCall(fn, args));
  }

  private enqueue<T>(fn: Function, call: EncodedCall): Future<T> {
    const seq = this.seq++;
    const name = fn.name || '<anonymous>';
    const data = sign(this.key, jobIdOf(this.client, seq), { ...call, t: name, m: this.maxAttempts });
    const future = new Future<T>();
    noteSubmit(this, future, fn);
    this.entries.set(seq, { future, fn: name, workers: [], unsent: true });
    future.add_done_callback((f) => {
      if (f._state === CANCELLED) this.removeJob(seq);
    });
    this.batch.push({ seq, name, data });
    // map() submits many tasks in one tick: they go to Redis together.
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
    return future;
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.batch.filter((b) => {
      const entry = this.entries.get(b.seq);
      if (entry) entry.unsent = false;
      return entry !== undefined;
    });
    this.batch = [];
    if (!batch.length) return;
    this.flushing = this.flushing.then(async () => {
      await this.redis.ready;
      // In slices, each its own transaction, all sent at once: workers start on the first while the rest arrive.
      const slices: Promise<unknown>[] = [];
      for (let i = 0; i < batch.length; i += ADD_SLICE) {
        slices.push(this.redis.bull.addBulk(batch.slice(i, i + ADD_SLICE).map(({ seq, name, data }) => ({
          name, data, opts: { jobId: jobIdOf(this.client, seq), removeOnComplete: true, removeOnFail: true },
        }))));
      }
      await Promise.all(slices);
    }).catch((e) => {
      const error = this.redis.error(e);
      for (const { seq } of batch) {
        const entry = this.entries.get(seq);
        this.entries.delete(seq);
        if (entry && !entry.future.done()) entry.future.set_exception(error);
      }
    });
  }

  /** A cancelled future's job leaves the queue; a worker that claimed it already is told no when it asks to run it. */
  private removeJob(seq: number): void {
    const entry = this.entries.get(seq);
    if (!entry) return;
    if (entry.unsent) {
      this.entries.delete(seq);
      entry.future.set_running_or_notify_cancel();
      return;
    }
    const removal = this.flushing.then(() => this.redis.bull.remove(jobIdOf(this.client, seq))).then((removed) => {
      if (removed !== 1 || this.entries.get(seq) !== entry) return;
      this.entries.delete(seq);
      entry.future.set_running_or_notify_cancel();
    }, () => undefined);
    this.removals.add(removal);
    void removal.finally(() => this.removals.delete(removal));
  }

  /**
   * Python's `map(fn, *iterables, timeout, chunksize, buffersize)`; with chunksize > 1 each chunk is one job and
   * the results come back flat, in input order.
   */
  override map(fn: (...args: any[]) => unknown, ...rest: unknown[]): AsyncIterable<any> {
    const options = takeMapOptions(rest);
    const submitChunk = (columns: unknown[][]): Future<unknown[]> => {
      this.checkSubmit(fn);
      return this.enqueue(fn, encodeChunk(fn, columns));
    };
    return mapInChunks(rest, options, submitChunk) ?? super.map(fn, ...rest, options);
  }

  /** Python's `shutdown(wait=True, *, cancel_futures=False)`; also stops the private cluster of local(). */
  override async shutdown(options?: ShutdownOptions | boolean): Promise<void> {
    const { wait, cancel_futures: cancelFutures } = shutdownOptions(options);
    this.shutdownCalled = true;
    if (cancelFutures) for (const e of [...this.entries.values()]) if (e.future._state === PENDING) e.future.cancel();
    this.closed ??= this.closeWhenDone();
    if (wait) await this.closed;
  }

  private async closeWhenDone(): Promise<void> {
    const open = [...this.entries.values()].map((e) => e.future).filter((f) => !f.done());
    await Promise.all(open.map((f) => new Promise((resolve) => f.add_done_callback(resolve))));
    await this.flushing;
    await Promise.all([...this.removals]);
    await this.redis.close();
    // Cancelled futures whose workers had not asked yet: nobody will ask now (they drop the jobs of a client gone).
    for (const e of this.entries.values()) if (e.future._state === CANCELLED) e.future.set_running_or_notify_cancel();
    this.entries.clear();
    await this.stopCluster();
  }

  private stopCluster(): Promise<void> {
    const child = this.cluster;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      if (child.connected) child.send({ kind: 'stop' });
      else child.kill('SIGTERM');
    });
  }

  /** local(): pids of the cluster's processes (its host, redis-server, the worker processes). */
  get _cluster_pids(): number[] {
    return [...this.clusterPids];
  }

  /** Futures not yet finished or cancelled (queued or running). */
  get _pending(): number {
    return this.entries.size;
  }
}
