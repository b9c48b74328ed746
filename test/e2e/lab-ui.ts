/**
 * JupyterLab 3.6.8 in Debian's Chromium, for tests that drive Lab's real UI: `startLab()` starts the server (test/lab's
 * frontend, built by scripts/install-test-deps.sh) and a headless browser; `openNotebook()` opens a notebook in a tab
 * of its own and waits until its kernel is ready. Reads of state (prompts, outputs, kernel status) go through the DOM
 * and, where the DOM does not show it reliably, through the running app (index.js puts it on `window.jupyterapp`).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startJupyter, type JupyterServer } from './servers';

export const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Lab {
  server: JupyterServer;
  browser: Browser;
  /** Closes the browser, then stops the server (which shuts its kernels down). Idempotent. */
  stop(): Promise<void>;
}

export async function startLab(): Promise<Lab> {
  const server = await startJupyter('lab');
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  } catch (e) {
    await server.stop();
    throw e;
  }
  let stopped: Promise<void> | undefined;
  return {
    server,
    browser,
    stop: () => (stopped ??= browser.close().finally(() => server.stop())),
  };
}

/**
 * Writes a notebook into the server's root (path relative to it) and returns that path: a copy of one of ours with
 * changes, or a new one.
 */
export function saveNotebook(lab: Lab, relPath: string, notebook: object): string {
  writeFileSync(path.join(lab.server.root, relPath), JSON.stringify(notebook, null, 1));
  return relPath;
}

/** A notebook from the server's root, parsed (to make a changed copy with saveNotebook). */
export function readNotebook(lab: Lab, relPath: string): { cells: unknown[]; metadata: Record<string, unknown> } & Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(lab.server.root, relPath), 'utf8'));
}

/** The app objects these helpers read (only what they touch; index.js exposes the app as window.jupyterapp). */
interface LabCell {
  model: { type: string; executionCount: number | null };
}
interface LabNotebookPanel {
  content: { widgets: LabCell[] };
  sessionContext: {
    kernelDisplayName: string;
    session: { kernel: { id: string; name: string; status: string } | null } | null;
  };
}
declare const window: { jupyterapp: { shell: { currentWidget: LabNotebookPanel | null }; listPlugins(): string[] } };
declare const document: { body: { dataset: Record<string, string> } };

/**
 * Opens `relPath` (relative to the server's root) in a new page, in a fresh workspace (a saved one would restore the
 * tabs of an earlier test), and waits until Lab has restored and the notebook's kernel is idle.
 */
export async function openNotebook(lab: Lab, relPath: string, options: { timeoutMs?: number } = {}): Promise<Page> {
  const timeout = options.timeoutMs ?? 60_000;
  const page = await lab.browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'ko-KR' });
  const workspace = `t${randomBytes(6).toString('hex')}`;
  const url = `${lab.server.baseUrl}lab/workspaces/${workspace}/tree/${relPath.split('/').map(encodeURIComponent).join('/')}`;
  await page.goto(`${url}?token=${lab.server.token}`);
  await page.waitForFunction(() => document.body.dataset.labRestored === 'true', undefined, { timeout });
  await page.locator('.jp-NotebookPanel .jp-Notebook .jp-Cell').first().waitFor({ timeout });
  await waitForKernelIdle(page, timeout);
  return page;
}

/** The current notebook's kernel as the app sees it (null while there is none). */
export function currentKernel(page: Page): Promise<{ id: string; name: string; status: string; displayName: string } | null> {
  return page.evaluate(() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const kernel = panel?.sessionContext.session?.kernel;
    return kernel ? { id: kernel.id, name: kernel.name, status: kernel.status, displayName: panel!.sessionContext.kernelDisplayName } : null;
  });
}

/** The ids of the plugins the app registered (to check an extension is part of the build). */
export function labPlugins(page: Page): Promise<string[]> {
  return page.evaluate(() => window.jupyterapp.listPlugins());
}

export async function waitForKernelIdle(page: Page, timeoutMs: number): Promise<void> {
  await page.waitForFunction(
    () => window.jupyterapp.shell.currentWidget?.sessionContext.session?.kernel?.status === 'idle',
    undefined,
    { timeout: timeoutMs, polling: 200 },
  );
}

/** Clicks through the main menu bar, e.g. `menu(page, 'Run', 'Run All Cells')`. */
export async function menu(page: Page, top: string, item: string): Promise<void> {
  await page.locator('.lm-MenuBar-itemLabel', { hasText: new RegExp(`^${top}$`) }).click();
  await page.locator('.lm-Menu-content .lm-Menu-itemLabel', { hasText: new RegExp(`^${escapeRegExp(item)}$`) }).click();
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The code cells of the current notebook: execution counts (null before a run, the prompt shows `[ ]` or `[*]`). */
export function executionCounts(page: Page): Promise<(number | null)[]> {
  return page.evaluate(() =>
    window.jupyterapp.shell.currentWidget!.content.widgets.filter((c) => c.model.type === 'code').map((c) => c.model.executionCount),
  );
}

/** Waits until every code cell (or those given, by code-cell index) has an execution count and the kernel is idle. */
export async function waitUntilExecuted(page: Page, timeoutMs: number, indexes?: number[]): Promise<void> {
  await page.waitForFunction(
    (only) => {
      const panel = window.jupyterapp.shell.currentWidget!;
      const code = panel.content.widgets.filter((c) => c.model.type === 'code');
      return (
        code.every((c, i) => (only && !only.includes(i)) || typeof c.model.executionCount === 'number') &&
        panel.sessionContext.session?.kernel?.status === 'idle'
      );
    },
    indexes,
    { timeout: timeoutMs, polling: 250 },
  );
}

/** The code cells' elements in the current notebook, in order. */
export function codeCells(page: Page) {
  return page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell.jp-CodeCell');
}

/** Rendered text of each code cell's output area, in order. */
export function renderedOutputs(page: Page): Promise<string[]> {
  return codeCells(page).evaluateAll((cells) =>
    cells.map((c) => (c as unknown as { querySelector(s: string): { innerText: string } | null }).querySelector('.jp-OutputArea')?.innerText ?? ''),
  );
}

/** Appends a code cell at the end through the UI (select the last cell, press B) and puts the cursor in its editor. */
export async function appendCodeCell(page: Page): Promise<number> {
  const cells = codeCells(page);
  const last = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell').last();
  await last.locator('.jp-InputPrompt').click();
  await page.keyboard.press('Escape');
  await page.keyboard.press('b');
  const index = (await cells.count()) - 1;
  await cells.nth(index).locator('.CodeMirror').click();
  return index;
}
