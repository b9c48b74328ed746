/**
 * Where most users open the lecture: JupyterLab 3.6.8's own UI (test/lab's frontend on Debian's jupyter-server 1.23),
 * in Debian's Chromium, driven as a user clicks. Runs the lecture through Run → Run All Cells and reads what renders,
 * switches a python3 notebook to our kernel through Kernel → Change Kernel…, completes and inspects in a cell,
 * interrupts and restarts from the toolbar and menu, checks the ipywidgets manager renders a widget, and that closing
 * leaves no kernel behind. Saves docs/jupyterlab.png.
 */
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import {
  appendCodeCell, codeCells, currentKernel, executionCounts, labPlugins, menu, openNotebook, readNotebook, renderedOutputs,
  saveNotebook, startLab, waitForKernelIdle, waitForKernelStatus, waitUntilExecuted, type Lab,
} from './lab-ui';
import { kernelProcesses, processesMentioning, REPO } from './servers';

const LECTURE = 'notebooks/lecture.ipynb';

/** docs/jupyterlab.png is rewritten only when missing or on `jest -u` / UPDATE_SCREENSHOT=1, as browser.test.ts does. */
function screenshotPath(): string {
  const docs = path.join(REPO, 'docs', 'jupyterlab.png');
  const update = (expect.getState().snapshotState as unknown as { _updateSnapshot?: string })?._updateSnapshot === 'all';
  if (update || process.env.UPDATE_SCREENSHOT === '1' || !existsSync(docs)) return docs;
  return path.join(tmpdir(), `tsfutures-jupyterlab-${process.pid}.png`);
}

/** Types into the focused cell editor and runs it with Shift+Enter; resolves with its output text once it has run. */
async function runInNewCell(page: Page, code: string, timeoutMs = 60_000): Promise<{ index: number; output: string }> {
  const index = await appendCodeCell(page);
  await page.keyboard.type(code);
  await page.keyboard.press('Shift+Enter');
  await waitUntilExecuted(page, timeoutMs, [index]);
  return { index, output: (await renderedOutputs(page))[index] };
}

/** Accepts the confirmation dialogs a command opens (Lab asks before shutting a kernel down, and to save changes). */
async function acceptDialogs(page: Page): Promise<void> {
  const accept = page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept');
  await accept.first().waitFor({ timeout: 10_000 });
  do {
    await accept.first().click();
    await page.waitForTimeout(500);
  } while (await accept.count());
}

let lab: Lab;

beforeAll(async () => {
  lab = await startLab();
}, 120_000);

afterAll(async () => {
  await lab?.stop();
}, 60_000);

