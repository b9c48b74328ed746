/**
 * Pool start-up, from a pool's construction to its first result, for ProcessPoolExecutor(2) against CPython's three
 * start methods (mp_context: fork, forkserver, spawn) and for InterpreterPoolExecutor(2) against piscina. Each round
 * starts one fresh process per contender (ours in node, CPython's in /usr/bin/python3), which starts POOLS pools
 * GAP_MS apart; the contenders take turns within a round, in a rotating order, so load on the machine hits all of them.
 * Two figures per contender: the first pool of a process (a forkserver starts then; ours has no spare worker yet)
 * and the pools after it (CPython's forkserver is running; ours find a spare worker: runtime/futures/spare-worker.ts).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../../kernel/install/package-root';
import { median } from '../kernel/stats';

const PYTHON = '/usr/bin/python3';
const POOLS = 4;
/**
 * Between pools in one process: a notebook's pools are cells apart, not back to back. Time for a spare worker to
 * boot (~50 ms on a quiet machine, several hundred at a load of 10 on 2 cores). START_GAP_MS=n changes it.
 */
export const GAP_MS = Number(process.env.START_GAP_MS) || 250;

export interface StartupFigures {
  /** Median over rounds of each process's first pool. */
  first: number;
  /** Median of every later pool in every round. */
  next: number;
}

const CONTENDERS = {
  process: () => [process.execPath, path.join(__dirname, 'startup-child.js'), 'process'],
  interpreter: () => [process.execPath, path.join(__dirname, 'startup-child.js'), 'interpreter'],
  piscina: () => [process.execPath, path.join(__dirname, 'startup-child.js'), 'piscina'],
  fork: () => [PYTHON, path.join(PACKAGE_ROOT, 'bench', 'futures', 'py', 'startup.py'), 'fork'],
  forkserver: () => [PYTHON, path.join(PACKAGE_ROOT, 'bench', 'futures', 'py', 'startup.py'), 'forkserver'],
  spawn: () => [PYTHON, path.join(PACKAGE_ROOT, 'bench', 'futures', 'py', 'startup.py'), 'spawn'],
};
export type Contender = keyof typeof CONTENDERS;

function runOnce(who: Contender): number[] | undefined {
  const [cmd, ...args] = CONTENDERS[who]();
  const r = spawnSync(cmd!, [...args, String(POOLS), String(GAP_MS)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 120_000 });
  if (r.status !== 0) {
    process.stderr.write(`bench:futures: start-up of ${who} failed (${r.error?.message ?? `exit ${r.status}`})\n`);
    return undefined;
  }
  return JSON.parse(r.stdout) as number[];
}

export function measureStartup(rounds: number): Partial<Record<Contender, StartupFigures>> {
  const names = Object.keys(CONTENDERS) as Contender[];
  const firsts = new Map<Contender, number[]>(names.map((n) => [n, []]));
  const nexts = new Map<Contender, number[]>(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < names.length; i++) {
      const who = names[(i + r) % names.length]!;
      const times = runOnce(who);
      if (!times) continue;
      firsts.get(who)!.push(times[0]!);
      nexts.get(who)!.push(...times.slice(1));
    }
  }
  const out: Partial<Record<Contender, StartupFigures>> = {};
  for (const n of names) {
    if (firsts.get(n)!.length) out[n] = { first: median(firsts.get(n)!), next: median(nexts.get(n)!) };
  }
  return out;
}
