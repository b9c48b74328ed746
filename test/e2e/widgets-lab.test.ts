/**
 * Widgets in JupyterLab 3.6.8 with the ipywidgets 8 manager (test/lab's build, Debian's Chromium): progress() over
 * the lecture's 8 tasks is a widget bar that reaches 8/8; Cancel, clicked while the cell awaits, cancels the pending
 * futures and the kernel goes idle; show_executor's counts move. Saves docs/widgets.png.
 */
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { codeCells, currentKernel, menu, openNotebook, saveNotebook, startLab, waitUntilExecuted, type Lab } from './lab-ui';
import { kernelProcesses, REPO } from './servers';

const CELLS = [
  // 0: the frontend's widget manager has made itself known (it opens jupyter.widget.control on connecting)
  'print(widgets.frontend_has_widgets());',
  // 1: the lecture's progress cell: 8 tasks on a process pool
  [
    'const WORK_LIST = [1e7, 1e7, 1e7, 1e7, 1e7, 1e7, 1e7, 1e7];',
    'function sum_generate(n: number): number { let s = 0; for (let i = 1; i <= n; i++) s += i; return s; }',
    '{',
    '    await using executor = new ProcessPoolExecutor({ max_workers: 2 });',
    '    const futures_list = WORK_LIST.map((work) => executor.submit(sum_generate, work));',
    "    for await (const future of progress(as_completed(futures_list), { total: len(futures_list), desc: 'sum_generate' })) await future.result();",
    '}',
  ].join('\n'),
  // 2: Cancel while pending
  [
    'const slow = new ThreadPoolExecutor(1);',
    'const slow_fs = [0, 1, 2, 3, 4, 5].map((i) => slow.submit(async (x: number) => { await new Promise((r) => setTimeout(r, 1500)); return x; }, i));',
    'let cancelled = 0;',
    "for await (const f of progress(slow_fs, { desc: 'slow' })) if (f.cancelled()) cancelled++;",
    'print(`cancelled ${cancelled}`);',
  ].join('\n'),
  // 3: the dashboard
  [
    'const pool = new ThreadPoolExecutor(2);',
    'show_executor(pool);',
    'const pool_fs = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => pool.submit(async function step(x: number) { await new Promise((r) => setTimeout(r, 700)); return x; }, i));',
    'await pool.shutdown();',
  ].join('\n'),
];

function screenshotPath(): string {
  const docs = path.join(REPO, 'docs', 'widgets.png');
  const update = (expect.getState().snapshotState as unknown as { _updateSnapshot?: string })?._updateSnapshot === 'all';
  if (update || process.env.UPDATE_SCREENSHOT === '1' || !existsSync(docs)) return docs;
  return path.join(tmpdir(), `tsfutures-widgets-${process.pid}.png`);
}

async function runCell(page: Page, index: number): Promise<void> {
  await codeCells(page).nth(index).locator('.CodeMirror').click();
  await page.keyboard.press('Shift+Enter');
}

const outputOf = (page: Page, index: number) => codeCells(page).nth(index).locator('.jp-OutputArea');

let lab: Lab;
let page: Page;

beforeAll(async () => {
  lab = await startLab();
  const cells = CELLS.map((source, i) => ({ cell_type: 'code', id: `w${i}`, metadata: {}, execution_count: null, outputs: [], source }));
  const nb = { nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'tsfutures', display_name: 'TypeScript (futures)', language: 'typescript' } }, cells };
  page = await openNotebook(lab, saveNotebook(lab, 'notebooks/widgets.ipynb', nb));
  // The manager asks the kernel for its widgets once connected; wait until the kernel has heard it.
  for (let i = 0; i < 20; i++) {
    await runCell(page, 0);
    await waitUntilExecuted(page, 60_000, [0]);
    if ((await outputOf(page, 0).innerText()).trim() === 'True') break;
    await page.waitForTimeout(500);
  }
}, 180_000);

afterAll(async () => {
  await lab?.stop();
}, 60_000);