describe('the lecture, Run → Run All Cells', () => {
  let page: Page;
  let outputs: string[];

  beforeAll(async () => {
    page = await openNotebook(lab, LECTURE);
    // Start from empty output areas, so everything asserted below was rendered by this run.
    await page.locator('.jp-NotebookPanel .jp-Notebook').click({ position: { x: 5, y: 5 } });
    await menu(page, 'Edit', 'Clear All Outputs');
    expect((await renderedOutputs(page)).every((o) => o === '')).toBe(true);
    await menu(page, 'Run', 'Run All Cells');
    await waitUntilExecuted(page, 150_000);
    outputs = await renderedOutputs(page);
  }, 240_000);

  test('the toolbar names the kernel TypeScript (futures), and the session runs tsfutures', async () => {
    await expect(page.locator('.jp-NotebookPanel-toolbar .jp-KernelName').innerText()).resolves.toBe('TypeScript (futures)');
    expect((await currentKernel(page))?.name).toBe('tsfutures');
  });

  test('every code cell got its [n] prompt, in order, and none shows an error', async () => {
    const counts = await executionCounts(page);
    expect(counts.length).toBeGreaterThanOrEqual(11);
    expect(counts).toEqual(counts.map((_, i) => i + 1));
    const prompts = await codeCells(page).locator('.jp-InputArea-prompt').allInnerTexts();
    expect(prompts).toEqual(counts.map((n) => `[${n}]:`));
    expect(await page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').count()).toBe(0);
    // Each printed something or drew something (the timeline cell shows only images, which have no text).
    const children = await codeCells(page).evaluateAll((cells) =>
      cells.map((c) => (c as unknown as { querySelectorAll(s: string): unknown[] }).querySelectorAll('.jp-OutputArea-child').length),
    );
    expect(children.filter((n) => n === 0)).toEqual([]);
  });

  test('the printed results are on the page', () => {
    const future = '<Future at 0x[0-9a-f]+ state=running>';
    expect(outputs[0].trim()).toBe('256');
    expect(outputs[1].trim()).toMatch(new RegExp(`^DoneAndNotDoneFutures\\(done=set\\(\\), not_done=\\{${future}, ${future}\\}\\)$`));
    expect(outputs[2].trim()).toMatch(new RegExp(`^DoneAndNotDoneFutures\\(done=set\\(\\), not_done=\\{${future}\\}\\)$`));
    expect(outputs[3]).toMatch(/Result -> \[5000050000, 500000500000, 50000005000000, 50000005000000\] Time : \d+\.\d\ds/);
    for (const i of [4, 5, 6]) {
      const scheduled = outputs[i].split('\n').filter((l) => l.startsWith('Scheduled for'));
      expect(scheduled.map((l) => l.replace(/ : .*/, ''))).toEqual(
        ['100000', '1000000', '10000000', '100000000'].map((n) => `Scheduled for ${n}`),
      );
    }
    expect(outputs[5]).toContain('Future Result : 5000000050000000, Done : True');
    expect(outputs[7]).toMatch(/ProcessPoolExecutor\s+Result -> \[(5000000050000000, )+5000000050000000\] Time : \d+\.\d\ds/);
    expect(outputs[7]).toMatch(/Speed-up : \d+\.\d\dx/);
  });

  test('the timeline SVGs render as images with a size', async () => {
    const svgs = page.locator('.jp-OutputArea-output[data-mime-type="image/svg+xml"] img');
    expect(await svgs.count()).toBe(3);
    const sizes = await svgs.evaluateAll((imgs) =>
      imgs.map((i) => (i as unknown as { complete: boolean; naturalWidth: number; naturalHeight: number })).map((i) => [i.complete, i.naturalWidth > 100, i.naturalHeight > 50]),
    );
    expect(sizes).toEqual(sizes.map(() => [true, true, true]));
  });

  test('the progress bar ends as one output updated in place, at 8/8 (a widget: Lab has a widget manager)', async () => {
    const cell = codeCells(page).nth(10);
    const bars = cell.locator('.jp-OutputArea-output .jupyter-widgets.widget-hprogress');
    expect(await bars.count()).toBe(1);
    expect(await cell.locator('.jp-OutputArea-output').first().innerText()).toMatch(/^sum_generate: 100%\s+8\/8 \[/);
    expect(await cell.locator('.jp-OutputArea-child').count()).toBe(2); // the bar, then the printed sum
    expect(outputs[10]).toContain('8 results, sum : 40000000400000000');
  });

  test('screenshot of the lecture in Lab → docs/jupyterlab.png (< 1 MB)', async () => {
    const shot = screenshotPath();
    await menu(page, 'File', 'Save Notebook'); // the tab loses its unsaved-changes dot
    // Through the first `wait` cell (code cell 4), as docs/lecture.png: the left sidebar closed (View → Show Left
    // Sidebar toggles it) so the notebook is wider, and the window made tall enough, scrolled to the top.
    await menu(page, 'View', 'Show Left Sidebar');
    const scroller = page.locator('.jp-NotebookPanel .jp-Notebook');
    await scroller.evaluate((n) => ((n as unknown as { scrollTop: number }).scrollTop = 0));
    const cellBottom = await codeCells(page).nth(4).evaluate((c) => (c as unknown as { getBoundingClientRect(): { bottom: number } }).getBoundingClientRect().bottom);
    const height = Math.min(Math.ceil(cellBottom) + 40, 6000);
    await page.setViewportSize({ width: 1280, height });
    await scroller.evaluate((n) => ((n as unknown as { scrollTop: number }).scrollTop = 0));
    mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot });
    await page.setViewportSize({ width: 1280, height: 900 });
    await menu(page, 'View', 'Show Left Sidebar');
    const size = statSync(shot).size;
    if (!shot.startsWith(REPO)) rmSync(shot);
    expect(size).toBeLessThan(1024 * 1024);
  });

  test('Tab after `Math.` lists Math members such as floor', async () => {
    await appendCodeCell(page);
    await page.keyboard.type('Math.');
    await page.keyboard.press('Tab');
    const items = page.locator('.jp-Completer .jp-Completer-item .jp-Completer-match');
    await items.first().waitFor({ timeout: 30_000 });
    expect(await items.allInnerTexts()).toEqual(expect.arrayContaining(['floor', 'max', 'PI']));
    await page.keyboard.press('Escape');
  }, 60_000);

  test('Shift+Tab on a runtime function shows its type in the tooltip', async () => {
    await appendCodeCell(page);
    await page.keyboard.type('wait');
    await page.keyboard.press('Shift+Tab');
    const tooltip = page.locator('.jp-Tooltip');
    await tooltip.waitFor({ timeout: 30_000 });
    const text = await tooltip.innerText();
    expect(text).toContain('function wait');
    expect(text).toMatch(/DoneAndNotDoneFutures/);
    await page.keyboard.press('Escape');
  }, 60_000);

  test('the toolbar interrupt ends `while (true) {}` with KeyboardInterrupt, and the kernel is idle again', async () => {
    const index = await appendCodeCell(page);
    await page.keyboard.type('while (true) {}');
    await page.keyboard.press('Shift+Enter');
    await waitForKernelStatus(page, 'busy', 30_000);
    await page.locator('.jp-NotebookPanel-toolbar button[data-command="kernelmenu:interrupt"]').click();
    await waitUntilExecuted(page, 30_000, [index]);
    const error = codeCells(page).nth(index).locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]');
    expect(await error.innerText()).toContain('KeyboardInterrupt');
    const after = await runInNewCell(page, 'print(6 * 7)');
    expect(after.output.trim()).toBe('42');
  }, 90_000);

  test('Kernel → Restart Kernel… gives a fresh kernel: new process, earlier names gone', async () => {
    const before = await currentKernel(page);
    const pidsBefore = kernelProcesses(lab.server).map((p) => p.pid);
    await runInNewCell(page, 'const marker = 1;');
    await menu(page, 'Kernel', 'Restart Kernel…');
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept', { hasText: 'Restart' }).click();
      await waitForKernelIdle(page, 60_000);
    // The new kernel counts from 1 again and no longer knows the name (the type check refuses it).
    const { index, output } = await runInNewCell(page, 'print(typeof marker)');
    expect((await executionCounts(page))[index]).toBe(1);
    expect(output).toContain("TS2304: Cannot find name 'marker'.");
    // Same kernel id (Lab restarts in place), a new process.
    expect((await currentKernel(page))?.id).toBe(before?.id);
    const pidsAfter = kernelProcesses(lab.server).map((p) => p.pid);
    expect(pidsAfter).toHaveLength(1);
    expect(pidsBefore).not.toContain(pidsAfter[0]);
  }, 120_000);

  test('File → Close and Shutdown Notebook leaves no kernel process', async () => {
    await menu(page, 'File', 'Close and Shutdown Notebook');
    await acceptDialogs(page);
    const deadline = Date.now() + 15_000;
    while (kernelProcesses(lab.server).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(kernelProcesses(lab.server)).toEqual([]);
    await page.close();
  }, 60_000);
});

