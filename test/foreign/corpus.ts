/**
 * The foreign-notebook corpus: public TypeScript/JavaScript notebooks written for tslab or Deno's kernel (copies
 * under test/foreign/, sources and licences in its README), run unchanged on a kernel with errors allowed. Shared by
 * the jest test (a floor of cells that run, per notebook) and `npm run bench:foreign` (tsfutures vs tslab).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CellTimeoutError } from '../../nbval/client/client';
import { KernelManager } from '../../nbval/client/manager';
import type { KernelSpec } from '../../nbval/client/kernelspecs';
import { PACKAGE_ROOT } from '../../kernel/install/package-root';

// From the package root: this module also runs compiled (dist/test/foreign), where the notebooks are not.
export const FOREIGN_DIR = path.join(PACKAGE_ROOT, 'test', 'foreign');

/**
 * Why a cell cannot run on any kernel here: it needs the network, it fails on purpose, or it uses a name only a
 * cell that needs the network defines.
 */
export type Unrunnable = 'network' | 'deliberate error' | 'name from a network cell';

export interface ForeignNotebook {
  /** Relative to test/foreign. */
  file: string;
  /** Cells (0-based code-cell index) no kernel can run here. */
  unrunnable: Record<number, Unrunnable>;
  /** At least this many code cells must run ok on tsfutures (see the README for why the others fail). */
  floor: number;
  /** Rich mimetypes the notebook's display calls must produce on tsfutures (its peer display API works). */
  shows?: string[];
}

export const CORPUS: ForeignNotebook[] = [
  { file: 'tslab-examples/getting_started.ipynb', unrunnable: {}, floor: 13, shows: ['text/html', 'image/jpeg'] },
  { file: 'tslab-examples/getting_started_javascript.ipynb', unrunnable: {}, floor: 17, shows: ['text/html', 'image/jpeg'] },
  { file: 'tslab-examples/errors.ipynb', unrunnable: { 0: 'deliberate error', 1: 'deliberate error' }, floor: 0 },
  { file: 'denotebooks/01_Intro.ipynb', unrunnable: { 3: 'network' }, floor: 13 },
  { file: 'denotebooks/02.5_One Symbol to Rule them All.ipynb', unrunnable: {}, floor: 3, shows: ['image/svg+xml'] },
  { file: 'denotebooks/02.6_jsx_and_react.ipynb', unrunnable: {}, floor: 7, shows: ['text/html'] },
  { file: 'denotebooks/02.7_tagged-template-literals.ipynb', unrunnable: {}, floor: 4, shows: ['text/markdown', 'text/html'] },
  {
    file: 'denotebooks/02_display.ipynb',
    unrunnable: { 3: 'network', 4: 'network', 5: 'name from a network cell', 6: 'network' },
    floor: 4,
    shows: ['text/markdown', 'application/json', 'application/geo+json'],
  },
  {
    file: 'denotebooks/09_Cryptography.ipynb',
    unrunnable: {
      3: 'network', 4: 'network', 5: 'name from a network cell', 6: 'name from a network cell', 7: 'name from a network cell', 9: 'network',
      10: 'name from a network cell', 11: 'name from a network cell', 12: 'name from a network cell', 13: 'name from a network cell',
      14: 'network', 15: 'name from a network cell', 16: 'name from a network cell', 17: 'network', 18: 'network',
    },
    floor: 4,
  },
  { file: 'denotebooks/11_Running_tests.ipynb', unrunnable: { 0: 'network', 1: 'network' }, floor: 1 },
];

export interface CellRun {
  ok: boolean;
  /** `ename: evalue` of the first error (reply or output; else what it wrote on stderr), or 'timeout'. */
  error?: string;
  /** The mimetypes of the cell's rich outputs (display_data, execute_result). */
  mimes: string[];
}

/** tslab refuses every request for 200 ms after an error ('abort', whatever stop_on_error says): such a cell is sent again. */
const ABORT_RETRIES = 3;
const ABORT_PAUSE_MS = 300;

interface Notebook {
  cells: Array<{ cell_type: string; source: string | string[] }>;
  metadata?: { kernelspec?: { language?: string }; language_info?: { name?: string } };
}

function readNotebook(file: string): Notebook {
  return JSON.parse(readFileSync(path.join(FOREIGN_DIR, file), 'utf8')) as Notebook;
}

export function codeCells(file: string): string[] {
  return readNotebook(file).cells.filter((c) => c.cell_type === 'code').map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source));
}

/**
 * The language the notebook's metadata says it is written in (its kernelspec's, else language_info's), by which
 * its runner picks a kernel as Jupyter picks tslab's `jslab` for JavaScript notebooks.
 */
export function notebookLanguage(file: string): 'typescript' | 'javascript' {
  const { metadata } = readNotebook(file);
  const language = metadata?.kernelspec?.language ?? metadata?.language_info?.name;
  return language?.toLowerCase() === 'javascript' ? 'javascript' : 'typescript';
}

/**
 * Runs a notebook's code cells in order on a fresh kernel started in the notebook's folder, errors allowed. A cell is
 * ok when its reply is ok and it output no error. A cell over its timeout is interrupted and counted as failed.
 */
export async function runForeign(file: string, spec: KernelSpec, cellTimeoutSeconds = 20): Promise<CellRun[]> {
  const manager = new KernelManager(spec, { cwd: path.dirname(path.join(FOREIGN_DIR, file)), startTimeout: 60 });
  const client = await manager.start();
  try {
    const runs: CellRun[] = [];
    for (const source of codeCells(file)) {
      try {
        let executed = await client.execute(source, { timeout: cellTimeoutSeconds, stopOnError: false, onTimeout: () => manager.interrupt() });
        for (let retry = 0; executed.reply.status === 'abort' && retry < ABORT_RETRIES; retry++) {
          await new Promise((r) => setTimeout(r, ABORT_PAUSE_MS));
          executed = await client.execute(source, { timeout: cellTimeoutSeconds, stopOnError: false, onTimeout: () => manager.interrupt() });
        }
        const { reply, outputs } = executed;
        const mimes = outputs.flatMap((o) => ('data' in o && o.data ? Object.keys(o.data as object) : []));
        const failed = outputs.find((o) => o.output_type === 'error') as { ename?: string; evalue?: string } | undefined;
        const stderr = outputs.map((o) => (o.output_type === 'stream' && (o as { name?: string }).name === 'stderr' ? String((o as { text?: unknown }).text) : '')).join('');
        const error =
          reply.status !== 'ok' ? (reply.status === 'error' && reply.ename ? `${reply.ename}: ${reply.evalue}` : `${reply.status}: ${stderr.trim()}`) : failed ? `${failed.ename}: ${failed.evalue}` : undefined;
        runs.push(error === undefined ? { ok: true, mimes } : { ok: false, error, mimes });
      } catch (e) {
        if (!(e instanceof CellTimeoutError)) throw e;
        runs.push({ ok: false, error: 'timeout', mimes: [] });
      }
    }
    return runs;
  } finally {
    await manager.shutdown({ waitSeconds: 3 });
  }
}
