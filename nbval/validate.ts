/**
 * nbval: runs a notebook's code cells on a fresh kernel and checks each against its stored outputs,
 * honouring nbval's markers, tags, lax mode and sanitizing. Used by the CLI and the jest transform.
 */
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { NbOutput } from '../kernel/client/outputs';
import { compareOutputs, type CompareOptions } from './compare';
import { cellOptions, shouldCheck, type CellOptions } from './markers';
import { fromStoredOutput, joinLines, loadNotebook, saveNotebook, setCellOutputs, type Cell, type LoadedNotebook } from './notebook';
import { createSanitizer } from './sanitize';
import { NotebookSession, stripAnsi } from './session';

export interface NbvalOptions {
  /** Only cells marked NBVAL_CHECK_OUTPUT / nbval-check-output are compared. */
  lax?: boolean;
  sanitizeFiles?: string[];
  /** Mask 0x… addresses (default true). */
  sanitizeAddresses?: boolean;
  checkImages?: boolean;
  /** Rewrite stored outputs with the fresh ones instead of failing on differences. */
  update?: boolean;
  kernelName?: string;
  /** Per-cell timeout in seconds. */
  timeout?: number;
  /** Write `<name>.executed.ipynb` here. */
  executedDir?: string;
}

export type CellStatus = 'passed' | 'failed' | 'skipped' | 'updated';

export interface CodeCell {
  /** Position among all cells (nbval's "Cell N"). */
  index: number;
  cell: Cell;
  options: CellOptions;
}

export interface CellReport {
  index: number;
  status: CellStatus;
  /** Why it failed (or was skipped), ready to print. */
  message?: string;
}

export const DEFAULT_CELL_TIMEOUT = 300;

export class NotebookValidator {
  private session: NotebookSession | undefined;
  private readonly compareOptions: CompareOptions;
  private dirty = false;
  /** Fresh outputs by cell index, for --executed-dir. */
  private readonly executed = new Map<number, { outputs: NbOutput[]; executionCount: number | null }>();
  readonly codeCells: CodeCell[];
  /** Set after a timeout: nbval expects the rest of the notebook to be unreliable but runs it. */
  timedOut = false;

  constructor(
    readonly loaded: LoadedNotebook,
    readonly options: NbvalOptions = {},
  ) {
    this.compareOptions = {
      sanitizer: createSanitizer({ files: options.sanitizeFiles, addresses: options.sanitizeAddresses ?? true }),
      checkImages: options.checkImages,
    };
    this.codeCells = loaded.notebook.cells.flatMap((cell, index) => (cell.cell_type === 'code' ? [{ index, cell, options: cellOptions(cell) }] : []));
  }

  static open(notebookPath: string, options: NbvalOptions = {}): NotebookValidator {
    return new NotebookValidator(loadNotebook(notebookPath), options);
  }

  get name(): string {
    return displayPath(this.loaded.path);
  }

  async start(): Promise<void> {
    this.session = await NotebookSession.start(this.loaded, { kernelName: this.options.kernelName });
  }

  async check({ index, cell, options }: CodeCell): Promise<CellReport> {
    const where = `${this.name}, cell ${index}`;
    if (options.skip) return { index, status: 'skipped', message: 'NBVAL_SKIP' };
    if (!this.session) throw new Error('NotebookValidator.start() was not called');
    const source = joinLines(cell.source);
    const run = await this.session.run(source, { timeout: this.options.timeout ?? DEFAULT_CELL_TIMEOUT });
    const fail = (why: string, detail = '') => ({ index, status: 'failed' as const, message: `${where}: ${why}\n\nInput:\n${indent(source)}${detail ? `\n\n${detail}` : ''}` });
    if (run.status === 'died') return fail(run.message);
    this.executed.set(index, run);
    if (run.status === 'timeout') {
      this.timedOut = true;
      return fail(`Timeout of ${run.seconds} seconds exceeded executing cell (kernel interrupted)`);
    }
    if (run.status === 'error' && !options.raises) {
      return fail(`Cell execution caused an exception: ${run.error.ename}: ${run.error.evalue}`, `Traceback:\n${stripAnsi(run.error.traceback.join('\n'))}`);
    }
    if (run.status === 'ok' && options.raises) return fail('Expected the cell to raise an exception (NBVAL_RAISES_EXCEPTION), but it ran without one');
    if (this.options.update) {
      const before = JSON.stringify([cell.outputs, cell.execution_count]);
      setCellOutputs(cell, run.outputs, run.executionCount);
      const changed = before !== JSON.stringify([cell.outputs, cell.execution_count]);
      this.dirty ||= changed;
      return { index, status: changed ? 'updated' : 'passed' };
    }
    if (!shouldCheck(options, this.options.lax ?? false)) return { index, status: 'passed' };
    const mismatches = compareOutputs((cell.outputs ?? []).map(fromStoredOutput), run.outputs, this.compareOptions);
    if (mismatches.length === 0) return { index, status: 'passed' };
    return fail('Cell outputs differ', mismatches.map((m) => stripAnsi(m.message)).join('\n\n'));
  }

  /** Stops the kernel, writes the updated notebook (--update) and the executed copy (--executed-dir). */
  async finish(): Promise<string[]> {
    const written: string[] = [];
    await this.session?.close();
    this.session = undefined;
    if (this.options.update && this.dirty) {
      saveNotebook(this.loaded.path, this.loaded);
      written.push(this.loaded.path);
    }
    if (this.options.executedDir) {
      const copy: LoadedNotebook = structuredClone(this.loaded);
      for (const [index, run] of this.executed) setCellOutputs(copy.notebook.cells[index], run.outputs, run.executionCount);
      if (!existsSync(this.options.executedDir)) mkdirSync(this.options.executedDir, { recursive: true });
      const target = path.join(this.options.executedDir, `${path.basename(this.loaded.path, '.ipynb')}.executed.ipynb`);
      saveNotebook(target, copy);
      written.push(target);
    }
    return written;
  }
}

/** Relative to the working directory when inside it, else as given. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

function indent(text: string): string {
  return text.replace(/^/gm, '    ');
}
