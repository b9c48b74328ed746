import * as path from 'node:path';
import { inspect } from 'node:util';
import ts = require('typescript');
import type { CellOutcome } from '../protocol/engine';
import { flattenRope } from './flatten-rope';
import { decodeMappings, type LineMappings, mappingsOf, originalLine } from './sourcemap';

/**
 * IPython-style tracebacks for both kinds of cell failure, in plain text:
 *   type errors  -> ename TSError, evalue "TS2322: <message>", one "Cell In[N], line L" block per diagnostic;
 *   run errors   -> ename = error.name, frames outermost first, cell frames mapped to the cell's own lines.
 */
export type ErrorOutcome = Extract<CellOutcome, { status: 'error' }>;

export const TYPE_ERROR_NAME = 'TSError';
export const INTERRUPT_NAME = 'KeyboardInterrupt';
/** A thrown value that is not an Error has no name: reported like Node's REPL does ("Uncaught 42"). */
export const NON_ERROR_NAME = 'Uncaught';

/**
 * Kept as the cell's text and its map's VLQ string, decoded only when a traceback needs them: every cell that ran
 * stays here for the whole session (a function it defined may throw later), and decoded maps (a few arrays per
 * segment) were most of what each cell left behind on the heap (docs/performance.md, "The cell engine").
 */
class CellSource {
  /** Decoded by the first traceback through this cell (one per frame otherwise), then kept: such cells are few. */
  private splitLines: string[] | undefined;
  private decodedMap: LineMappings | undefined;
  constructor(
    readonly label: string,
    private readonly code: string,
    /** The map's VLQ string, or how to make the map (a plain cell's is printed only when first needed: plain-emit.ts). */
    private mappings: string | (() => string),
  ) {}
  get lines(): string[] {
    return (this.splitLines ??= this.code.split('\n'));
  }
  get map(): LineMappings {
    if (typeof this.mappings === 'function') this.mappings = mappingsOf(this.mappings());
    return (this.decodedMap ??= decodeMappings(this.mappings));
  }
}

/** The source of every cell that ran, by the file name its script was compiled under. */
export class CellSources {
  private readonly cells = new Map<string, CellSource>();

  /** `sourceMap`: the map's JSON, or a function that makes it (called once, by the first traceback that needs it). */
  add(scriptFile: string, label: string, code: string, sourceMap: string | (() => string)): void {
    const mappings = typeof sourceMap === 'string' ? mappingsOf(sourceMap) : sourceMap;
    this.cells.set(flattenRope(scriptFile), new CellSource(flattenRope(label), code, mappings));
  }

  get(scriptFile: string): CellSource | undefined {
    return this.cells.get(scriptFile);
  }

  /** For a cell that can appear in no later traceback (it created no function): its source is not kept. */
  forget(scriptFile: string): void {
    this.cells.delete(scriptFile);
  }
}

function header(ename: string): string {
  return `${'-'.repeat(75)}\n${ename.padEnd(41)} Traceback (most recent call last)`;
}

/** Lines around `line` (1-based) with IPython's `---->` marker. */
function excerpt(lines: string[], line: number, context = 2): string {
  const first = Math.max(1, line - context);
  const last = Math.min(lines.length, line + context);
  const width = String(last).length;
  const out: string[] = [];
  for (let i = first; i <= last; i++) {
    out.push(`${i === line ? '---->' : '     '} ${String(i).padStart(width)} ${lines[i - 1]}`);
  }
  return out.join('\n');
}

export function typeErrorOutcome(label: string, code: string, diagnostics: readonly ts.Diagnostic[], cellFile?: string): ErrorOutcome {
  const lines = code.split('\n');
  const blocks = diagnostics.map((d) => {
    const message = `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n  ')}`;
    if (d.start === undefined) return message;
    if (cellFile !== undefined && d.file && d.file.fileName !== cellFile) {
      // In a local module the cell imports: IPython's `File <path>:<line>` frame.
      const { line, character } = ts.getLineAndCharacterOfPosition(d.file, d.start);
      const text = d.file.text.split('\n')[line] ?? '';
      const width = Math.max(1, Math.min(d.length ?? 1, text.length - character));
      return `File ${d.file.fileName}:${line + 1}\n    ${text}\n    ${' '.repeat(character)}${'^'.repeat(width)}\n${message}`;
    }
    if (d.start > code.length) return message;
    const before = code.slice(0, d.start).split('\n');
    const line = before.length - 1;
    const character = before[line].length;
    const text = lines[line] ?? '';
    const width = Math.max(1, Math.min(d.length ?? 1, text.length - character));
    return `${label}, line ${line + 1}\n    ${text}\n    ${' '.repeat(character)}${'^'.repeat(width)}\n${message}`;
  });
  const first = diagnostics[0];
  const headline = typeof first.messageText === 'string' ? first.messageText : first.messageText.messageText;
  const evalue = `TS${first.code}: ${headline}`;
  return { status: 'error', ename: TYPE_ERROR_NAME, evalue, traceback: [header(TYPE_ERROR_NAME), ...blocks, `${TYPE_ERROR_NAME}: ${evalue}`] };
}

export function interruptOutcome(): ErrorOutcome {
  return { status: 'error', ename: INTERRUPT_NAME, evalue: '', traceback: [header(INTERRUPT_NAME), `${INTERRUPT_NAME}: `] };
}

export function isSigintInterruption(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED';
}

const FRAME = /^\s*at (?:async )?(?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/;
const ENGINE_DIR = __dirname + path.sep;

export function runtimeErrorOutcome(error: unknown, sources: CellSources): ErrorOutcome {
  if (isSigintInterruption(error)) return interruptOutcome();
  const isErrorLike = error !== null && typeof error === 'object' && typeof (error as Error).message === 'string';
  if (!isErrorLike) {
    const evalue = inspect(error);
    return { status: 'error', ename: NON_ERROR_NAME, evalue, traceback: [header(NON_ERROR_NAME), `${NON_ERROR_NAME}: ${evalue}`] };
  }
  const err = error as Error;
  const ename = typeof err.name === 'string' && err.name ? err.name : (err.constructor?.name ?? 'Error');
  const evalue = err.message;
  const frames: string[] = [];
  const stack = typeof err.stack === 'string' ? err.stack.split('\n') : [];
  for (const line of stack) {
    const m = FRAME.exec(line);
    if (!m) continue;
    const [, fn, file, lineNo, colNo] = m;
    // The cell's callers are the engine (or vm itself): nothing below them belongs to the user.
    if (file === 'node:vm' || file.startsWith(ENGINE_DIR)) break;
    if (file.startsWith('node:')) continue;
    const cell = sources.get(file);
    const name = fn && !fn.startsWith('__tsf') ? fn : undefined;
    if (cell) {
      const srcLine = originalLine(cell.map, Number(lineNo), Number(colNo));
      if (srcLine === undefined) continue;
      frames.push(`${cell.label}, line ${srcLine}${name ? `, in ${name}` : ''}\n${excerpt(cell.lines, srcLine)}`);
    } else {
      frames.push(`File ${file}:${lineNo}${name ? `, in ${name}` : ''}`);
    }
  }
  frames.reverse();
  return { status: 'error', ename, evalue, traceback: [header(ename), ...frames, `${ename}: ${evalue}`] };
}
