/**
 * Where users open it: the classic Notebook 6.4 UI in Debian's Chromium (headless, driven by playwright-core). Opens the
 * lecture, checks our kernel is the one running, runs all cells and reads the rendered outputs, saves docs/lecture.png,
 * then checks tab completion and how a type error is shown.
 */
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { kernelProcesses, REPO, startJupyter, type JupyterServer } from './servers';

/**
 * docs/lecture.png is rewritten only when it is missing or on `jest -u` / UPDATE_SCREENSHOT=1 (addresses and times
 * differ on every run, so writing it each time would leave the checkout dirty); otherwise the shot goes to a temp file.
 */
function screenshotPath(): string {
  const docs = path.join(REPO, 'docs', 'lecture.png');
  const update = (expect.getState().snapshotState as unknown as { _updateSnapshot?: string })?._updateSnapshot === 'all';
  if (update || process.env.UPDATE_SCREENSHOT === '1' || !existsSync(docs)) return docs;
  return path.join(tmpdir(), `tsfutures-lecture-${process.pid}.png`);
}
const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The classic Notebook's page globals (only what these tests touch). */
interface NotebookCell {
  cell_type: string;
  input_prompt_number: number | '*' | null | undefined;
  output_area: { outputs: unknown[] };
  set_text(text: string): void;
  execute(): void;
  focus_editor(): void;
}
interface JupyterGlobal {
  notebook: {
    kernel: { name: string; is_connected(): boolean } | null;
    get_cells(): NotebookCell[];
    clear_all_output(): void;
    execute_all_cells(): void;
    insert_cell_at_bottom(type: string): NotebookCell;
    select(index: number): void;
    save_notebook(): Promise<void>;
    ncells(): number;
  };
  kernelselector: { current_selection: string };
}
declare const Jupyter: JupyterGlobal;
/** The page's DOM, as far as used here (the project compiles without lib "dom"; these callbacks run in the page). */
interface PageElement {
  innerText: string;
  scrollTop: number;
  getBoundingClientRect(): { bottom: number };
  querySelector(selector: string): PageElement | null;
}
declare const document: { querySelector(selector: string): PageElement | null; querySelectorAll(selector: string): PageElement[] };

let server: JupyterServer;
let browser: Browser;
let page: Page;

/** Rendered text of every code cell's output area, in notebook order. */
function renderedOutputs(): Promise<string[]> {
  return page.$$eval('#notebook-container .cell.code_cell', (cells) =>
    cells.map((c) => (c as unknown as PageElement).querySelector('.output_wrapper .output')?.innerText ?? ''),
  );
}

/**
 * Waits until the given cells (default: every code cell) show an execution count instead of `In [*]`, and the kernel
 * indicator is idle.
 */
async function waitUntilExecuted(timeoutMs: number, indexes?: number[]): Promise<void> {
  await page.waitForFunction(
    (only) =>
      Jupyter.notebook
        .get_cells()
        .every((c, i) => (only ? !only.includes(i) : c.cell_type !== 'code') || typeof c.input_prompt_number === 'number') &&
      document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null,
    indexes,
    { timeout: timeoutMs, polling: 250 },
  );
}

/** A new code cell at the bottom, in edit mode with the cursor in its editor. */
async function newCell(): Promise<number> {
  const index = await page.evaluate(() => {
    Jupyter.notebook.insert_cell_at_bottom('code');
    const i = Jupyter.notebook.ncells() - 1;
    Jupyter.notebook.select(i);
    return i;
  });
  const editor = page.locator('#notebook-container .cell').nth(index).locator('.CodeMirror');
  await editor.scrollIntoViewIfNeeded();
  await editor.click();
  return index;
}

beforeAll(async () => {
  server = await startJupyter('notebook');
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'ko-KR' });
  await page.goto(`${server.baseUrl}notebooks/notebooks/lecture.ipynb?token=${server.token}`);
  await page.waitForFunction(() => typeof Jupyter !== 'undefined' && !!Jupyter.notebook?.kernel?.is_connected(), undefined, {
    timeout: 60_000,
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
}, 60_000);

test('the notebook opens on the TypeScript (futures) kernel', async () => {
  expect(await page.evaluate(() => [Jupyter.notebook.kernel!.name, Jupyter.kernelselector.current_selection])).toEqual([
    'tsfutures',
    'tsfutures',
  ]);
  await expect(page.locator('#kernel_indicator .kernel_indicator_name').innerText()).resolves.toBe('TypeScript (futures)');
});

