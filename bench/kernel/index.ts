/**
 * `npm run bench:kernel`: start-up, per-cell round trip, latency drift and memory of our kernel against ipykernel
 * and tslab, measured in one run through the same Node client (nbval/client). A report, not a test: exits 0.
 * Targets (issue): start-up <= 0.6x ipykernel, round trip <= 1.0x ipykernel, RSS <= 150 MiB, last 20 cells <= 1.2x
 * the first 20. RSS is read right after the last cell (the target's column), and again 1 and 7 s later: a quiet
 * kernel of ours compacts its heap after 0.3 s and gives its young generation back after 6 s. CELLS=n changes the number of declaring cells (default 400);
 * KERNELS=tsfutures,python3 picks kernels; STARTS=n the number of extra starts of ours and ipykernel for the start-up
 * column (default 9, 0: only the one before the cells; tslab keeps that one).
 * Start-up is the median of those starts, alternating kernels: a single start moved 0.44x-0.73x between runs, as the
 * client's zeromq retries to connect 100-200 ms apart (libzmq's interval plus jitter) and one start catches whichever
 * retry follows the kernel's bind. Figures move with the machine's load: compare kernels within one run.
 * History of the figures: README (Figures) and the issue notes.
 */
import type { KernelSpec } from '../../nbval/client/kernelspecs';
import { IDLE_MS, measureKernel, type KernelFigures } from './measure';
import { installedSpec, ipykernelSpec, tslabSpec } from './spec';
import { median, percentile } from './stats';
import { startupSamples } from './startup';

interface Contender {
  spec: KernelSpec;
  declare: (i: number) => string;
}

function contenders(): Contender[] {
  const ts = (i: number) => `const x${i} = ${i};`;
  // As Jupyter starts it after `tsfutures install` (through the start-up snapshot when its blob is built).
  const list: Contender[] = [{ spec: installedSpec(), declare: ts }];
  const python = ipykernelSpec();
  if (python) list.push({ spec: python, declare: (i) => `x${i} = ${i}` });
  const tslab = tslabSpec();
  if (tslab) list.push({ spec: tslab, declare: ts });
  const only = process.env.KERNELS?.split(',');
  return only ? list.filter((c) => only.includes(c.spec.name)) : list;
}

const fmt = (x: number, digits = 1) => x.toFixed(digits);

function row(f: KernelFigures, base: KernelFigures | undefined): string[] {
  const ratio = (mine: number, theirs: number | undefined) => (theirs ? ` (${fmt(mine / theirs, 2)}x)` : '');
  const drift = median(f.declareMs.slice(-20)) / median(f.declareMs.slice(0, 20));
  return [
    f.name,
    `${fmt(f.startupMs, 0)} ms${ratio(f.startupMs, base?.startupMs)}`,
    `${fmt(median(f.declareMs), 2)} / ${fmt(percentile(f.declareMs, 0.95), 2)} ms${ratio(median(f.declareMs), base && median(base.declareMs))}`,
    `${fmt(median(f.exprMs), 2)} ms${ratio(median(f.exprMs), base && median(base.exprMs))}`,
    `${fmt(median(f.declareMs.slice(0, 20)), 2)} -> ${fmt(median(f.declareMs.slice(-20)), 2)} ms (${fmt(drift, 2)}x)`,
    `${fmt(f.rssKiB / 1024, 0)} MiB`,
    ...f.idleRssKiB.map((kib) => `${fmt(kib / 1024, 0)} MiB`),
  ];
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ')).join('\n');
}

/** A whole number from the environment, checked before minutes of measuring (`STARTS=abc` printed NaN). */
function countFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number >= ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

async function main(): Promise<void> {
  const cells = countFromEnv('CELLS', 400, 1);
  const starts = countFromEnv('STARTS', 9, 0);
  const figures: KernelFigures[] = [];
  const list = contenders();
  for (const { spec, declare } of list) {
    process.stderr.write(`bench:kernel: ${spec.name} (${cells} cells)...\n`);
    try {
      figures.push(await measureKernel(spec, declare, { cells, exprCells: 50 }));
    } catch (error) {
      process.stderr.write(`bench:kernel: ${spec.name} failed: ${(error as Error).message}\n`);
    }
  }
  if (starts > 0) {
    // Ours and ipykernel's: the target is a ratio to ipykernel, and tslab's ~1.6 s starts would add ~15 s.
    const rotation = list.map((c) => c.spec).filter((spec) => spec.name !== 'tslab');
    process.stderr.write(`bench:kernel: ${starts} more starts of ${rotation.map((k) => k.name).join(' and ')}, alternating...\n`);
    const { times } = await startupSamples(rotation, starts);
    for (const f of figures) f.startupMs = median([f.startupMs, ...(times.get(f.name) ?? [])]);
  }
  const base = figures.find((f) => f.name === 'python3');
  console.log(`Kernel bench: ${cells} cells declaring a new variable each, then 50 x "1+1"; start-up: median of ${starts + 1} starts (tslab: 1); ratios vs ipykernel (python3)`);
  console.log(table([
    ['kernel', 'start-up', 'declare median / p95', '1+1 median', 'first 20 -> last 20', 'RSS (tree)', ...IDLE_MS.map((ms) => `${ms / 1000} s later`)],
    ...figures.map((f) => row(f, base)),
  ]));
  console.log('Targets: start-up <= 0.6x, declare round trip <= 1.0x, RSS <= 150 MiB, last 20 / first 20 <= 1.2x');
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(0); // a report, not a test
  },
);
