/**
 * One kernel for one notebook: started from the notebook's kernelspec (or an override), in the
 * notebook's directory like nbclient, running code cells one after another, stopped at the end.
 */
import * as path from 'node:path';
import { CellTimeoutError, KernelDiedError } from './client/client';
import { getKernelSpec, NoSuchKernel } from './client/kernelspecs';
import { KernelManager } from './client/manager';
import type { ErrorOutput, NbOutput, OutputEvent } from './client/outputs';
import { kernelNameOf, NotebookError, type LoadedNotebook } from './notebook';

export interface SessionOptions {
  /** Overrides metadata.kernelspec.name. */
  kernelName?: string;
  /** Seconds to wait for the kernel to come up. */
  startTimeout?: number;
}

export type CellRun =
  | { status: 'ok'; outputs: NbOutput[]; executionCount: number | null }
  | { status: 'error'; outputs: NbOutput[]; executionCount: number | null; error: ErrorOutput }
  /** interrupted: the kernel answered the interrupt; if not, it has been stopped (it would hold up every later cell). */
  | { status: 'timeout'; outputs: NbOutput[]; executionCount: number | null; seconds: number; interrupted: boolean }
  | { status: 'died'; outputs: NbOutput[]; executionCount: null; message: string };

const DEFAULT_KERNEL = 'python3';

/** How long a timed-out cell's kernel gets to answer the interrupt before it is stopped (nbval's output_timeout). */
export const INTERRUPT_GRACE_SECONDS = 5;

export class NotebookSession {
  private constructor(
    readonly manager: KernelManager,
    readonly kernelName: string,
  ) {}

  /** Starts the kernel; a missing kernelspec or a kernel that does not come up is a NotebookError (one line). */
  static async start(loaded: LoadedNotebook, options: SessionOptions = {}): Promise<NotebookSession> {
    const kernelName = options.kernelName ?? kernelNameOf(loaded.notebook) ?? DEFAULT_KERNEL;
    let manager: KernelManager;
    try {
      manager = new KernelManager(getKernelSpec(kernelName), { cwd: path.dirname(path.resolve(loaded.path)), startTimeout: options.startTimeout });
    } catch (e) {
      if (e instanceof NoSuchKernel) throw new NotebookError(`${loaded.path}: kernel "${kernelName}" is not installed`);
      throw new NotebookError(`${loaded.path}: kernelspec "${kernelName}" is unusable: ${(e as Error).message}`);
    }
    try {
      await manager.start();
    } catch (e) {
      throw new NotebookError(`${loaded.path}: kernel "${kernelName}" failed to start: ${firstLine((e as Error).message)}`);
    }
    return new NotebookSession(manager, kernelName);
  }

  get alive(): boolean {
    return this.manager.isRunning();
  }

  /**
   * Runs one cell. A timeout interrupts the kernel so that the next cell can run; a kernel that does not answer
   * the interrupt (one that ignores SIGINT) is stopped, as nbval does, so later cells fail at once.
   */
  async run(code: string, { timeout, onOutput }: { timeout?: number; onOutput?: (event: OutputEvent) => void } = {}): Promise<CellRun> {
    const client = this.manager.client;
    if (!client || !this.manager.isRunning()) return { status: 'died', outputs: [], executionCount: null, message: this.diedMessage() };
    try {
      // stop_on_error false: every cell is judged on its own, and with true ipykernel aborts a request that comes
      // right after an error (its abort window outlives the idle status), which made the next cell fail at random.
      const { reply, outputs, executionCount } = await client.execute(code, {
        timeout,
        onOutput,
        stopOnError: false,
        onTimeout: () => this.manager.interrupt(),
        graceSeconds: INTERRUPT_GRACE_SECONDS,
      });
      if (reply.status === 'error' || reply.status === 'aborted') {
        const shown = outputs.find((o): o is ErrorOutput => o.output_type === 'error');
        const failure = reply.status === 'error' ? reply : undefined; // an aborted reply names no error
        const error = shown ?? { output_type: 'error', ename: String(failure?.ename ?? 'Error'), evalue: String(failure?.evalue ?? reply.status), traceback: failure?.traceback ?? [] };
        return { status: 'error', outputs, executionCount, error };
      }
      return { status: 'ok', outputs, executionCount };
    } catch (e) {
      if (e instanceof CellTimeoutError) {
        const interrupted = e.reply !== undefined;
        if (!interrupted) await this.manager.shutdown({ now: true });
        return { status: 'timeout', outputs: e.outputs, executionCount: e.reply?.execution_count ?? null, seconds: e.seconds, interrupted };
      }
      if (e instanceof KernelDiedError) return { status: 'died', outputs: [], executionCount: null, message: this.diedMessage() };
      throw e;
    }
  }

  diedMessage(): string {
    const stderr = this.manager.stderr.trim();
    return `kernel "${this.kernelName}" died${stderr ? `; its stderr:\n${stderr}` : ''}`;
  }

  async close(): Promise<void> {
    await this.manager.shutdown();
  }
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim()) ?? text;
}

