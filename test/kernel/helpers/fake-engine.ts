/**
 * A tiny CellEngine for the protocol tests: plain JavaScript in one persistent vm context, no type-checking.
 * It lets the kernel's protocol side be tested on its own (TSFUTURES_ENGINE points the kernel at this file).
 */
import * as vm from 'node:vm';
import type { CellEngine, CellOutcome, Completeness } from '../../../kernel/protocol/engine';
import { notebookGlobals } from '../../../kernel/output';
import { interruptGate } from '../../../kernel/process/interrupt-gate';
import { comms } from '../../../runtime/comm';

function failure(e: unknown): CellOutcome {
  const err = e as Error & { code?: string };
  if (err?.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED' || err?.name === 'KeyboardInterrupt') {
    return { status: 'error', ename: 'KeyboardInterrupt', evalue: '', traceback: ['KeyboardInterrupt'] };
  }
  const name = err?.name ?? 'Error';
  return { status: 'error', ename: name, evalue: String(err?.message ?? e), traceback: [`${name}: ${err?.message ?? e}`] };
}

export function createEngine(_options: { cwd: string }): CellEngine {
  const context = vm.createContext({ require, console, process, setTimeout, clearTimeout, setInterval, clearInterval, Promise, Buffer, comms, ...notebookGlobals() });
  let abort: ((e: Error) => void) | undefined;

  const run = async (code: string): Promise<CellOutcome> => {
    try {
      // Watched as the real engine's runs are, so that interrupt_request stops a synchronous loop here too.
      let value = interruptGate().runWatched(() => vm.runInContext(code, context)) as any;
      if (value && typeof value.then === 'function') {
        const interrupted = new Promise<never>((_, reject) => (abort = reject));
        value = await Promise.race([value, interrupted]);
      }
      return { status: 'ok', hasValue: value !== undefined, value };
    } catch (e) {
      return failure(e);
    } finally {
      abort = undefined;
    }
  };

  const names = () => Object.getOwnPropertyNames(vm.runInContext('globalThis', context)).concat(vm.runInContext('Object.keys(globalThis)', context));
  const tokenAt = (code: string, cursor: number) => {
    const m = /[A-Za-z_$][\w$]*$/.exec(code.slice(0, cursor));
    return { start: m ? cursor - m[0].length : cursor, token: m ? m[0] : '' };
  };

  return {
    languageVersion: 'fake-1.0',
    execute: (code) => run(code),
    evaluate: (expression) => run(expression),
    complete(code, cursor) {
      const { start, token } = tokenAt(code, cursor);
      const pool = new Set([...names(), 'console', 'const', 'let', 'function']);
      return { matches: [...pool].filter((n) => n.startsWith(token)).sort(), cursor_start: start, cursor_end: cursor, metadata: {} };
    },
    inspect(code, cursor) {
      const { token } = tokenAt(code, cursor);
      let found = false;
      let type = '';
      try {
        type = vm.runInContext(`typeof ${token}`, context);
        found = !!token && type !== 'undefined';
      } catch {
        found = false;
      }
      const data: Record<string, string> = found ? { 'text/plain': `${token}: ${type}` } : {};
      return { found, data };
    },
    isComplete(code): Completeness {
      try {
        new vm.Script(code);
        return { status: 'complete' };
      } catch (e) {
        return /Unexpected end of input|Unterminated template/.test((e as Error).message) ? { status: 'incomplete', indent: '  ' } : { status: 'invalid' };
      }
    },
    interrupt() {
      const e = new Error('interrupted');
      e.name = 'KeyboardInterrupt';
      abort?.(e);
    },
  };
}
