/**
 * Starts, interrupts, restarts and stops one kernel process from a kernelspec, like jupyter_client's
 * KernelManager. The kernel gets its own process group so that shutdown can leave no orphans
 * (process-pool workers included).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { KernelClient } from './client';
import { newConnectionInfo, type ConnectionInfo } from './connection';
import type { KernelSpec } from './kernelspecs';
import type { KernelInfo } from './client';

/** Keep the tail of the kernel's stderr: enough for a traceback, bounded for a chatty kernel. */
const STDERR_LIMIT = 64 * 1024;

export interface StartOptions {
  /** Seconds to wait for the kernel to answer kernel_info. */
  startTimeout?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export class KernelManager {
  private child: ChildProcess | undefined;
  private tempDir: string | undefined;
  private stderrText = '';
  private exitPromise: Promise<number | null> = Promise.resolve(null);
  connection: ConnectionInfo | undefined;
  client: KernelClient | undefined;
  kernelInfo: KernelInfo | undefined;

  constructor(
    readonly spec: KernelSpec,
    private readonly options: StartOptions = {},
  ) {}

  /** What the kernel wrote on stderr (tail), for error reports. */
  get stderr(): string {
    return this.stderrText;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  isRunning(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Launches the kernel and returns a connected client once it answered kernel_info. */
  async start(): Promise<KernelClient> {
    this.connection = await newConnectionInfo(this.spec.name);
    this.tempDir = mkdtempSync(path.join(tmpdir(), 'tsfutures-kernel-'));
    const connectionFile = path.join(this.tempDir, `kernel-${process.pid}-${Date.now()}.json`);
    writeFileSync(connectionFile, JSON.stringify(this.connection, null, 1), { mode: 0o600 });
    const argv = this.spec.argv.map((a) =>
      a.replaceAll('{connection_file}', connectionFile).replaceAll('{resource_dir}', this.spec.resourceDir ?? ''),
    );
    this.stderrText = '';
    const child = spawn(argv[0], argv.slice(1), {
      cwd: this.options.cwd,
      env: { ...(this.options.env ?? process.env), ...this.spec.env, JPY_PARENT_PID: String(process.pid) },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true, // own process group: killed as a whole on shutdown
    });
    this.child = child;
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      this.stderrText = (this.stderrText + chunk).slice(-STDERR_LIMIT);
    });
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    this.exitPromise = new Promise((resolve) => {
      child.once('error', () => resolve(null));
      child.once('exit', (code, signal) => {
        this.client?.failPending(`kernel died (${signal ?? `exit code ${code}`})${this.stderrText ? `:\n${this.stderrText}` : ''}`);
        resolve(code);
      });
    });
    const client = new KernelClient(this.connection);
    this.client = client;
    const timeout = this.options.startTimeout ?? 60;
    const outcome = await Promise.race([
      client.kernelInfo(timeout).then((info) => ({ info })),
      spawnError.then((error) => ({ error: new Error(`cannot start kernel ${this.spec.name} (${argv[0]}): ${error.message}`) })),
      this.exitPromise.then((code) => ({ error: new Error(`kernel ${this.spec.name} exited with code ${code} during start-up${this.stderrText ? `:\n${this.stderrText.trim()}` : ''}`) })),
    ]).catch((error: Error) => ({ error }));
    if ('error' in outcome) {
      await this.shutdown({ now: true });
      throw outcome.error;
    }
    this.kernelInfo = outcome.info;
    return client;
  }

  /** SIGINT to the kernel's process group for interrupt_mode signal (as jupyter_client), else interrupt_request. */
  async interrupt(): Promise<void> {
    if (!this.isRunning()) return;
    if (this.spec.interrupt_mode === 'signal') this.signalGroup('SIGINT');
    else await this.client?.controlRequest('interrupt_request', {});
  }

  /**
   * Asks the kernel to shut down on control, waits for it to exit, then SIGTERM and SIGKILL the whole
   * process group, closes the client's sockets and removes the connection file.
   */
  async shutdown({ restart = false, now = false, waitSeconds = 5 }: { restart?: boolean; now?: boolean; waitSeconds?: number } = {}): Promise<void> {
    if (this.isRunning() && !now) {
      await this.client?.controlRequest('shutdown_request', { restart }, waitSeconds);
      await this.waitExit(waitSeconds);
    }
    this.client?.dispose();
    this.client = undefined;
    if (this.isRunning()) {
      this.signalGroup('SIGTERM');
      if (!(await this.waitExit(2))) this.signalGroup('SIGKILL');
      await this.waitExit(2);
    }
    // Children of the kernel (pool workers) outlive it in the same group: finish them too.
    this.signalGroup('SIGKILL');
    if (this.tempDir) rmSync(this.tempDir, { recursive: true, force: true });
    this.tempDir = undefined;
  }

  async restart(): Promise<KernelClient> {
    await this.shutdown({ restart: true });
    return this.start();
  }

  private async waitExit(seconds: number): Promise<boolean> {
    if (!this.isRunning()) return true;
    let timer: NodeJS.Timeout | undefined;
    const exited = await Promise.race([
      this.exitPromise.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), seconds * 1000))),
    ]);
    clearTimeout(timer);
    return exited;
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (!pid) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // group already gone
    }
  }
}
