/**
 * `tsfutures run [NOTEBOOK]` (npm start): executes a notebook top to bottom on its kernel, showing each
 * cell and its outputs as they come, stops at the first error like nbclient, and writes
 * `<name>.executed.ipynb` next to it either way.
 */
import { stripVTControlCharacters } from 'node:util';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { isKernelSpecInstalled, TSFUTURES_KERNEL } from './client/kernelspecs';
import { PACKAGE_ROOT } from '../kernel/install/package-root';
import type { NbOutput, OutputEvent } from './client/outputs';
import type { KernelInfo } from './client/client';
import { parseArgs, seconds, UsageError } from './args';
import { cellOptions } from './markers';
import { isCodeCell, joinLines, loadNotebook, NotebookError, saveNotebook, setCellOutputs, type LoadedNotebook } from './notebook';
import { NotebookSession } from './session';

const DEFAULT_NOTEBOOK = 'notebooks/lecture.ipynb';

const USAGE = `usage: tsfutures run [--timeout S] [--kernel NAME] [NOTEBOOK]

Executes NOTEBOOK (default ${DEFAULT_NOTEBOOK}) on its kernel, printing each cell's outputs live,
and writes NAME.executed.ipynb next to it. Stops at the first failing cell (exit code 1), except
for cells tagged raises-exception (as nbclient) or marked NBVAL_RAISES_EXCEPTION.
`;

interface RunOptions {
  notebookPath: string;
  timeout?: number;
  kernelName?: string;
}

export async function main(argv: string[]): Promise<number> {
  const options = readOptions(argv);
  if (typeof options === 'number') return options;
  const term = new Terminal();
  const started = Date.now();
  const opened = await openNotebook(options, term);
  if (typeof opened === 'number') return opened;
  const { loaded, session } = opened;
  const stopInterrupts = interruptOnCtrlC(session);
  let ran: CellsRun;
  try {
    ran = await runCells(loaded, session, term, options.timeout);
  } finally {
    stopInterrupts();
    addLanguageInfo(loaded, session.manager.kernelInfo);
    await session.close();
  }
  const target = executedPath(loaded.path);
  markAsNbformat45(loaded);
  saveNotebook(target, loaded);
  const elapsed = ((Date.now() - started) / 1000).toFixed(1);
  term.line('');
  term.line(`${ran.failed ? 'Stopped at a failing cell' : `All ${ran.codeCells} code cells ran`} in ${elapsed} s.`);
  term.line(`Wrote ${path.relative(process.cwd(), target) || target}`);
  offerKernelspec(term, session.kernelName);
  term.line(`Open it in Jupyter: jupyter notebook ${shellQuote(path.relative(process.cwd(), target) || target)}`);
  return ran.failed ? 1 : 0;
}

/** The command line, or the exit code when there is nothing to run (--help: 0, a usage error: 2). */
function readOptions(argv: string[]): RunOptions | number {
  try {
    const args = parseArgs(argv, { booleans: ['help', 'h'], values: ['timeout', 'kernel'] });
    if (args.flags.help || args.flags.h) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (args.positionals.length > 1) throw new UsageError('give one notebook');
    return {
      notebookPath: args.positionals[0] ?? DEFAULT_NOTEBOOK,
      timeout: seconds(args.values.timeout?.[0], 'timeout'),
      kernelName: args.values.kernel?.[0],
    };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`tsfutures run: ${e.message}\n\n${USAGE}`);
    return 2;
  }
}

/** The notebook loaded and its kernel started, or exit code 1 when either fails. */
async function openNotebook(
  { notebookPath, kernelName }: RunOptions,
  term: Terminal,
): Promise<{ loaded: LoadedNotebook; session: NotebookSession } | number> {
  try {
    const loaded = loadNotebook(notebookPath);
    term.line(`Starting kernel ${kernelName ?? loaded.notebook.metadata.kernelspec?.name ?? 'python3'} for ${notebookPath}...`);
    return { loaded, session: await NotebookSession.start(loaded, { kernelName }) };
  } catch (e) {
    if (!(e instanceof NotebookError)) throw e;
    process.stderr.write(`tsfutures run: ${e.message}\n`);
    return 1;
  }
}

/**
 * The first Ctrl-C interrupts the running cell (which then fails and ends the run, notebook written);
 * a second one gives up on the kernel, stopping it rather than leaving it orphaned. Returns the undo.
 */
function interruptOnCtrlC(session: NotebookSession): () => void {
  let interrupts = 0;
  const onSigint = () => {
    if (interrupts++ === 0) return void session.manager.interrupt();
    void session.close().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSigint);
  return () => process.off('SIGINT', onSigint);
}

interface CellsRun {
  failed: boolean;
  codeCells: number;
}

