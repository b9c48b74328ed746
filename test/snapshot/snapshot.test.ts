/**
 * The kernel started from a V8 start-up snapshot (kernel/snapshot): the first start builds the blob in the
 * background, the next runs from it (same cells, same answers, interrupts still reach it), a corrupt blob falls back
 * to the in-process start and is deleted. XDG_CACHE_HOME points at a scratch directory: the user's cache is untouched.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KernelClient, content, result } from '../kernel/helpers/kernel-client';

type C = Record<string, any>;

const cache = mkdtempSync(path.join(os.tmpdir(), 'tsfutures-snapshot-'));
const env = { TSFUTURES_SNAPSHOT: '1', XDG_CACHE_HOME: cache };
const blobs = () => {
  try {
    return readdirSync(path.join(cache, 'tsfutures')).filter((f) => f.endsWith('.blob'));
  } catch {
    return [];
  }
};

async function fromSnapshot(k: KernelClient): Promise<string> {
  return result((await k.execute('process.execArgv.includes("--snapshot-blob")')).iopub);
}

afterAll(() => rmSync(cache, { recursive: true, force: true }));

test('first start builds the blob; the next start runs from it with the same answers', async () => {
  const first = await KernelClient.start({ engine: 'real', env });
  try {
    expect(await fromSnapshot(first)).toBe('False');
  } finally {
    await first.close();
  }
  // Built in the background by a detached process (kernel/snapshot/index.ts), which outlives the kernel.
  for (let waited = 0; !blobs().length && waited < 60_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
  expect(blobs()).toHaveLength(1);

  const k = await KernelClient.start({ engine: 'real', env });
  try {
    expect(await fromSnapshot(k)).toBe('True');
    const typed = await k.execute('const kept: number[] = [1, 2, 3];\nkept.reduce((a, b) => a + b)');
    expect(result(typed.iopub)).toBe('6');
    expect(content((await k.execute('const s: string = 1;')).reply)).toMatchObject({ status: 'error', ename: 'TSError' });
    const pool = await k.execute('const ex = new ThreadPoolExecutor(2);\nconst f = ex.submit((x: number) => x * 2, 21);\nawait f.result()');
    expect(result(pool.iopub)).toBe('42');
    // SIGINT to the pid the client started (the launcher) reaches the kernel once: the awaiting cell ends, the next runs.
    const wait = k.send('shell', 'execute_request', { code: 'console.log("waiting");\nawait new Promise(() => {});', silent: false });
    await k.waitFor(() => (k.iopubLog.some((m) => m.header.msg_type === 'stream' && (m.parent_header as C).msg_id === wait) ? true : undefined), 'waiting');
    // Some time into the await: a SIGINT that lands as the synchronous part ends can be lost in the kernel (seen
    // 1 in ~5 here, also possible without the snapshot); that race is not what this test is about.
    await new Promise((r) => setTimeout(r, 300));
    k.process.kill('SIGINT');
    expect(content(await k.reply(wait))).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });
    expect(result((await k.execute('kept.length')).iopub)).toBe('3');
  } finally {
    await k.close();
  }
}, 120_000);

test('a corrupt blob: the kernel starts the ordinary way and the blob is deleted', async () => {
  const [blob] = blobs();
  expect(blob).toBeDefined();
  writeFileSync(path.join(cache, 'tsfutures', blob), 'not a snapshot');
  const k = await KernelClient.start({ engine: 'real', env });
  try {
    expect(await fromSnapshot(k)).toBe('False');
    expect(result((await k.execute('1 + 1')).iopub)).toBe('2');
  } finally {
    await k.close();
  }
  expect(blobs()).not.toContain(blob);
}, 120_000);
