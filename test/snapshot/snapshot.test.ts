/**
 * The kernel started the way `tsfutures install` writes it (kernelspec.ts: bin/tsfutures-kernel.sh, which execs
 * node from the start-up snapshot when its blob is usable): no blob yet -> the ordinary start, which builds the
 * blob; then the start from the blob (same answers, interrupts reach it); a blob built from other files -> an
 * ordinary start inside the snapshot process and a rebuild; a corrupt blob -> one failed start, then ordinary
 * starts and a rebuilt blob. XDG_CACHE_HOME points at a scratch directory: the user's cache is untouched.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KernelManager } from '../../nbval/client/manager';
import { builtinTsfuturesSpec, type KernelSpec } from '../../nbval/client/kernelspecs';

const cache = mkdtempSync(path.join(os.tmpdir(), 'tsfutures-snapshot-'));
process.env.XDG_CACHE_HOME = cache; // read by kernelspec.ts/snapshot (blob path) in this process too
delete process.env.TSFUTURES_SNAPSHOT;
delete process.env.NODE_OPTIONS;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { kernelJson } = require('../../dist/kernel/install/kernelspec.js') as typeof import('../../kernel/install/kernelspec');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { blobBase, blobPath, kernelV8Flags } = require('../../dist/kernel/snapshot/index.js') as typeof import('../../kernel/snapshot');
const spec: KernelSpec = { ...builtinTsfuturesSpec(), argv: kernelJson().argv };
// kernel.json names the blob without the V8 flags; the launcher appends them (the file it starts from).
const blob = blobPath();

test('kernel.json names the blob base; the launcher and the builder add the same V8 flags', () => {
  expect(spec.argv[3]).toBe(blobBase());
  const flags = /^v8_flags='([^']*)'$/m.exec(readFileSync(spec.argv[1], 'utf8'))![1];
  expect(blob).toBe(`${blobBase().replace(/\.blob$/, '')}${flags}.blob`);
  expect(kernelV8Flags().join(' ')).toBe(flags);
});
const env = { ...process.env, XDG_CACHE_HOME: cache };

afterAll(() => rmSync(cache, { recursive: true, force: true }));

const sizeOf = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

async function until(what: string, ok: () => boolean, ms = 90_000): Promise<void> {
  for (let waited = 0; !ok(); waited += 100) {
    if (waited > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A kernel from the kernelspec argv; `body` gets the client, the manager and a one-result evaluator. */
async function withKernel(body: (run: (code: string) => Promise<string>, m: KernelManager) => Promise<void>): Promise<void> {
  const m = new KernelManager(spec, { startTimeout: 60, env });
  const client = await m.start();
  const run = async (code: string) => {
    const { reply, outputs } = await client.execute(code);
    if (reply.status === 'error') return `${reply.ename}: ${reply.evalue}`;
    if (reply.status !== 'ok') return reply.status;
    const out = outputs.find((o) => o.output_type === 'execute_result') as { data: Record<string, string> } | undefined;
    return out?.data['text/plain'] ?? '';
  };
  try {
    await body(run, m);
  } finally {
    await m.shutdown();
  }
}

const state = "process.env.TSFUTURES_SNAPSHOT_STATE ?? 'none'";

test('kernel.json starts the launcher with this node and a stable blob path in the cache', () => {
  expect(spec.argv.slice(0, 3)).toEqual(['/bin/sh', path.resolve(__dirname, '..', '..', 'bin', 'tsfutures-kernel.sh'), process.execPath]);
  expect(path.dirname(blob)).toBe(path.join(cache, 'tsfutures'));
  expect(spec.argv.slice(4)).toEqual(['-f', '{connection_file}']);
});

