/**
 * Run as its own process (node --expose-gc dist/test/reliability/pool-soak.js N): pushes N tasks through a
 * ProcessPoolExecutor in waves of 1000 and prints the parent's memory half-way and at the end, as JSON. A separate
 * process, so that jest's own heap does not blur the parent's figures.
 *
 * A full collection every 10 000 tasks: without it V8's committed heap (and so RSS) climbs to a high-water mark
 * between its own collections that a last gc() does not give back (RSS half-way -> end 160 -> 173 MB, heapTotal
 * 49 -> 56, heapUsed flat, 2026-11-26), which hides what the test is after: memory the pool keeps. With it, RSS is
 * what is live, JS and native (IPC buffers, handles): 127.8 -> 129.5 and 127.3 -> 128.7 MB (+1.1-1.3 %).
 */
import { ProcessPoolExecutor } from '../../runtime/futures';

function square(x: number): number {
  return x * x;
}

async function main(total: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  // A fixed number of futures in flight: peak memory then depends on the wave, growth only on leaks.
  const wave = 1000;
  const pool = new ProcessPoolExecutor({ max_workers: 2 });
  const sample = () => {
    gc();
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external };
  };
  let first = sample();
  let sum = 0;
  for (let done = 0; done < total; done += wave) {
    const fs = [];
    for (let i = done; i < Math.min(total, done + wave); i++) fs.push(pool.submit(square, i));
    for (const f of fs) sum += (await f.result()) as number;
    // Sampled half-way: the early waves start the workers and warm the JIT up (a few MB that do not come back);
    // a leak shows as growth over the second half, as large as over the first.
    if (done + wave === Math.ceil(total / 2 / wave) * wave) first = sample();
    else if ((done + wave) % (10 * wave) === 0) gc();
  }
  const last = sample();
  await pool.shutdown();
  process.stdout.write(JSON.stringify({ total, sum, first, last }) + '\n');
}

void main(Number(process.argv[2] ?? 10000));
