/**
 * One worker process of `tsfutures worker`: a BullMQ Worker taking jobs from the queue and running their tasks one at
 * a time in a worker thread of its own (pool-worker.ts, the process pool's worker, so shipping is the pools' own), so
 * that this thread stays free to renew BullMQ's job lock however long a task computes.
 *
 * Started by the supervisor (supervisor.ts) with an IPC channel; its settings, the cluster key among them, come as
 * the first message rather than on the command line or in the environment, where other users could read them.
 * A task that kills its thread kills this process too: the job then counts as having killed a worker, and BullMQ's
 * stalled-job recovery hands it to another worker (see maxAttempts).
 */
import * as os from 'node:os';
import type { Job, Worker as BullWorker } from 'bullmq';
import type { Redis } from 'ioredis';
import { BrokenExecutor, Future } from '../futures/_base';
import { WorkerPool, type PoolFuture } from '../futures/pool';
import { threadTransport } from '../futures/transports';
import { WORKER_DIR_ENV } from '../futures/rebuild';
import { loadRuntime } from '../futures/worker-globals';
import { decodeCall, encodeError, encodeResult, forwardOutcome } from './codec';
import { CLIENT_TTL_S, aliveKey, answersKey, inboxKey, parseJobId, tlsOptions, verify, type Answer, type Notice } from './protocol';
import { setTimeout, clearTimeout, setInterval, clearInterval } from 'node:timers';

export interface WorkerSettings {
  url: string;
  queue: string;
  /** The cluster key, base64. */
  key: string;
  lockMs: number;
  /** PEM of the CA that signed a `rediss://` server's certificate (--tls-ca-file). */
  tlsCa?: string;
}

/**
 * Tasks resolve the packages their functions were imported from in this worker's working folder (where `tsfutures
 * worker` started, or --cwd), then in its install: never in the kernel's folder, which may be on another machine.
 */
function resolveFromWorkingFolder(): void {
  process.env[WORKER_DIR_ENV] = process.cwd();
}

const name = `${os.hostname()}:${process.pid}`;
const log = (message: string): void => void process.stderr.write(`tsfutures worker ${name}: ${message}\n`);

/** Clients seen alive recently, so that a run of tiny tasks does not ask Redis before each one. */
const ALIVE_CACHE_MS = 1_000;
/**
 * Jobs this process claims at once: one while tasks are slow, so that a queue of long tasks spreads over all
 * workers (and cancel() works on all that wait); up to FAST_CLAIM after a run of tasks that took under QUICK_MS, so
 * that the Redis round trips of many tiny tasks overlap. The thread still runs one task at a time, and a task that
 * runs past QUICK_MS sends the claimed jobs still waiting back to the queue.
 */
const FAST_CLAIM = 16;
const QUICK_MS = 20;
const QUICK_RUN = 8;
/** How often a job waiting for its client's answer checks that the client is still there. */
const ASK_CHECK_MS = 1_000;

function newPool(): WorkerPool {
  const died = 'the worker thread running the task died';
  return new WorkerPool(threadTransport, {
    maxWorkers: 1,
    maxTasksPerChild: null,
    initializer: null,
    initargs: null,
    broken: (message) => new BrokenExecutor(message),
    diedMessage: died,
    futureDiedMessage: died,
    initFailedMessage: died,
    receive: forwardOutcome,
  });
}