describe('Cell → Run All', () => {
  let outputs: string[];

  beforeAll(async () => {
    // Start from empty output areas, so everything asserted below was rendered by this run.
    await page.evaluate(() => Jupyter.notebook.clear_all_output());
    expect(await renderedOutputs()).toEqual((await renderedOutputs()).map(() => ''));
    await page.click('#celllink');
    await page.click('#run_all_cells a');
    await waitUntilExecuted(150_000);
    outputs = await renderedOutputs();
  }, 180_000);

  test('every code cell ran and printed something, without errors', async () => {
    // The 7 lecture cells, the ProcessPool cell, and whatever the notebook adds after them.
    expect(outputs.length).toBeGreaterThanOrEqual(8);
    for (const o of outputs) expect(o.trim()).not.toBe('');
    expect(await page.locator('.output_error').count()).toBe(0);
  });

  test('pow(2, 8) prints 256', () => {
    expect(outputs[0].trim()).toBe('256');
  });

  test('both deadlocks print DoneAndNotDoneFutures with running futures', () => {
    const future = '<Future at 0x[0-9a-f]+ state=running>';
    expect(outputs[1].trim()).toMatch(new RegExp(`^DoneAndNotDoneFutures\\(done=set\\(\\), not_done=\\{${future}, ${future}\\}\\)$`));
    expect(outputs[2].trim()).toMatch(new RegExp(`^DoneAndNotDoneFutures\\(done=set\\(\\), not_done=\\{${future}\\}\\)$`));
  });

  test('executor.map prints the results list', () => {
    expect(outputs[3]).toMatch(/Result -> \[5000050000, 500000500000, 50000005000000, 50000005000000\] Time : \d+\.\d\ds/);
  });

  test('wait / as_completed cells print their Scheduled for lines and results', () => {
    for (const i of [4, 5, 6]) {
      const scheduled = outputs[i].split('\n').filter((l) => l.startsWith('Scheduled for'));
      expect(scheduled.map((l) => l.replace(/ : .*/, ''))).toEqual(
        ['100000', '1000000', '10000000', '100000000'].map((n) => `Scheduled for ${n}`),
      );
      for (const l of scheduled) expect(l).toMatch(/ : <Future at 0x[0-9a-f]+ state=(running|pending)>$/);
    }
    expect(outputs[4]).toContain('[5000050000, 500000500000, 50000005000000, 5000000050000000]');
    expect(outputs[5]).toContain('Future Result : 5000000050000000, Done : True');
    expect(outputs[6]).toContain('Pending ones after waiting for 7seconds : set()');
  });

  test('the ProcessPool cell prints both executors and the speed-up', () => {
    const cell = outputs.find((o) => o.includes('ProcessPoolExecutor Result'));
    expect(cell).toMatch(/ThreadPoolExecutor\s+Result -> \[(5000000050000000, )+5000000050000000\] Time : \d+\.\d\ds/);
    expect(cell).toMatch(/ProcessPoolExecutor\s+Result -> \[(5000000050000000, )+5000000050000000\] Time : \d+\.\d\ds/);
    expect(cell).toMatch(/Speed-up : \d+\.\d\dx/);
  });

  test('screenshot of the executed lecture → docs/lecture.png (< 1 MB)', async () => {
    const SCREENSHOT = screenshotPath();
    await page.evaluate(() => Jupyter.notebook.save_notebook()); // the temp copy: the title loses "(unsaved changes)"
    // The page scrolls inside #site, so a full-page shot would stop at the window: from the top of the notebook, measure
    // where the first `Scheduled for` cell ends (256, both deadlocks, map, wait above it) and make the window that tall.
    const bottom = await page.evaluate(() => {
      document.querySelector('#site')!.scrollTop = 0;
      return document.querySelectorAll('#notebook-container .cell.code_cell')[4].getBoundingClientRect().bottom;
    });
    const height = Math.ceil(bottom) + 16;
    await page.setViewportSize({ width: 1280, height });
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, clip: { x: 0, y: 0, width: 1280, height } });
    await page.setViewportSize({ width: 1280, height: 900 });
    const size = statSync(SCREENSHOT).size;
    if (!SCREENSHOT.startsWith(REPO)) rmSync(SCREENSHOT);
    expect(size).toBeLessThan(1024 * 1024);
  });
});

test('Tab after `Math.` lists Math members such as floor', async () => {
  await newCell();
  await page.keyboard.type('Math.');
  await page.keyboard.press('Tab');
  const options = page.locator('#complete select option');
  await options.first().waitFor({ timeout: 30_000 });
  expect(await options.allInnerTexts()).toEqual(expect.arrayContaining(['floor', 'max', 'PI']));
  await page.keyboard.press('Escape');
}, 60_000);

test('a type error is shown as an error output naming TS2322', async () => {
  const index = await newCell();
  await page.keyboard.type('const n: number = "x";');
  await page.keyboard.press('Shift+Enter');
  await waitUntilExecuted(60_000, [index]);
  const cell = page.locator('#notebook-container .cell').nth(index);
  const error = cell.locator('.output_error');
  await expect(error.count()).resolves.toBe(1);
  const text = await error.innerText();
  expect(text).toContain('TS2322');
  expect(text).toContain("Type 'string' is not assignable to type 'number'.");
  // No raw ANSI escapes leak into the page (the traceback is coloured, not garbled).
  expect(text).not.toMatch(/\u001b\[|\[0;3\dm/);
}, 60_000);

test('closing the browser and stopping the server leaves no kernel behind', async () => {
  await browser.close();
  await server.stop();
  expect(kernelProcesses(server)).toEqual([]);
}, 60_000);
