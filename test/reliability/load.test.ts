/**
 * Load: many cells in a row (memory and latency of the first against the last ones), four clients executing on one
 * kernel at once (every reply to its own client, right parent), a process pool through many tasks (parent memory).
 * Fast sizes in `npm test`; RELIABILITY_SOAK=1 runs 10 000 cells and 100 000 tasks.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { KERNEL_JSON_ENV, ROOT, V8_FLAGS, content } from '../kernel/helpers/kernel-client';
import { AttachedClient, figure, median, rssKb, sharedRealKernel, size, SOAK } from './helpers';

type C = Record<string, any>;
const CELLS = size(500, 10000);
// The fast size compares 20 000 -> 40 000 tasks: the first ~20 000 still warm up (workers, JIT, IPC buffers: RSS
// 106 -> 117 MB from 10 000 to 20 000, then 118 -> 121 to 40 000).
const TASKS = size(40000, 100000);
const WINDOW = 100;

const kernel = sharedRealKernel();

test(`${CELLS} cells in a row: peak RSS growth <= 20 % after warm-up, latency of the last ${WINDOW} recorded`, async () => {
  await kernel.client.execute('let total = 0');
  const latencies: number[] = [];
  const rss: number[] = [];
  for (let i = 1; i <= CELLS; i++) {
    const t0 = performance.now();
    const { reply } = await kernel.client.execute(i % 2 ? `total += ${i}; total` : `const half${i} = (x: number) => x / 2; half${i}(${i})`);
    latencies.push(performance.now() - t0);
    expect(content(reply).status).toBe('ok');
    rss.push(rssKb(kernel.client.process.pid!));
  }
  // Peaks over windows of many cells, not single readings: between two full collections (every ~70-90 cells here)
  // the heap swings by ~20 MB of garbage, so one reading lands anywhere in that band (seen: 104-134 MB around cell
  // 100, 132-160 around cell 10 000 in the same run). A window spans several collections and catches their top.
  const span = Math.min(900, Math.floor((CELLS - WINDOW) / 2));
  const warm = Math.max(...rss.slice(WINDOW - 1, WINDOW - 1 + span));
  const end = Math.max(...rss.slice(-span));
  const growth = (end - warm) / warm;
  const first = median(latencies.slice(0, WINDOW));
  const last = median(latencies.slice(-WINDOW));
  figure('load', `peak RSS cells ${WINDOW}-${WINDOW + span - 1} -> last ${span}`, `${(warm / 1024).toFixed(0)} -> ${(end / 1024).toFixed(0)} MB (${(growth * 100).toFixed(1)} %)`, '<= 20 %', growth <= 0.2);
  // Reported next to it: the single readings, at cell WINDOW (often at the bottom of its band) and at the end.
  const at = rss[WINDOW - 1];
  figure('load', `RSS reading at cell ${WINDOW} -> at cell ${CELLS}`, `${(at / 1024).toFixed(0)} -> ${(rss[CELLS - 1] / 1024).toFixed(0)} MB (${((rss[CELLS - 1] / at - 1) * 100).toFixed(1)} %)`, 'reported');
  figure('load', `cell latency median first/last ${WINDOW}`, `${first.toFixed(1)} / ${last.toFixed(1)} ms`, 'no drift', last <= first * 2);
  expect(growth).toBeLessThanOrEqual(0.2);
  // Latency is a speed figure: asserted only in the soak run (report), never in the unit-test run.
  if (SOAK) expect(last).toBeLessThanOrEqual(first * 2);
}, 600000);

test('4 clients executing at once: every reply reaches its own client with its own parent header', async () => {
  const clients = Array.from({ length: 4 }, () => new AttachedClient(kernel.client.connection));
  try {
    await Promise.all(clients.map((c) => c.subscribed()));
    const PER = 25;
    const sent = clients.map((c, ci) => Array.from({ length: PER }, (_, j) => ({ id: c.send('execute_request', { code: `${ci * 1000 + j}`, silent: false, store_history: true }), value: String(ci * 1000 + j) })));
    const replies = await Promise.all(clients.map((c, ci) => Promise.all(sent[ci].map((s) => c.reply(s.id)))));
    await Promise.all(clients.map((c, ci) => Promise.all(sent[ci].map((s) => c.idle(s.id)))));
    let right = 0;
    clients.forEach((c, ci) => {
      const own = new Set(sent[ci].map((s) => s.id));
      // Only its own requests were answered on this client's socket, each with its own parent.
      expect([...c.replies.keys()].every((id) => own.has(id))).toBe(true);
      replies[ci].forEach((r, j) => {
        expect((r.parent_header as C).msg_id).toBe(sent[ci][j].id);
        expect((r.parent_header as C).session).toBe(c.session);
        expect(content(r).status).toBe('ok');
        // The result, broadcast on iopub, carries the same parent and the value that request computed.
        const result = c.iopub.find((m) => m.header.msg_type === 'execute_result' && (m.parent_header as C).msg_id === sent[ci][j].id);
        if (result && content(result).data['text/plain'] === sent[ci][j].value) right++;
      });
    });
    figure('load', '4 clients x 25 cells: replies to the right client', `${right}/${4 * PER}`, `${4 * PER}/${4 * PER}`, right === 4 * PER);
    expect(right).toBe(4 * PER);
  } finally {
    clients.forEach((c) => c.close());
  }
}, 120000);

test(`a ProcessPoolExecutor through ${TASKS} tasks: no growth of the parent's JS heap or RSS over the second half`, () => {
  const script = path.join(ROOT, 'dist', 'test', 'reliability', 'pool-soak.js');
  // Under the kernel's V8 flags and kernel.json's env (malloc settings), as in the kernel, where a notebook's pool runs.
  const args = [...V8_FLAGS, '--expose-gc', script, String(TASKS)];
  const out = JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', timeout: 300000, env: { ...process.env, ...KERNEL_JSON_ENV } }));
  expect(out.total).toBe(TASKS);
  const heap = (out.last.heapUsed - out.first.heapUsed) / out.first.heapUsed;
  const rss = (out.last.rss - out.first.rss) / out.first.rss;
  const mb = (b: number) => (b / 1048576).toFixed(0);
  figure('load', `pool ${TASKS} tasks: parent heap half-way -> end`, `${mb(out.first.heapUsed)} -> ${mb(out.last.heapUsed)} MB (${(heap * 100).toFixed(1)} %)`, '<= 20 %', heap <= 0.2);
  // With a full collection every 10 000 tasks (pool-soak.ts: else RSS follows V8's high-water mark, not what is kept).
  figure('load', `pool ${TASKS} tasks: parent RSS (committed heap) half-way -> end`, `${mb(out.first.rss)} (${mb(out.first.heapTotal)}) -> ${mb(out.last.rss)} (${mb(out.last.heapTotal)}) MB (${(rss * 100).toFixed(1)} %)`, '<= 10 %', rss <= 0.1);
  expect(heap).toBeLessThanOrEqual(0.2);
  expect(rss).toBeLessThanOrEqual(0.1);
}, 600000);