/** Runs the code cells in order, showing their outputs, until one fails; the cells after it are cleared. */
async function runCells(loaded: LoadedNotebook, session: NotebookSession, term: Terminal, timeout: number | undefined): Promise<CellsRun> {
  const cells = loaded.notebook.cells;
  const codeCells = cells.filter((c) => c.cell_type === 'code').length;
  let failed = false;
  let n = 0;
  for (const cell of cells) {
    if (!isCodeCell(cell)) continue;
    n++;
    if (failed) {
      setCellOutputs(cell, [], null); // not run this time: the executed notebook shows no stale outputs
      continue;
    }
    const source = joinLines(cell.source);
    const firstLine = source.split('\n').find((l) => l.trim()) ?? '';
    term.line(term.bold(`[${n}/${codeCells}] In [${n}]`) + ` ${firstLine.trim()}`);
    const run = await session.run(source, { timeout, onOutput: (event) => term.show(event) });
    term.endOfCell();
    if (run.status === 'died') {
      setCellOutputs(cell, [], null);
      term.error(`Cell ${n} failed: ${run.message}`);
      failed = true;
      continue;
    }
    setCellOutputs(cell, run.outputs, run.executionCount);
    if (run.status === 'timeout') {
      term.error(`Cell ${n} timed out after ${run.seconds} s (${run.interrupted ? 'kernel interrupted' : 'the kernel ignored the interrupt and was stopped'}).`);
      failed = true;
    } else if (run.status === 'error' && !cellOptions(cell).raises) {
      term.error(`Cell ${n} raised ${run.error.ename}: ${run.error.evalue}`);
      failed = true;
    }
  }
  return { failed, codeCells };
}

export function executedPath(notebookPath: string): string {
  return path.join(path.dirname(notebookPath), `${path.basename(notebookPath, '.ipynb')}.executed.ipynb`);
}

/** nbformat 4.5 requires cell ids: keep existing ones, add nbformat-style ones (8 hex digits) where missing. */
function markAsNbformat45(loaded: LoadedNotebook): void {
  loaded.notebook.nbformat = 4;
  loaded.notebook.nbformat_minor = Math.max(5, loaded.notebook.nbformat_minor ?? 0);
  const seen = new Set<string>();
  for (const cell of loaded.notebook.cells) {
    if (typeof cell.id !== 'string' || seen.has(cell.id)) cell.id = randomBytes(4).toString('hex');
    seen.add(cell.id);
  }
}

/** Like nbclient: the executed notebook records the kernel's language_info. */
function addLanguageInfo(loaded: LoadedNotebook, kernelInfo: KernelInfo | undefined): void {
  // A reply without status (kernels before protocol 5.1) still carries language_info.
  if (kernelInfo && 'language_info' in kernelInfo && kernelInfo.language_info) loaded.notebook.metadata.language_info = kernelInfo.language_info;
}

/** With Jupyter on PATH but our kernelspec missing, Jupyter could not open the result: install it (--user). */
function offerKernelspec(term: Terminal, kernelName: string): void {
  if (kernelName !== TSFUTURES_KERNEL || isKernelSpecInstalled(TSFUTURES_KERNEL) || !onPath('jupyter')) return;
  const cli = path.join(PACKAGE_ROOT, 'bin', 'tsfutures.js');
  if (!existsSync(cli)) return;
  const r = spawnSync(process.execPath, [cli, 'install', '--user'], { encoding: 'utf8' });
  if (r.status === 0) term.line(`Installed the ${TSFUTURES_KERNEL} kernelspec for Jupyter (tsfutures install --user).`);
  else term.line(`Could not install the ${TSFUTURES_KERNEL} kernelspec: ${(r.stderr || r.stdout).trim()}`);
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, command)));
}

function shellQuote(s: string): string {
  return /^[\w./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Live rendering of cell outputs on the terminal: streams as they arrive, results as Out[n]. */
class Terminal {
  private readonly color = !!process.stdout.isTTY && !process.env.NO_COLOR;
  private atLineStart = true;

  line(text: string): void {
    this.write(process.stdout, text + '\n');
  }

  bold(text: string): string {
    return this.color ? `\x1b[1m${text}\x1b[0m` : text;
  }

  error(text: string): void {
    this.endOfCell();
    this.write(process.stderr, (this.color ? `\x1b[31m${text}\x1b[0m` : text) + '\n');
  }

  show(event: OutputEvent): void {
    if (event.kind === 'clear') return; // a terminal cannot unprint; the notebook file gets it right
    const output: NbOutput = event.output;
    if (output.output_type === 'stream') this.write(output.name === 'stderr' ? process.stderr : process.stdout, output.text);
    else if (output.output_type === 'error') this.write(process.stderr, this.plain(output.traceback.join('\n')) + '\n');
    else {
      const text = output.data['text/plain'];
      const shown = typeof text === 'string' ? text : Array.isArray(text) ? text.join('') : `[${Object.keys(output.data).join(', ')}]`;
      const prefix = output.output_type === 'execute_result' ? `Out[${output.execution_count ?? ' '}]: ` : '';
      this.write(process.stdout, `${prefix}${shown}\n`);
    }
  }

  /** Streams may end mid-line; the next header must start on a fresh line. */
  endOfCell(): void {
    if (!this.atLineStart) this.write(process.stdout, '\n');
  }

  private plain(text: string): string {
    return this.color ? text : stripVTControlCharacters(text);
  }

  private write(stream: NodeJS.WriteStream, text: string): void {
    if (!text) return;
    stream.write(text);
    this.atLineStart = text.endsWith('\n');
  }
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