test('Kernel → Change Kernel… switches a notebook saved for python3 to TypeScript (futures), and a cell runs', async () => {
  const nb = readNotebook(lab, LECTURE);
  nb.metadata = {
    kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' },
    language_info: { name: 'python' },
  };
  const page = await openNotebook(lab, saveNotebook(lab, 'notebooks/lecture-python3.ipynb', nb));
  expect((await currentKernel(page))?.name).toBe('python3');
  await expect(page.locator('.jp-NotebookPanel-toolbar .jp-KernelName').innerText()).resolves.toBe('Python 3 (ipykernel)');
  await menu(page, 'Kernel', 'Change Kernel…');
  const dialog = page.locator('.jp-Dialog');
  await dialog.locator('select').selectOption({ label: 'TypeScript (futures)' });
  await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
  await page.locator('.jp-NotebookPanel-toolbar .jp-KernelName', { hasText: 'TypeScript (futures)' }).waitFor({ timeout: 30_000 });
  await waitForKernelIdle(page, 60_000);
  expect((await currentKernel(page))?.name).toBe('tsfutures');
  // Run the first code cell (pow(2, 8)) from the UI: click into it, Shift+Enter.
  await codeCells(page).first().locator('.CodeMirror').click();
  await page.keyboard.press('Shift+Enter');
  await waitUntilExecuted(page, 60_000, [0]);
  expect((await renderedOutputs(page))[0].trim()).toBe('256');
  await menu(page, 'File', 'Close and Shutdown Notebook');
  await acceptDialogs(page);
  await page.close();
}, 120_000);