async function run(settings: WorkerSettings): Promise<void> {
  const { Worker, UnrecoverableError, WaitingError } = require('bullmq') as typeof import('bullmq');
  const IORedis = (require('ioredis') as typeof import('ioredis')).default;
  const key = Buffer.from(settings.key, 'base64');
  const redis: Redis = new IORedis(settings.url, { maxRetriesPerRequest: null, ...tlsOptions(settings.url, settings.tlsCa) });
  redis.on('error', () => { /* ioredis reconnects by itself; BullMQ reports lasting trouble */ });
  resolveFromWorkingFolder(); // before the pool's thread starts: it copies this environment
  // Jobs come from notebooks that call print, sum, range...: the runtime's exports are registered here so that the
  // pool names them all to its thread, as a kernel's pools do.
  loadRuntime();
  const pool = newPool();
  const aliveUntil = new Map<string, number>();

  const notify = (client: string, notice: Notice): Promise<unknown> => {
    const inbox = inboxKey(settings.queue, client);
    return redis.pipeline().rpush(inbox, JSON.stringify(notice)).expire(inbox, CLIENT_TTL_S * 4).exec();
  };

  const clientAlive = async (client: string, cached = true): Promise<boolean> => {
    const now = Date.now();
    if (cached && (aliveUntil.get(client) ?? 0) > now) return true;
    const alive = (await redis.exists(aliveKey(settings.queue, client))) === 1;
    if (alive) aliveUntil.set(client, now + ALIVE_CACHE_MS);
    else aliveUntil.delete(client);
    return alive;
  };

  /**
   * Before running a job, its client must say yes: the client alone decides between running and cancelled, so a
   * cancel() that returned true never races with a claim. Answers come on this process's own list, popped here.
   */
  const answers = new Map<string, (go: boolean) => void>();
  const myAnswers = answersKey(settings.queue, name);
  const listener: Redis = redis.duplicate();
  listener.on('error', () => undefined);
  const listen = async (): Promise<void> => {
    while (!closing) {
      try {
        const got = await listener.blpop(myAnswers, 0);
        if (!got) continue;
        const take = (text: string): void => {
          const [jobId, go] = JSON.parse(text) as Answer;
          answers.get(jobId)?.(go === 1);
        };
        take(got[1]);
        for (const text of (await listener.lpop(myAnswers, 1_000)) ?? []) take(text);
      } catch {
        if (closing) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  /** `startsNow`: the thread is free, so the client may count the task as started when it says yes (no 'S' then). */
  const askToRun = (jobId: string, client: string, seq: number, startsNow: boolean): Promise<boolean> => new Promise((resolve) => {
    // A client that went away while we wait (kernel restart, shutdown) answers nothing: the job is dropped.
    const check = setInterval(() => void clientAlive(client, false).then((alive) => alive || settle(false), () => undefined), ASK_CHECK_MS);
    const settle = (go: boolean): void => {
      clearInterval(check);
      answers.delete(jobId);
      resolve(go);
    };
    answers.set(jobId, settle);
    notify(client, [seq, 'A', [myAnswers, startsNow ? 1 : 0], name]).catch(() => settle(false));
  });

  /**
   * Claimed jobs waiting for the task thread, in claim order; the thread runs one task at a time. A job's future shows
   * running only once its task starts. When a task turns out slow, the jobs still waiting go back to the queue (to
   * the front), for idle workers to take.
   */
  const line: { start(): void; giveBack(): void }[] = [];
  let threadBusy = false;
  const nextTurn = (): void => {
    if (threadBusy) return;
    const turn = line.shift();
    if (!turn) return;
    threadBusy = true;
    turn.start();
  };
  const slowTask = (): void => {
    quickRun = 0;
    if (worker.concurrency !== 1) worker.concurrency = 1;
    for (const turn of line.splice(0)) turn.giveBack();
  };

  const processor = async (job: Job, token?: string): Promise<void> => {
    const id = parseJobId(job.id ?? '');
    const call = id ? verify(key, job.id!, job.data) : undefined;
    if (!id || !call) {
      log(`rejected job ${job.id}: bad or missing signature (not run)`);
      if (id) await notify(id.client, [id.seq, 'X', 'its signature does not match the cluster key of this worker', name]);
      throw new UnrecoverableError('bad or missing signature');
    }
    // A client that went away (kernel restart) leaves no work behind: its queued jobs are dropped.
    if (!(await clientAlive(id.client))) return;
    // Times a worker died holding this job (BullMQ found it stalled); jobs given back below do not count.
    const killed = job.stalledCounter;
    if (killed >= call.m) {
      await notify(id.client, [id.seq, 'B', killed, name]);
      return;
    }
    const threadFree = (): boolean => !threadBusy && line.length === 0;
    const toldStarted = threadFree();
    if (!(await askToRun(job.id!, id.client, id.seq, toldStarted))) return; // cancelled, or the client is gone: dropped unrun
    const startsNow = toldStarted && threadFree();
    const go = await new Promise<boolean>((resolve) => {
      line.push({ start: () => resolve(true), giveBack: () => resolve(false) });
      nextTurn();
    });
    if (!go) {
      await job.moveToWait(token);
      throw new WaitingError();
    }
    const slow = setTimeout(slowTask, QUICK_MS);
    try {
      if (!startsNow) void notify(id.client, [id.seq, 'S', null, name]).catch(() => undefined);
      const { def, args, chunk } = decodeCall(call);
      const future = new Future<unknown>();
      const started = performance.now();
      pool.enqueue(future as unknown as PoolFuture, def, args, chunk);
      let notice: Notice;
      try {
        notice = [id.seq, 'R', encodeResult(await future.result()), name];
      } catch (error) {
        if (pool.broken !== null) {
          // The task took its thread down: this worker dies with it, and the job's lock runs out (a killed worker).
          log(`task ${call.t} (job ${job.id}) killed its worker thread; exiting`);
          process.exit(70);
        }
        notice = [id.seq, 'E', encodeError(error, name), name];
      }
      adapt(performance.now() - started);
      // Not awaited: the push goes out on this connection ahead of BullMQ's completion of the job, so Redis never
      // sees the job complete without its notice (and the next job starts one round trip sooner).
      void notify(id.client, notice).catch((e) => log(`cannot deliver the outcome of job ${job.id}: ${(e as Error).message}`));
    } finally {
      clearTimeout(slow);
      threadBusy = false;
      nextTurn();
    }
  };

  /** Quick tasks in a row: a run of them, not one, switches to claiming many; one slow task switches back. */
  let quickRun = 0;
  const adapt = (ms: number): void => {
    quickRun = ms < QUICK_MS ? quickRun + 1 : 0;
    const claim = quickRun >= QUICK_RUN ? FAST_CLAIM : 1;
    if (worker.concurrency !== claim) worker.concurrency = claim;
  };

  const worker: BullWorker = new Worker(settings.queue, processor, {
    connection: redis,
    concurrency: 1,
    name,
    lockDuration: settings.lockMs,
    stalledInterval: Math.max(500, Math.round(settings.lockMs / 2)),
    // Deaths are counted per job against the client's max_attempts (above), not by BullMQ's worker-wide limit.
    maxStalledCount: 1_000_000,
    removeOnComplete: { count: 0 },
    removeOnFail: { count: 0 },
  });
  worker.on('error', (e) => log(`queue error: ${e.message}`));
  // Each new run of work starts claiming one job at a time, whatever the last run's tasks were like.
  worker.on('drained', () => {
    quickRun = 0;
    worker.concurrency = 1;
  });
  let closing = false;
  void listen();
  await worker.waitUntilReady();
  process.send?.({ kind: 'ready', name });

  const stop = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    await worker.close();
    listener.disconnect();
    await pool.shutdown(false);
    await redis.quit().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.on('message', (msg) => {
    if ((msg as { kind?: string }).kind === 'stop') void stop();
  });
}

// No orphans: when the supervisor goes (even by SIGKILL), so does this process; the job it held runs elsewhere.
process.on('disconnect', () => process.exit(0));
process.once('message', (msg) => {
  run(msg as WorkerSettings).catch((e) => {
    log(`cannot start: ${(e as Error).message}`);
    process.exit(1);
  });
});
