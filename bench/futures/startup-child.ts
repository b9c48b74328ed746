/**
 * Our side of bench:futures' start-up rows, run in a fresh node process per round (as startup.py is for CPython):
 * POOLS fresh pools of one kind, each timed from construction to its first result, GAP_MS apart. Prints a JSON list
 * of milliseconds. Usage: node startup-child.js process|interpreter|piscina POOLS GAP_MS
 */
import * as path from 'node:path';
import { Piscina } from 'piscina';
import { InterpreterPoolExecutor } from '../../runtime/futures/interpreter';
import { ProcessPoolExecutor } from '../../runtime/futures/process';
import { shipFunction } from '../../runtime/futures/shipping';
import { tiny } from './tasks';
import { check } from './timing';

type Pool = { first(): Promise<number>; close(): Promise<unknown> };

const WORKERS = 2;

const kinds: Record<string, () => Pool> = {
  process: () => {
    const ex = new ProcessPoolExecutor({ max_workers: WORKERS });
    return { first: () => ex.submit(tiny, 0).result(), close: () => ex.shutdown() };
  },
  interpreter: () => {
    const ex = new InterpreterPoolExecutor({ max_workers: WORKERS });
    return { first: () => ex.submit(tiny, 0).result(), close: () => ex.shutdown() };
  },
  // piscina starts its minThreads up front, as in the per-task rows.
  piscina: () => {
    const pool = new Piscina<number, number>({ filename: path.join(__dirname, 'piscina-worker.js'), minThreads: WORKERS, maxThreads: WORKERS });
    return { first: () => pool.run(0), close: () => pool.destroy() };
  },
};

async function main(): Promise<void> {
  const [kind = '', pools = '3', gapMs = '250'] = process.argv.slice(2);
  const make = kinds[kind];
  if (!make) throw new Error(`startup-child: unknown pool kind '${kind}'`);
  // Shipping's first use loads the TypeScript compiler (free-names.ts), which a kernel has loaded long before its
  // first pool: loaded here by shipping another function, so the rows time the pools, not the compiler's loading.
  shipFunction(function warmUp(x: number) { return 2 * x; });
  const out: number[] = [];
  for (let i = 0; i < Number(pools); i++) {
    const t0 = performance.now();
    const pool = make();
    check(await pool.first(), 1, `${kind} first result`);
    out.push(performance.now() - t0);
    await pool.close();
    await new Promise((resolve) => setTimeout(resolve, Number(gapMs)));
  }
  console.log(JSON.stringify(out));
}

main().then(() => process.exit(0), (error) => {
  console.error(error);
  process.exit(1);
});
