/**
 * The contract between the protocol side of the kernel (handlers.ts) and the cell engine (cells/).
 * The handlers never see TypeScript or vm; the engine never sees sockets or messages.
 */
import type { ContentOf } from '../transport/wire';

/** What running one cell produced. Output (stdout/stderr/display) is not here: it is routed as it happens. */
export type CellOutcome =
  | { status: 'ok'; /** true when the cell ends in an expression statement whose value is `value` */ hasValue: boolean; value?: unknown }
  | { status: 'error'; ename: string; evalue: string; traceback: string[] };

export interface Completion {
  matches: string[];
  cursor_start: number;
  cursor_end: number;
  metadata: Extract<ContentOf<'complete_reply'>, { status: 'ok' }>['metadata'];
}

export interface Inspection {
  found: boolean;
  /** mimebundle: text/plain and text/markdown */
  data: Record<string, string>;
}

export type Completeness = { status: 'complete' } | { status: 'incomplete'; indent: string } | { status: 'invalid' };

export interface CellEngine {
  /** Type-checks the cell against the earlier ones, then runs it in the persistent context. */
  execute(code: string, options?: { storeHistory?: boolean }): Promise<CellOutcome>;
  /** Evaluates an expression (user_expressions) in the current context without type-checking it. */
  evaluate(expression: string): Promise<CellOutcome>;
  complete(code: string, cursorPos: number): Completion;
  inspect(code: string, cursorPos: number, detailLevel: number): Inspection;
  isComplete(code: string): Completeness;
  /**
   * Optional: does, ahead of the first cell and without effects a cell could see, the one-time work that cell would
   * otherwise wait for (compiling the checker's and emitter's paths). Called while the kernel waits for a client.
   */
  warmUp?(): void;
  /**
   * Optional: one more step of such work, while the kernel waits for its first cell (a human's comes seconds after a
   * start). Each step is short, so a request that comes meanwhile waits at most one; false: no more steps (a cell
   * has run).
   */
  warmUpIdle?(step: number): boolean;
  /** Abandons the cell that is awaiting, making its execute() resolve with ename KeyboardInterrupt. */
  interrupt(): void;
  /** The TypeScript version the engine checks with (kernel_info language_info.version). */
  readonly languageVersion: string;
}