test('no blob: the ordinary start, which builds the blob; the next start runs from it with the same answers', async () => {
  await withKernel(async (run) => {
    expect(await run(state)).toBe("'none'");
    expect(await run('1 + 1')).toBe('2');
    // Built in the background a few seconds after start-up (cli.ts), by a detached process.
    await until('the blob', () => sizeOf(blob) > 1e6);
  });

  await withKernel(async (run, m) => {
    expect(await run(state)).toBe("'fresh'");
    // Padded past glibc's largest mmap threshold (index.ts BLOB_MIN_BYTES), node's read buffer of the blob was mapped
    // and returned: glibc's heap holds the copy node keeps (~15 MB) and the kernel's own blocks, ~18-26 MiB, not a
    // hole of the blob's size besides (~35 MiB unpadded under kernel.json's 32 MB threshold).
    expect(statSync(blob).size).toBeGreaterThan(32 * 2 ** 20);
    const heap = "Number(/\\[heap\\]\\n(?:.*\\n)*?Rss: +(\\d+) kB/.exec(require('node:fs').readFileSync('/proc/self/smaps', 'utf8'))![1]) * 1024";
    expect(Number(await run(heap))).toBeLessThan(28 * 2 ** 20);
    expect(await run('const kept: number[] = [1, 2, 3];\nkept.reduce((a, b) => a + b)')).toBe('6');
    expect(await run('const s: string = 1;')).toMatch(/^TSError/);
    expect(await run('const ex = new ThreadPoolExecutor(2);\nawait ex.submit((x: number) => x * 2, 21).result()')).toBe('42');
    // Worker threads deserialise the blob too (~19 MB): a small heap limit (the timeline ticker's 8 MB) aborted the kernel.
    const worker = `import { Worker } from 'node:worker_threads';
const w = new Worker('require("node:worker_threads").parentPort.postMessage(6 * 7)', { eval: true, resourceLimits: { maxOldGenerationSizeMb: 8 } });
await new Promise((resolve) => w.once('message', resolve))`;
    expect(await run(worker)).toBe('42');
    // exec kept the pid Jupyter knows: the signal reaches node, which interrupts the awaiting cell.
    const waiting = m.client!.execute('await new Promise(() => {});');
    await new Promise((r) => setTimeout(r, 500));
    await m.interrupt();
    expect((await waiting).reply).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });
    expect(await run('kept.length')).toBe('3');
  });
}, 180_000);

test('a blob built from other files: an ordinary start inside the snapshot process, and a rebuild', async () => {
  // The same build as buildSnapshot's, baked with a key no files have.
  const entry = `${blob}.test-entry.js`;
  writeFileSync(entry, `var exports = {};${readFileSync(path.resolve(__dirname, '..', '..', 'dist', 'kernel', 'snapshot', 'build-entry.js'), 'utf8')}`);
  const partial = `${blob}.test`;
  const r = spawnSync(process.execPath, [...kernelV8Flags(), '--snapshot-blob', partial, '--build-snapshot', entry], {
    env: { ...env, TSFUTURES_SNAPSHOT_ROOT: path.resolve(__dirname, '..', '..'), TSFUTURES_SNAPSHOT_KEY: 'other files' },
  });
  expect(r.status).toBe(0);
  rmSync(entry);
  renameSync(partial, blob);
  const built = statSync(blob).mtimeMs;
  await withKernel(async (run) => {
    expect(await run(state)).toBe("'stale'");
    expect(await run('const n: number = 40;\nn + 2')).toBe('42');
    await until('the rebuilt blob', () => sizeOf(blob) > 1e6 && statSync(blob).mtimeMs > built && !sizeOf(`${blob}.building`));
  });
  await withKernel(async (run) => expect(await run(state)).toBe("'fresh'"));
}, 180_000);

test('a corrupt blob: that start fails, the next ones start the ordinary way, and the blob is rebuilt', async () => {
  writeFileSync(blob, 'not a snapshot');
  // node aborts before our code runs: nothing can fall back inside this start.
  await expect(withKernel(async () => undefined)).rejects.toThrow(/during start-up|died/);
  await withKernel(async (run) => {
    // The launcher saw the marker the dead start left, and the kernel probes the blob, deletes it and rebuilds it.
    expect(await run(state)).toBe("'none'");
    await until('the rebuilt blob', () => sizeOf(blob) > 1e6 && !sizeOf(`${blob}.building`));
  });
  await withKernel(async (run) => expect(await run(state)).toBe("'fresh'"));
}, 180_000);
