/**
 * The kernel process: binds the sockets (session.ts, io-thread.ts), routes output, dispatches requests, and ends
 * cleanly on shutdown_request, SIGTERM or the death of the process that started it.
 */
import { readConnectionFile } from './transport/connection';
import { Session, type Incoming } from './protocol/session';
import { installOutput, type OutputRouter } from './output';
import { History } from './protocol/history';
import { installComms, uninstallComms } from './protocol/comms';
import { EngineLoader, preloadEngine } from './protocol/engine-loader';
import { Dispatcher } from './protocol/dispatcher';
import type { Kernel } from './protocol/handlers';
import { killDescendants } from './process/children';
import { log } from './process/log';
import { guardExit, type Exit } from './process/exit-guard';
import { traceStartup } from './process/startup-trace';
import { onSigterm } from './process/sigterm';
import { interruptGate, refuseSigintListeners } from './process/interrupt-gate';
import { setTimeout } from 'node:timers';

/** The real process.exit: once the kernel starts, cells get one that refuses (exit-guard.ts). */
let exit: Exit = process.exit.bind(process) as Exit;

class RunningKernel implements Kernel {
  executionCount = 0;
  readonly history = new History();
  readonly engine = new EngineLoader();
  readonly dispatcher = new Dispatcher(this);
  private stopping?: Promise<void>;

  constructor(
    readonly session: Session,
    readonly output: OutputRouter,
  ) {}

  abortQueued(): Promise<void> {
    return this.dispatcher.abortQueued();
  }

  loadEngineSoon(): void {
    if (this.engine.loaded) return;
    setTimeout(() => {
      try {
        this.engine.get();
      } catch (e) {
        // Reported again, to the user, when a cell needs the engine.
        log('error', `cannot load the cell engine: ${(e as Error).message}`);
      }
    }, 0);
  }

  onMessage({ channel, identities, message }: Incoming): void {
    if (channel === 'stdin') {
      if (message.header.msg_type === 'input_reply') this.output.deliverInput(String((message.content as { value?: unknown }).value ?? ''));
      return;
    }
    this.dispatcher.push({ channel, identities, message });
  }

  /** Replies are already posted; send them, end child processes, close the sockets, exit. */
  shutdown(_restart = false): Promise<void> {
    // restart needs nothing special: the client starts a new process, and this one must leave nothing behind.
    this.stopping ??= (async () => {
      uninstallComms();
      this.output.uninstall();
      await killDescendants();
      await this.session.close();
      exit(0);
    })();
    return this.stopping;
  }
}

export async function startKernel(connectionFile: string): Promise<void> {
  traceStartup('kernel modules loaded');
  refuseSigintListeners(); // cli.ts prestartKernel has made the SIGINT watchdog the kernel's (holdSigint)
  const connection = readConnectionFile(connectionFile);
  exit = guardExit();
  // The compiler loads on this thread from the next turn on, while zeromq binds (unless cli.ts prestartKernel did).
  const engineReady = preloadEngine();
  const session = await Session.start(connection);
  traceStartup('sockets bound, main thread free');
  void engineReady.then(() => session.startIoThread()); // not sooner: see startIoThread
  const output = installOutput(session);
  installComms(session, output);
  const kernel = new RunningKernel(session, output);
  session.status('starting');
  // Requests that came during the start are handed on now, after 'starting'.
  session.listen({
    message: (m) => kernel.onMessage(m),
    // The io thread was asked to interrupt this cell (interrupt-gate.ts): the engine abandons it if it awaits, or
    // stops it before it runs.
    interrupt: (cell) => interruptGate().isCurrent(cell) && kernel.engine.loaded?.interrupt(),
    // Exits when the parent (the notebook server, jupyter_client) goes away, so no kernel is left orphaned.
    parentGone: () => {
      log('info', 'parent process is gone; shutting down');
      void kernel.shutdown(false);
    },
    // Control or heartbeat could not be bound (or the io thread died): a kernel without them cannot be interrupted.
    failed: (error) => {
      log('error', error.message);
      void session.close().finally(() => exit(1)); // after the io thread's end, as in shutdown (session.ts close)
    },
  });
  // Held since the first line of the kernel command (sigterm.ts): one that came during the start-up ends it now.
  onSigterm(() => void kernel.shutdown(false));
  // An error thrown by a timer or task after its cell finished must not end the kernel: it is shown in that cell.
  process.on('uncaughtException', (e) => process.stderr.write(`Uncaught ${(e as Error)?.stack ?? String(e)}\n`));
  process.on('unhandledRejection', (e) => process.stderr.write(`Unhandled rejection: ${(e as Error)?.stack ?? String(e)}\n`));
}
