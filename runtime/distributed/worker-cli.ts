/**
 * `tsfutures worker`: runs tasks of DistributedExecutor clients on this machine, from a Redis queue.
 * Refuses to start without the cluster key (the queue carries code); never prints the key.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_QUEUE, DEFAULT_URL, MissingKeyError, readClusterKey, redactUrl } from './protocol';
import { startSupervisor } from './supervisor';

export const WORKER_USAGE = `usage: tsfutures worker [--url URL] [--queue NAME] [--processes N] [--key-file FILE] [--lock-duration SECONDS]
                       [--tls-ca-file FILE] [--cwd DIR]

Runs the tasks DistributedExecutor clients put on a Redis queue, one task at a time per process.

  --url URL              Redis to take jobs from (default $TSFUTURES_REDIS_URL or ${DEFAULT_URL});
                         credentials and TLS through the URL: redis://user:pass@host:6379, rediss://host
  --queue NAME           queue name, the same as the clients' (default ${DEFAULT_QUEUE})
  --processes N          worker processes on this machine (default: the number of cores)
  --key-file FILE        file holding the cluster key (default: $TSFUTURES_CLUSTER_KEY); required:
                         only jobs signed with this key are run
  --lock-duration SECONDS  how long before the task of a worker that died runs on another one (default 30)
  --cwd DIR              working folder of the tasks (default: this one); the modules clients' functions
                         come from are resolved there first, then in this package's install
  --tls-ca-file FILE     with rediss://: the CA (PEM) that signed the server's certificate, if not a public one
`;

export async function workerMain(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        queue: { type: 'string' },
        processes: { type: 'string' },
        'key-file': { type: 'string' },
        'lock-duration': { type: 'string' },
        'tls-ca-file': { type: 'string' },
        cwd: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    process.stderr.write(`tsfutures worker: ${(e as Error).message}\n\n${WORKER_USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(WORKER_USAGE);
    return 0;
  }
  const fail = (message: string): number => {
    process.stderr.write(`tsfutures worker: ${message}\n`);
    return 2;
  };
  const processes = values.processes === undefined ? os.availableParallelism() : Number(values.processes);
  if (!Number.isInteger(processes) || processes < 1) return fail(`--processes must be a whole number >= 1, not ${values.processes}`);
  const lockSeconds = values['lock-duration'] === undefined ? 30 : Number(values['lock-duration']);
  if (!(lockSeconds >= 1)) return fail(`--lock-duration must be a number of seconds >= 1, not ${values['lock-duration']}`);
  const url = values.url ?? process.env.TSFUTURES_REDIS_URL ?? DEFAULT_URL;
  if (!/^rediss?:\/\//.test(url)) return fail(`--url must be a redis:// or rediss:// URL, not ${redactUrl(url)}`);
  const queue = values.queue ?? DEFAULT_QUEUE;
  let key: Buffer;
  try {
    key = readClusterKey(values['key-file']);
  } catch (e) {
    if (e instanceof MissingKeyError) return fail(`refusing to start: ${e.message}`);
    throw e;
  }

  let tlsCa: string | undefined;
  const caFile = values['tls-ca-file'];
  if (caFile !== undefined) {
    try {
      tlsCa = fs.readFileSync(caFile, 'utf8');
    } catch (e) {
      return fail(`cannot read --tls-ca-file ${caFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }

  const cwd = path.resolve(values.cwd ?? '.');
  if (!fs.statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) return fail(`--cwd ${values.cwd} is not a folder`);

  const supervisor = startSupervisor({ url, queue, processes, key, lockMs: lockSeconds * 1000, tlsCa, cwd });
  void supervisor.ready.then(() => process.stderr.write(
    `tsfutures worker: ${processes} process${processes === 1 ? '' : 'es'} (pids ${supervisor.pids().join(' ')}) ` +
    `taking tasks from queue '${queue}' at ${redactUrl(url)}\n`));
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await supervisor.stop();
  return 0;
}
