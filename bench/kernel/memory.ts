/**
 * `npm run build && node dist/bench/kernel/memory.js`: where our kernel's resident memory goes after the RSS row's
 * workload of `npm run bench:kernel` (CELLS declaring cells, default 400, then 50 x `1+1`). Prints the process
 * tree's RSS, the kernel's mappings by what backs them (/proc/PID/smaps: node's binary and other files, glibc's
 * [heap], anonymous mappings by size: V8 allocates its heaps in 256 KB pages, large objects and malloc's big blocks
 * get mappings of their own) and the main isolate's V8 heap spaces, read by one more cell. A report, not a test.
 * The breakdown and what was tried: docs/performance.md, "Kernel memory: where it goes".
 */
import { readFileSync } from 'node:fs';
import { KernelManager } from '../../nbval/client/manager';
import { installedSpec } from './spec';
import { treeRssKiB } from './rss';

const MiB = 1024;

/** Resident KiB of the kernel's mappings, grouped by what backs them. */
function mappings(pid: number): Map<string, number> {
  const groups = new Map<string, number>();
  let group = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const kib = (parseInt(head[2], 16) - parseInt(head[1], 16)) / 1024;
      const size = kib <= 256 ? '<= 256 KiB (V8 pages, small blocks)' : kib < 2048 ? '256 KiB - 2 MiB' : '>= 2 MiB (large objects, big blocks)';
      group = head[4] || `anonymous ${head[3].includes('x') ? 'executable (V8 code)' : size}`;
      continue;
    }
    const rss = /^Rss:\s+(\d+)/.exec(line);
    if (rss) groups.set(group, (groups.get(group) ?? 0) + Number(rss[1]));
  }
  return groups;
}

/** The cell that reports the main isolate's heap: `require` through a variable, so the cell stays on the lite Node types. */
const HEAP_CELL = `const load: (id: string) => any = require;
const v8 = load('node:' + 'v8');
console.log(JSON.stringify(v8.getHeapSpaceStatistics().map((s: any) => [s.space_name, s.physical_space_size, s.space_used_size])));`;

async function main(): Promise<void> {
  const cells = Number(process.env.CELLS ?? 400);
  const manager = new KernelManager(installedSpec(), { startTimeout: 120 });
  const client = await manager.start();
  try {
    for (let i = 0; i < cells; i++) await client.execute(`const x${i} = ${i};`);
    for (let i = 0; i < 50; i++) await client.execute('1+1');
    const pid = manager.pid!;
    console.log(`RSS of the process tree after ${cells} declaring cells and 50 x 1+1: ${(treeRssKiB(pid) / MiB).toFixed(1)} MiB`);
    const groups = [...mappings(pid)].sort((a, b) => b[1] - a[1]).filter(([, kib]) => kib >= 256);
    for (const [name, kib] of groups) console.log(`  ${(kib / MiB).toFixed(1).padStart(6)} MiB  ${name}`);
    const { outputs } = await client.execute(HEAP_CELL);
    const stream = outputs.find((o) => o.output_type === 'stream') as { text?: string | string[] } | undefined;
    const spaces = JSON.parse([stream?.text ?? '[]'].flat().join('')) as Array<[string, number, number]>;
    const total = spaces.reduce((sum, [, physical]) => sum + physical, 0);
    console.log(`main isolate's V8 heap (after one more cell): ${(total / 2 ** 20).toFixed(1)} MiB resident`);
    for (const [name, physical, used] of spaces.filter(([, physical]) => physical > 0)) {
      console.log(`  ${(physical / 2 ** 20).toFixed(1).padStart(6)} MiB  ${name} (${(used / 2 ** 20).toFixed(1)} used)`);
    }
  } finally {
    await manager.shutdown();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
