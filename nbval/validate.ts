/**
 * nbval: runs a notebook's code cells on a fresh kernel and checks each against its stored outputs,
 * honouring nbval's markers, tags, lax mode and sanitizing. Used by the CLI and the jest transform.
 */
import { stripVTControlCharacters } from 'node:util';
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { NbOutput } from './client/outputs';
import { compareOutputs, type CompareOptions } from './compare';
import { cellOptions, shouldCheck, type CellOptions } from './markers';
import type { ICodeCell } from '@jupyterlab/nbformat';
import { fromStoredOutput, isCodeCell, joinLines, loadNotebook, saveNotebook, setCellOutputs, type LoadedNotebook } from './notebook';
import { createSanitizer } from './sanitize';
import { INTERRUPT_GRACE_SECONDS, NotebookSession } from './session';

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

/** xfailed / xpassed: the cell failed / passed after a cell timed out, when nbval expects it to fail (pytest's xfail). */
export type CellStatus = 'passed' | 'failed' | 'skipped' | 'updated' | 'xfailed' | 'xpassed';

export interface CodeCell {
  /** Position among all cells. */
  index: number;
  /** Code cells counted from 1: the N of nbval's "Cell N". */
  number: number;
  cell: ICodeCell;
  options: CellOptions;
}

export interface CellReport {
  index: number;
  number: number;
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
  /** The first code cell (numbered from 1) that timed out: nbval runs the cells after it but expects them to fail. */
  timedOutAt: number | undefined;
  /** The cell whose timeout made us stop a kernel that ignored the interrupt. */
  private stoppedAt: number | undefined;

  constructor(
    readonly loaded: LoadedNotebook,
    readonly options: NbvalOptions = {},
  ) {
    this.compareOptions = {
      sanitizer: createSanitizer({ files: options.sanitizeFiles, addresses: options.sanitizeAddresses ?? true }),
      checkImages: options.checkImages,
    };
    let number = 0;
    this.codeCells = loaded.notebook.cells.flatMap((cell, index) => (isCodeCell(cell) ? [{ index, number: ++number, cell, options: cellOptions(cell) }] : []));
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

  /** Runs one code cell and judges it as nbval 0.11 would; after a timeout, as pytest's xfail would. */
  async check(code: CodeCell): Promise<CellReport> {
    const report = await this.judge(code);
    if (this.timedOutAt === undefined || code.number <= this.timedOutAt) return report;
    if (report.status === 'failed') return { ...report, status: 'xfailed', message: `${report.message}\n\n(expected: a previous cell timed out)` };
    if (report.status === 'passed') return { ...report, status: 'xpassed' };
    return report;
  }

  private async judge({ index, number, cell, options }: CodeCell): Promise<CellReport> {
    if (options.skip) return { index, number, status: 'skipped', message: 'NBVAL_SKIP' };
    if (!this.session) throw new Error('NotebookValidator.start() was not called');
    const source = joinLines(cell.source);
    const fail = (why: string, detail = '') => ({
      index,
      number,
      status: 'failed' as const,
      message: `Cell ${number}: ${why}\n\nInput:\n${source}${detail ? `\n\nTraceback:\n${detail}` : ''}`,
    });
    if (!this.session.alive) {
      const reason = this.stoppedAt !== undefined ? `the kernel was stopped after cell ${this.stoppedAt} ignored the interrupt` : this.session.diedMessage();
      return fail('Kernel dead on test start', reason);
    }
    const run = await this.session.run(source, { timeout: this.options.timeout ?? DEFAULT_CELL_TIMEOUT });
    if (run.status === 'died') return fail(run.message);
    this.executed.set(index, run);
    if (run.status === 'timeout') {
      this.timedOutAt ??= number;
      if (!run.interrupted) {
        this.stoppedAt = number;
        return fail(
          `Timeout of ${run.seconds} seconds exceeded while executing cell. Failed to interrupt kernel in ${INTERRUPT_GRACE_SECONDS} seconds, so failing without traceback.`,
        );
      }
      const error = run.outputs.find((o) => o.output_type === 'error');
      return fail(`Timeout of ${run.seconds} seconds exceeded executing cell`, error?.output_type === 'error' ? stripVTControlCharacters(error.traceback.join('\n')) : '');
    }
    if (run.status === 'error' && !options.raises) {
      return fail(`Cell execution caused an exception: ${run.error.ename}: ${run.error.evalue}`, stripVTControlCharacters(run.error.traceback.join('\n')));
    }
    if (run.status === 'ok' && options.raises) return fail('Expected the cell to raise an exception (NBVAL_RAISES_EXCEPTION), but it ran without one');
    if (this.options.update) {
      const before = JSON.stringify([cell.outputs, cell.execution_count]);
      setCellOutputs(cell, run.outputs, run.executionCount);
      const changed = before !== JSON.stringify([cell.outputs, cell.execution_count]);
      this.dirty ||= changed;
      return { index, number, status: changed ? 'updated' : 'passed' };
    }
    // nbval: a cell never run in the stored notebook has nothing to compare, and must then have no outputs.
    const unrun = cell.execution_count === null || cell.execution_count === undefined;
    if (unrun && (cell.outputs?.length ?? 0) > 0) return fail('Unrun reference cell has outputs');
    if (unrun || !shouldCheck(options, this.options.lax ?? false)) return { index, number, status: 'passed' };
    const mismatches = compareOutputs((cell.outputs ?? []).map(fromStoredOutput), run.outputs, this.compareOptions);
    if (mismatches.length === 0) return { index, number, status: 'passed' };
    return fail('Cell outputs differ', mismatches.map((m) => stripVTControlCharacters(m.message)).join('\n\n'));
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
      for (const [index, run] of this.executed) setCellOutputs(copy.notebook.cells[index] as ICodeCell, run.outputs, run.executionCount);
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
