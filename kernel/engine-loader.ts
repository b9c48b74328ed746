/**
 * Creates the cell engine on first need, so that the kernel answers kernel_info before the TypeScript compiler is
 * even loaded. TSFUTURES_ENGINE may name another module exporting createEngine (the protocol tests use a small
 * vm-based one, so they do not depend on the real engine).
 */
import * as path from 'node:path';
import type { CellEngine } from './engine';

type EngineModule = { createEngine(options: { cwd: string; globals?: Record<string, unknown> }): CellEngine };

export class EngineLoader {
  private engine?: CellEngine;

  constructor(private readonly cwd: string = process.cwd()) {}

  get loaded(): CellEngine | undefined {
    return this.engine;
  }

  get(): CellEngine {
    if (!this.engine) {
      const modulePath = process.env.TSFUTURES_ENGINE || path.join(__dirname, 'cells', 'index.js');
      // A runtime require: the engine is large and must not load with this module.
      const mod = require(modulePath) as EngineModule;
      // display, clear_output, input: the notebook functions every cell sees.
      const { notebookGlobals } = require('./output') as typeof import('./output');
      this.engine = mod.createEngine({ cwd: this.cwd, globals: notebookGlobals() });
    }
    return this.engine;
  }

  /** The TypeScript version without loading the compiler (same package the engine type-checks with). */
  languageVersion(): string {
    if (this.engine) return this.engine.languageVersion;
    return (require('typescript/package.json') as { version: string }).version;
  }
}
