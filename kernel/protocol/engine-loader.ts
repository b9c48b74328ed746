/**
 * Creates the cell engine on first need, so that the kernel answers kernel_info before the TypeScript compiler is
 * even loaded. TSFUTURES_ENGINE may name another module exporting createEngine (the protocol tests use a small
 * vm-based one, so they do not depend on the real engine).
 *
 * preloadEngine() starts that work as soon as the sockets are bound or binding, while clients connect (they retry
 * 100-200 ms apart): start-up is then the longer of the two instead of their sum.
 */
import * as path from 'node:path';
import type { CellEngine } from './engine';
import { traceStartup } from '../process/startup-trace';
import { log } from '../process/log';
import { cellLanguage, type CellLanguage } from '../cells/language';
import { setImmediate, setTimeout } from 'node:timers';

type EngineModule = { createEngine(options: { cwd: string; globals?: Record<string, unknown>; language?: CellLanguage }): CellEngine };

function engineModulePath(): string {
  return process.env.TSFUTURES_ENGINE || path.join(__dirname, '..', 'cells', 'index.js');
}

function createEngine(cwd: string): CellEngine {
  // A runtime require: the engine is large and must not load with this module.
  const mod = require(engineModulePath()) as EngineModule;
  // display, clear_output, input: every cell's scope has them (they reach the frontend through the output router).
  const { notebookGlobals } = require('../output') as typeof import('../output');
  return mod.createEngine({ cwd, globals: notebookGlobals(), language: cellLanguage() });
}

/** An engine created ahead of need, for the cwd and module it was made with; `adopted` once get() took it. */
let preloaded: { cwd: string; modulePath: string; engine?: CellEngine; adopted?: boolean } | undefined;

/**
 * Creates the engine on the next turn of the event loop (after the caller has started its own async work), then
 * warms it up on the turn after. Resolves once that is over, either way.
 */
export function preloadEngine(cwd: string = process.cwd()): Promise<void> {
  const entry: NonNullable<typeof preloaded> = { cwd, modulePath: engineModulePath() };
  preloaded = entry;
  return new Promise((done) => {
    setImmediate(() => {
      if (preloaded !== entry) return done();
      try {
        entry.engine = createEngine(cwd);
        traceStartup('engine created');
      } catch {
        // Not here: EngineLoader.get() tries again and reports the error to the cell that needs the engine.
        preloaded = undefined;
        return done();
      }
      // Another turn: a request that came meanwhile goes first. Clients connect 100-200 ms apart (libzmq's reconnect
      // interval and jitter), so the kernel is often idle here, and the first cell no longer pays for this.
      setImmediate(() => {
        try {
          entry.engine?.warmUp?.();
          traceStartup('engine warmed up');
        } catch (e) {
          log('warning', `engine warm-up failed: ${(e as Error)?.message ?? String(e)}`);
        }
        done();
        warmWhileIdle(entry);
      });
    });
  });
}

/** How long after the warm-up the idle steps begin: a client that sends its first cell at once has it running by then. */
export const IDLE_WARM_UP_DELAY_MS = 100;
/** Steps (throwaway cells, a few ms each) by default: about as many as a kernel's first cells took to run warm. */
export const IDLE_WARM_UP_STEPS = 40;

/**
 * The engine's idle warm-up (CellEngine.warmUpIdle), one step a turn, until the engine says no more (it has run a
 * cell), the steps run out (TSFUTURES_IDLE_WARM_UP=n of them, 0: none) or the engine was dropped for another one
 * (get() with another cwd). The kernel takes the engine (get()) right after its first kernel_info, so that is no
 * sign of a cell coming. A client that sends its cells at once, as a notebook run or a benchmark does, has its first
 * cell running before the first step.
 */
function warmWhileIdle(entry: NonNullable<typeof preloaded>): void {
  const steps = Number(process.env.TSFUTURES_IDLE_WARM_UP ?? IDLE_WARM_UP_STEPS);
  let step = 0;
  const next = () => {
    if ((preloaded !== entry && !entry.adopted) || !entry.engine?.warmUpIdle || !(step < steps)) return;
    try {
      if (!entry.engine.warmUpIdle(step++)) return;
    } catch (e) {
      log('warning', `engine idle warm-up failed: ${(e as Error)?.message ?? String(e)}`);
      return;
    }
    if (step === steps) traceStartup('engine idle warm-up done');
    // A turn of the event loop between steps: a request that came during one is read before the next.
    setImmediate(next);
  };
  setTimeout(next, IDLE_WARM_UP_DELAY_MS).unref();
}

export class EngineLoader {
  private engine?: CellEngine;
  /** The cells' language, from the kernelspec's environment (a bad value stops the kernel here, naming it). */
  readonly language: CellLanguage = cellLanguage();

  constructor(private readonly cwd: string = process.cwd()) {}

  get loaded(): CellEngine | undefined {
    return this.engine;
  }

  get(): CellEngine {
    if (!this.engine) {
      // Taken or not, the preload is over (a pending one is cancelled: one engine per kernel).
      const early = preloaded;
      preloaded = undefined;
      const usable = early?.engine && early.cwd === this.cwd && early.modulePath === engineModulePath();
      if (usable) early.adopted = true;
      this.engine = usable ? early.engine! : createEngine(this.cwd);
    }
    return this.engine;
  }

  /** The TypeScript version without loading the compiler (same package the engine type-checks with). */
  languageVersion(): string {
    if (this.engine) return this.engine.languageVersion;
    return (require('typescript/package.json') as { version: string }).version;
  }
}
