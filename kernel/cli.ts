/**
 * `tsfutures` command line. Kept free of heavy imports: `tsfutures kernel` is on the kernel's start-up path,
 * so every subcommand loads its module only when chosen.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Scope } from './install/kernelspec';
import { setTimeout } from 'node:timers';

const USAGE = `usage: tsfutures <command> [options]

commands:
  install   [--user | --sys-prefix | --prefix DIR] [--name NAME]   install the Jupyter kernelspec
  uninstall [--user | --sys-prefix | --prefix DIR] [--name NAME]   remove it
  kernel -f CONNECTION_FILE                                        run the kernel (what Jupyter starts)
  run NOTEBOOK ...                                                 execute a notebook (see tsfutures run --help)
  nbval NOTEBOOK ...                                               validate a notebook's outputs (see tsfutures nbval --help)
  worker [--url URL] [--queue NAME] [--processes N] [--key-file F] run DistributedExecutor tasks here (see tsfutures worker --help)
  --help                                                           this text

Without a flag, install goes to /usr/local/share/jupyter like \`jupyter kernelspec install\`;
--user to ~/.local/share/jupyter (or $JUPYTER_DATA_DIR), --sys-prefix to /usr/bin/python3's sys.prefix.
`;

class UsageError extends Error {}

/** After start-up, before the snapshot is built or checked. */
const MAINTAIN_DELAY_MS = 3000;
const STALE_MAINTAIN_DELAY_MS = 200;

/** node:util parseArgs, its errors (unknown option, missing value...) reported as usage errors. */
function parse<O extends ParseArgsConfig['options']>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false, tokens: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function parseSpecFlags(args: string[]): { scope: Scope; name?: string } {
  const { values, tokens } = parse(args, {
    user: { type: 'boolean' },
    'sys-prefix': { type: 'boolean' },
    prefix: { type: 'string' },
    name: { type: 'string' },
  });
  for (const flag of ['prefix', 'name'] as const) {
    if (values[flag] === '') throw new UsageError(`--${flag} needs a value`);
  }
  // The scopes in the order given, so the message names them as the user wrote them.
  const scopes = tokens.filter((t) => t.kind === 'option' && t.name !== 'name').map((t) => `--${(t as { name: string }).name}`);
  if (new Set(scopes).size > 1) throw new UsageError(`${scopes[0]} and ${scopes.find((s) => s !== scopes[0])} cannot be combined`);
  const scope: Scope =
    values.user ? { kind: 'user' } : values['sys-prefix'] ? { kind: 'sys-prefix' } : values.prefix !== undefined ? { kind: 'prefix', dir: values.prefix } : { kind: 'system' };
  return { scope, name: values.name };
}

function connectionFileArg(args: string[]): string {
  const { values } = parse(args, { 'connection-file': { type: 'string', short: 'f' } });
  // `-f=FILE` as well as `-f FILE`: parseArgs reads a short option's inline value without taking off the `=`.
  const file = args.some((a) => a.startsWith('-f=')) ? values['connection-file']?.replace(/^=/, '') : values['connection-file'];
  if (!file) throw new UsageError('kernel needs -f CONNECTION_FILE');
  return file;
}

/**
 * For `kernel -f FILE`: binds the sockets now, ahead of loading the rest of the kernel (session.ts prestartSession).
 * Resolves once bound; undefined for other commands or a bad command line or connection file, which main() then
 * reports.
 */
export function prestartKernel(argv: string[]): Promise<void> | undefined {
  if (argv[0] !== 'kernel') return undefined;
  // First: from here on SIGTERM shuts the kernel down cleanly (sigterm.ts: a module with no imports, quick to load),
  // and a SIGINT (Jupyter's interrupt) can no longer end the process (interrupt-gate.ts).
  (require('./process/sigterm') as typeof import('./process/sigterm')).holdSigterm();
  (require('./process/interrupt-gate') as typeof import('./process/interrupt-gate')).holdSigint();
  try {
    const { readConnectionFile } = require('./transport/connection') as typeof import('./transport/connection');
    const { prestartSession } = require('./protocol/session') as typeof import('./protocol/session');
    return prestartSession(readConnectionFile(connectionFileArg(argv.slice(1))));
  } catch {
    return undefined;
  }
}

/** Runs one command; resolves with the exit code (the kernel command never resolves: it exits on shutdown). */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      case 'install':
      case 'uninstall': {
        const { scope, name } = parseSpecFlags(rest);
        const spec = require('./install/kernelspec') as typeof import('./install/kernelspec');
        if (name !== undefined && !spec.validName(name)) throw new UsageError(`invalid kernel name ${JSON.stringify(name)} (letters, digits, . _ - only)`);
        if (command === 'install') {
          const dir = spec.install(scope, name);
          process.stdout.write(`Installed kernelspec ${name ?? spec.DEFAULT_NAME} in ${dir}\n`);
          return 0;
        }
        const dir = spec.uninstall(scope, name);
        if (!dir) {
          process.stderr.write(`No kernelspec ${name ?? spec.DEFAULT_NAME} in ${spec.kernelsDir(scope)}\n`);
          return 1;
        }
        process.stdout.write(`Removed ${dir}\n`);
        return 0;
      }
      case 'kernel': {
        if (process.env.TSFUTURES_TRACE_STARTUP) (require('./process/startup-trace') as typeof import('./process/startup-trace')).traceStartup(`command line (${process.env.TSFUTURES_SNAPSHOT_STATE ?? 'no'} snapshot)`);
        const file = connectionFileArg(rest);
        // Nothing to wait for here: zeromq binds in its own threads while the engine loads on this one.
        void prestartKernel(argv);
        const { startKernel } = require('./main') as typeof import('./main');
        await startKernel(file);
        // The start-up snapshot (snapshot/index.ts) for the next start: built or checked once this kernel is up,
        // not competing with its first cells; the module is not even loaded before.
        // Sooner when this process started from an outdated blob: short-lived kernels (tests) must rebuild it too.
        const delay = process.env.TSFUTURES_SNAPSHOT_STATE === 'stale' ? STALE_MAINTAIN_DELAY_MS : MAINTAIN_DELAY_MS;
        setTimeout(() => (require('./snapshot') as typeof import('./snapshot')).maintainSnapshot(), delay).unref();
        return new Promise<number>(() => undefined); // runs until shutdown exits the process
      }
      case 'run':
      case 'nbval': {
        const mod = require(command === 'run' ? '../nbval/run-cli.js' : '../nbval/nbval-cli.js') as { main(argv: string[]): Promise<number> };
        return await mod.main(rest);
      }
      case 'worker': {
        const { workerMain } = require('../runtime/distributed/worker-cli') as typeof import('../runtime/distributed/worker-cli');
        return await workerMain(rest);
      }
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`tsfutures: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`tsfutures: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
}