test('the ipywidgets manager renders an IntProgress sent over the widget protocol', async () => {
  // Debian's python3-ipywidgets is 6.0 (protocol 1, model module jupyter-js-widgets), which the Lab 3 manager 5.0 does
  // not render: open the two models' comms the way ipywidgets 8 does, from plain ipykernel.
  const source = [
    'from ipykernel.comm import Comm',
    'from IPython.display import display',
    "base = {'_model_module_version': '2.0.0', '_view_module_version': '2.0.0', '_view_count': None}",
    "layout = Comm(target_name='jupyter.widget', metadata={'version': '2.1.0'}, buffers=[], data={'buffer_paths': [], 'state': dict(base, _model_module='@jupyter-widgets/base', _model_name='LayoutModel', _view_module='@jupyter-widgets/base', _view_name='LayoutView')})",
    "style = Comm(target_name='jupyter.widget', metadata={'version': '2.1.0'}, buffers=[], data={'buffer_paths': [], 'state': dict(base, _model_module='@jupyter-widgets/controls', _model_name='ProgressStyleModel', _view_module='@jupyter-widgets/base', _view_name='StyleView', bar_color=None, description_width='')})",
    "bar = Comm(target_name='jupyter.widget', metadata={'version': '2.1.0'}, buffers=[], data={'buffer_paths': [], 'state': dict(base, _model_module='@jupyter-widgets/controls', _model_name='IntProgressModel', _view_module='@jupyter-widgets/controls', _view_name='ProgressView', value=7, min=0, max=10, bar_style='', orientation='horizontal', description='widgets', description_allow_html=False, layout='IPY_MODEL_' + layout.comm_id, style='IPY_MODEL_' + style.comm_id, tabbable=None, tooltip=None, _dom_classes=[])})",
    "display({'application/vnd.jupyter.widget-view+json': {'version_major': 2, 'version_minor': 0, 'model_id': bar.comm_id}, 'text/plain': 'IntProgress(value=7, max=10)'}, raw=True)",
  ].join('\n');
  const page = await openNotebook(
    lab,
    saveNotebook(lab, 'notebooks/widgets-python3.ipynb', {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' } },
      cells: [{ cell_type: 'code', id: 'widget', metadata: {}, execution_count: null, outputs: [], source: source }],
    }),
  );
  await menu(page, 'Run', 'Run All Cells');
  await waitUntilExecuted(page, 60_000);
  expect(await labPlugins(page)).toEqual(
    expect.arrayContaining(['@jupyter-widgets/jupyterlab-manager:plugin', '@jupyter-widgets/jupyterlab-manager:controls-2.0.0']),
  );
  const progress = page.locator('.jp-OutputArea-output .jupyter-widgets.widget-hprogress');
  await progress.waitFor({ timeout: 30_000 });
  expect(await progress.locator('.widget-label').innerText()).toBe('widgets');
  // 7 of 10: the bar's fill is 70% of its track.
  const fill = await progress.locator('.progress-bar').evaluate((b) => (b as unknown as { style: { width: string } }).style.width);
  expect(fill).toBe('70%');
  await menu(page, 'File', 'Close and Shutdown Notebook');
  await acceptDialogs(page);
  await page.close();
}, 90_000);

test('stopping the server after closing the browser leaves no kernel or other process of ours', async () => {
  await lab.stop();
  expect(kernelProcesses(lab.server)).toEqual([]);
  expect(processesMentioning(lab.server.runtimeDir)).toEqual([]);
}, 60_000);
