import * as vm from 'node:vm';
import type { CellOutcome } from '../protocol/engine';
import { CELL_HELPER } from './cell-wrapper';
import { type CellSources, interruptOutcome, runtimeErrorOutcome } from './traceback';
import { interruptGate } from '../process/interrupt-gate';
import { setImmediate } from 'node:timers';

/**
 * Runs transformed cells in the kernel's own realm (vm.Script#runInThisContext), not in a separate vm context:
 * the runtime, Node's globals and the cells then share one set of intrinsics, so `instanceof Error/Array`,
 * Object.prototype checks in repr() and the process-pool's lookup of globals all behave as in one program.
 * Top-level names become properties of this realm's globalThis.
 */
export const REALM_GLOBAL: Record<string, unknown> = vm.runInThisContext('globalThis');

/** What the emitted code reaches through the `__tsf` global (see transform.ts). */
export interface CellHelper {
  require(specifier: string): unknown;
  import(specifier: string): Promise<unknown>;
  importDefault(mod: unknown): unknown;
  /** Imports whose names are also platform globals (cell-wrapper.ts): name -> module or export. */
  shadows: Record<string, unknown>;
}

const INTERRUPTED = Symbol('interrupted');

export class CellRunner {
  private abortPending: (() => void) | undefined;
  /** A SIGINT seen after the cell began but before its code started (while it was type-checked). */
  private interruptedEarly = false;

  constructor(private readonly helper: CellHelper, private readonly sources: CellSources) {}

  /** Called when a cell begins (before its type check): a SIGINT from before then is not this cell's. */
  beginCell(): void {
    this.interruptedEarly = false;
  }

  /**
   * `inert()` true: the cell cannot run long (inert.ts), so no SIGINT watchdog thread for its run. Asked right before
   * the run, with nothing in between: it looks at the globals' current values.
   */
  async run(js: string, scriptFile: string, inert: () => boolean = () => false): Promise<CellOutcome> {
    // An interrupt that came during the synchronous type check stops the cell here. In the kernel the gate has it
    // (interrupt-gate.ts); without one (the engine alone, its tests) a SIGINT listener calling interrupt() can only
    // run after this turn of the loop, and breakOnSigint only sees signals that arrive while the script runs.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.interruptedEarly || interruptGate().asked()) return interruptOutcome();
    let completion: unknown;
    try {
      const script = new vm.Script(js, { filename: scriptFile });
      // Set per run: with several engines in one process (tests), each cell resolves imports from its own notebook.
      Object.defineProperty(REALM_GLOBAL, CELL_HELPER, { value: this.helper, configurable: true, writable: true, enumerable: false });
      // Watched (breakOnSigint): an interrupt stops a synchronous endless loop in the cell.
      completion = inert() ? script.runInThisContext({ displayErrors: false }) : interruptGate().runWatched(() => script.runInThisContext({ displayErrors: false }));
    } catch (error) {
      return runtimeErrorOutcome(error, this.sources);
    }
    let boxed: unknown;
    // Thenable test rather than instanceof: the engine may be loaded in another realm than the cells (jest).
    if (isThenable(completion)) {
      // An abandoned cell may still fail later: that must not become an unhandled rejection.
      completion.then(undefined, () => undefined);
      const interrupted = new Promise<typeof INTERRUPTED>((resolve) => {
        this.abortPending = () => resolve(INTERRUPTED);
      });
      try {
        boxed = await Promise.race([completion, interrupted]);
      } catch (error) {
        return runtimeErrorOutcome(error, this.sources);
      } finally {
        this.abortPending = undefined;
      }
      if (boxed === INTERRUPTED) return interruptOutcome();
    } else {
      boxed = completion;
    }
    // The wrapper returns [value] when the cell ends in an expression; undefined shows nothing (as in IPython/tslab).
    if (Array.isArray(boxed) && boxed[0] !== undefined) return { status: 'ok', hasValue: true, value: boxed[0] };
    return { status: 'ok', hasValue: false };
  }

  /** Makes the cell that is awaiting finish now with KeyboardInterrupt; its remaining work is abandoned. */
  interrupt(): void {
    if (this.abortPending) this.abortPending();
    else this.interruptedEarly = true;
  }
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return x !== null && typeof x === 'object' && typeof (x as PromiseLike<unknown>).then === 'function';
}