test('the frontend counts as a widget frontend', async () => {
  expect((await outputOf(page, 0).innerText()).trim()).toBe('True');
});

test('progress over the 8 lecture tasks renders a widget bar that reaches 8/8', async () => {
  await runCell(page, 1);
  const bar = outputOf(page, 1).locator('.jupyter-widgets.widget-hprogress');
  await bar.waitFor({ timeout: 60_000 });
  await waitUntilExecuted(page, 120_000, [1]);
  await page.waitForFunction(() => true); // let the last update render
  await outputOf(page, 1).locator('.widget-html', { hasText: '8/8' }).waitFor({ timeout: 10_000 });
  const text = await outputOf(page, 1).innerText();
  expect(text).toMatch(/sum_generate: 100%/);
  expect(text).toMatch(/8\/8 \[\d\d:\d\d<00:00, +[\d.]+(it\/s|s\/it)\]/);
  const fill = await bar.locator('.progress-bar').evaluate((b) => (b as unknown as { style: { width: string } }).style.width);
  expect(fill).toBe('100%');
  // One output, updated in place: no text meter beside the widget.
  expect(await outputOf(page, 1).locator('.jp-OutputArea-child').count()).toBe(1);
}, 150_000);

test('Cancel, clicked while tasks are pending, cancels them; the bar says how many; the kernel ends idle', async () => {
  await runCell(page, 2);
  const cancel = outputOf(page, 2).locator('button', { hasText: 'Cancel' });
  await cancel.waitFor({ timeout: 60_000 });
  await page.waitForTimeout(500); // the first task is running, the others wait
  expect((await currentKernel(page))?.status).toBe('busy');
  await cancel.click();
  await waitUntilExecuted(page, 30_000, [2]);
  expect((await currentKernel(page))?.status).toBe('idle');
  const text = await outputOf(page, 2).innerText();
  const cancelled = Number(/cancelled (\d+)/.exec(text)?.[1]);
  expect(cancelled).toBeGreaterThanOrEqual(4);
  expect(text).toContain(`(${cancelled} cancelled)`);
  expect(text).toContain('6/6');
}, 90_000);

test('show_executor: the counts move while the pool works, and end at 8 finished', async () => {
  await runCell(page, 3);
  const view = outputOf(page, 3);
  await view.locator('.widget-html', { hasText: 'ThreadPoolExecutor' }).waitFor({ timeout: 60_000 });
  const seen = new Set<number>();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const m = /(\d+)\s*finished/.exec(await view.innerText());
    if (m) seen.add(Number(m[1]));
    if (seen.has(8)) break;
    await page.waitForTimeout(150);
  }
  expect(seen.has(8)).toBe(true);
  expect([...seen].filter((n) => n > 0 && n < 8).length).toBeGreaterThanOrEqual(2);
  await view.locator('.widget-html', { hasText: 'shut down' }).waitFor({ timeout: 10_000 });
  expect(await view.innerText()).toMatch(/step #\d|idle/);
}, 90_000);

test('screenshot of the three widget cells → docs/widgets.png (< 1 MB)', async () => {
  const shot = screenshotPath();
  await menu(page, 'View', 'Show Left Sidebar');
  const box = await codeCells(page).nth(1).boundingBox();
  const last = await codeCells(page).nth(3).boundingBox();
  mkdirSync(path.dirname(shot), { recursive: true });
  await page.screenshot({ path: shot, clip: { x: 0, y: Math.max(0, box!.y - 10), width: 1280, height: Math.min(900, last!.y + last!.height - box!.y + 20) } });
  const size = statSync(shot).size;
  if (!shot.startsWith(REPO)) rmSync(shot);
  expect(size).toBeLessThan(1024 * 1024);
});

test('closing and stopping leaves no kernel', async () => {
  await menu(page, 'File', 'Close and Shutdown Notebook');
  const accept = page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept');
  while (await accept.count()) {
    await accept.first().click();
    await page.waitForTimeout(500);
  }
  await lab.stop();
  expect(kernelProcesses(lab.server)).toEqual([]);
}, 60_000);
