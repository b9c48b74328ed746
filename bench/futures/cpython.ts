/** CPython's figures: bench/futures/py/bench.py run once by the Debian python3 (the one with a stock stdlib). */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../../kernel/install/package-root';

export interface CPythonFigures {
  thread_submit_all: number;
  thread_sequential: number;
  process_submit_all: number;
  process_map_chunked: number;
  sum_generator: number;
  sum_range: number;
}

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(PACKAGE_ROOT, 'bench', 'futures', 'py', 'bench.py');

/** Milliseconds per workload, or undefined (with the reason on stderr) when Python could not run it. */
export function runCPython(args: { threadN: number; seqN: number; procN: number; chunksize: number; reps: number; mapReps: number }): CPythonFigures | undefined {
  const argv = [SCRIPT, args.threadN, args.seqN, args.procN, args.chunksize, args.reps, args.mapReps].map(String);
  const r = spawnSync(PYTHON, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) {
    process.stderr.write(`bench:futures: ${PYTHON} bench.py failed (${r.error?.message ?? `exit ${r.status}`})\n`);
    return undefined;
  }
  return JSON.parse(r.stdout) as CPythonFigures;
}
