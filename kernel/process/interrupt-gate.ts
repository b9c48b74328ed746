/**
 * How an interrupt reaches the running cell, from a SIGINT (Jupyter's interrupt_mode "signal") or an
 * interrupt_request, without ever landing where Node turns SIGINT into the kernel's death.
 *
 * vm's breakOnSigint is the one way to stop a synchronous loop (`while (true) {}`) on the main thread: while such a
 * run lasts, Node's SIGINT watchdog turns the signal into an exception. Around the run, Node leaves two gaps in
 * which SIGINT ends the process: node:vm removes the process's SIGINT listeners (SIG_DFL) before the watchdog is
 * installed, and the watchdog's teardown puts back Node's exiting handler before the listeners return
 * (sigintHandlersWrap in lib/vm.js, SigintWatchdogHelper::Stop). Measured (Node 20): a worker raising SIGINT every
 * millisecond kills a main thread running short breakOnSigint scripts within its first batch, and a CI run lost the
 * kernel to one interrupt sent just as a `while (true) {}` cell started.
 *
 * 1. The kernel holds Node's SIGINT watchdog for its whole life (holdSigint: the contextify binding's
 *    startSigintWatchdog, which the REPL uses too) and has no SIGINT listener. The watchdog's count then never drops
 *    to zero, so its handler stays installed and SIGINT never ends the process. A SIGINT during a watched run stops
 *    the run; one at any other time is only marked pending, and the io thread, which polls that mark while a cell
 *    runs (takeSignal), turns it into an interrupt request.
 * 2. An interrupt request (that mark, an interrupt_request, the memory guard) is settled through two shared slots:
 *      STATE  the number of the current execute_request and its phase, in one word: idle (no execute_request) |
 *             busy (one runs, not in a watched span) | watched | signalled
 *      ASKED  the number of the execute_request an interrupt was asked for
 *    A watched run is a tiny wrapper script that calls enter() first and leave() last, both inside the watchdog's
 *    span. The io thread (ask) writes ASKED, then moves watched -> signalled and only then raises SIGINT. enter()
 *    sets watched, then reads ASKED: with sequentially consistent atomics either it sees the request (an interrupt
 *    that came while the cell was type-checked stops it before its code runs) or the io thread sees watched and
 *    signals. leave() moves watched back; when it finds signalled, the SIGINT is on its way and leave() waits for it
 *    where the watchdog catches it. A cell that awaits is not in a watched span: the io thread's message reaches the
 *    then free main thread, which abandons the cell (runner.ts). The cell's number is in the word the io thread
 *    moves to signalled, so an interrupt asked for one cell can never signal the next one, however late the io
 *    thread gets there.
 *    The kernel's safety rests on 1; 2 makes each interrupt reach the cell it was meant for. (2 alone does not keep
 *    the process alive: docs/performance.md, "Interrupt gate".)
 *
 * A SIGINT listener would take the signal from the watchdog for good (libuv installs its own handler, and node:vm's
 * juggling of listeners then opens the gaps again), so the kernel refuses them (refuseSigintListeners).
 */
import * as vm from 'node:vm';
import { log } from './log';
import { setTimeout } from 'node:timers';

/** (number of the current execute_request << 2) | Phase. */
const STATE = 0;
const ASKED = 1;
/** The running execute_request's client (RequestStamp.client; 0: unknown). */
const CLIENT = 2;
/** Byte offset, after the four Int32 slots, of the running execute_request's RequestStamp.sentAt (a Float64). */
const SENT_AT_BYTE = 16;
const BUFFER_BYTES = 24;
const enum Phase {
  Idle = 0,
  Busy = 1,
  Watched = 2,
  Signalled = 3,
}
const phaseOf = (state: number): Phase => state & 3;
const cellOf = (state: number): number => state >>> 2;
const stateOf = (cell: number, phase: Phase): number => (cell << 2) | phase;
/** How long leave() waits for a SIGINT the io thread has raised; far above the ~1-10 ms it takes (measured). */
const SIGNAL_WAIT_MS = 2000;
/** Where the wrapper script finds the run it wraps: a symbol of the isolate, as cells may run in another realm. */
const RUN = Symbol.for('tsfutures.watchedRun');
const WRAPPER_SOURCE = `(function (run) { run.enter(); try { return run.body(); } finally { run.leave(); } })(globalThis[Symbol.for(${JSON.stringify(RUN.description)})])`;

/** Node's process-wide SIGINT watchdog, as the contextify binding exposes it (the REPL's breakEvalOnSigint uses it). */
interface SigintWatchdog {
  /** Counted: the handler is installed on the first start and removed when stops bring the count back to 0. */
  startSigintWatchdog(): boolean;
  /** Returns whether a SIGINT came while no run was watched, and forgets it (when the count stays above 0). */
  stopSigintWatchdog(): boolean;
  watchdogHasPendingSigint(): boolean;
}

let watchdogBinding: SigintWatchdog | null | undefined;

/** Null if this Node no longer exposes it (process.binding is deprecated, DEP0111). Looked up once per thread. */
function sigintWatchdog(): SigintWatchdog | null {
  if (watchdogBinding !== undefined) return watchdogBinding;
  try {
    const binding = (process as unknown as { binding(name: string): Partial<SigintWatchdog> }).binding('contextify');
    watchdogBinding = typeof binding.startSigintWatchdog === 'function' ? (binding as SigintWatchdog) : null;
  } catch {
    watchdogBinding = null;
  }
  return watchdogBinding;
}

let held = false;

/** Main thread, as early as possible: SIGINT is the watchdog's from now on, and never the process's end (see above). */
export function holdSigint(): void {
  if (held) return;
  // Without it (no thread to be had) the kernel still runs, as exposed to those gaps as Node itself.
  if (sigintWatchdog()?.startSigintWatchdog()) held = true;
  else log('error', 'cannot start the SIGINT watchdog thread: a SIGINT may end the kernel');
}

/**
 * Main thread, after holdSigint: `process.on('SIGINT', ...)` (and once, addListener, prepend*) in a cell throws
 * instead of taking SIGINT from the watchdog. Ahead of Node's own 'newListener' hook, which would start listening.
 */
export function refuseSigintListeners(): void {
  (process as NodeJS.EventEmitter).prependListener('newListener', (event: string | symbol) => {
    if (event === 'SIGINT') {
      throw new Error("a SIGINT listener was refused: SIGINT is how Jupyter interrupts a cell, and the kernel turns it into KeyboardInterrupt");
    }
  });
}

/** Forgets a SIGINT that came while no run was watched; returns whether there was one. Either thread. */
function takePendingSigint(): boolean {
  const watchdog = sigintWatchdog();
  if (!watchdog?.watchdogHasPendingSigint()) return false;
  watchdog.startSigintWatchdog();
  return watchdog.stopSigintWatchdog();
}

/** What a watched run throws when it was interrupted: the same code as Node's watchdog uses (traceback.ts). */
function interruption(): Error {
  return Object.assign(new Error('Script execution was interrupted by `SIGINT`'), { code: 'ERR_SCRIPT_EXECUTION_INTERRUPTED' });
}

export class InterruptGate {
  private readonly slots: Int32Array;
  /** The running execute_request's RequestStamp.sentAt (written before STATE moves on, read after it is loaded). */
  private readonly sentAt: Float64Array;
  /** The state a watched run started from and returns to (busy; idle when no execute_request runs: engine tests). */
  private previous = stateOf(0, Phase.Idle);
  private wrapper: vm.Script | undefined;
  /** The realm's own global, which the wrapper sees (under jest, this module's globalThis is a sandbox's). */
  private realmGlobal: Record<symbol, unknown> | undefined;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(BUFFER_BYTES)) {
    this.slots = new Int32Array(buffer, 0, 4);
    this.sentAt = new Float64Array(buffer, SENT_AT_BYTE, 1);
  }

  // ---- main thread ----

  /**
   * An execute_request begins: interrupts asked from now on are this one's (a SIGINT while idle is dropped), unless
   * its own client sent them before it (`stamp`, see ask).
   */
  cellStarted(stamp?: RequestStamp): void {
    if (held) takePendingSigint();
    Atomics.store(this.slots, CLIENT, stamp?.client ?? 0);
    this.sentAt[0] = stamp?.sentAt ?? NaN;
    const cell = (this.currentCell() + 1) & 0x3fffffff || 1;
    Atomics.store(this.slots, STATE, stateOf(cell, Phase.Busy));
    Atomics.notify(this.slots, STATE); // wakes whileCellsRun
  }

  cellEnded(): void {
    Atomics.store(this.slots, STATE, stateOf(this.currentCell(), Phase.Idle));
  }

  /** The number of the current (or last) execute_request; 0 before the first. Either thread. */
  currentCell(): number {
    return cellOf(Atomics.load(this.slots, STATE));
  }

  /** Whether the io thread asked to interrupt the current execute_request. */
  asked(): boolean {
    const asked = Atomics.load(this.slots, ASKED);
    return asked !== 0 && asked === this.currentCell();
  }

  /** Whether execute_request number `cell` runs. Either thread. */
  isCurrent(cell: number): boolean {
    const state = Atomics.load(this.slots, STATE);
    return cell === cellOf(state) && phaseOf(state) !== Phase.Idle;
  }

  /** Calls `body` (which runs a cell) under breakOnSigint, with the io thread allowed to signal only inside it. */
  runWatched(body: () => unknown): unknown {
    this.wrapper ??= new vm.Script(WRAPPER_SOURCE, { filename: 'tsfutures:watched-run' });
    this.previous = Atomics.load(this.slots, STATE);
    const global = (this.realmGlobal ??= vm.runInThisContext('globalThis') as Record<symbol, unknown>);
    global[RUN] = {
      enter: () => this.enter(),
      body,
      leave: () => this.leave(),
    };
    try {
      return this.wrapper.runInThisContext({ breakOnSigint: true, displayErrors: false });
    } finally {
      // A run the watchdog ended never reached leave(): it is still `signalled`, and no signal can come any more.
      Atomics.store(this.slots, STATE, this.previous);
      global[RUN] = undefined;
    }
  }

  private enter(): void {
    Atomics.store(this.slots, STATE, stateOf(cellOf(this.previous), Phase.Watched));
    if (this.asked()) throw interruption();
  }

  private leave(): void {
    const watched = stateOf(cellOf(this.previous), Phase.Watched);
    if (Atomics.compareExchange(this.slots, STATE, watched, this.previous) === watched) return;
    // Signalled: SIGINT is raised or about to be; the watchdog ends this loop when it lands (V8 checks at its back edge).
    const until = Date.now() + SIGNAL_WAIT_MS;
    while (Date.now() < until);
    throw interruption();
  }

  // ---- io thread ----

  /** Whether an execute_request runs. */
  running(): boolean {
    return phaseOf(Atomics.load(this.slots, STATE)) !== Phase.Idle;
  }

  /**
   * Calls `tick` every `periodMs` while an execute_request runs; while the kernel is idle the thread is not woken
   * at all (it waits on the state slot, which cellStarted notifies).
   */
  async whileCellsRun(periodMs: number, tick: () => void): Promise<never> {
    for (;;) {
      const state = Atomics.load(this.slots, STATE);
      if (phaseOf(state) === Phase.Idle) {
        const idle = Atomics.waitAsync(this.slots, STATE, state);
        if (idle.async) await idle.value;
      }
      while (this.running()) {
        tick();
        await new Promise((resolve) => setTimeout(resolve, periodMs).unref());
      }
    }
  }

  /** A SIGINT that came outside a watched run, while a cell runs, becomes an interrupt request (ask). */
  takeSignal(): boolean {
    return this.running() && takePendingSigint();
  }

  /**
   * Asks the running execute_request to stop: raises SIGINT if it is in a watched span. Returns its number (for the
   * message that reaches an awaiting cell), or undefined when none runs. `cell`: only if that one still runs.
   * `from`: the interrupt_request's stamp. One that its client sent before the running execute_request was meant for
   * an earlier cell: it is dropped, as it would have been had this thread read it before the main thread read the
   * execute_request (they come on different sockets, read by different threads, so that order is not kept).
   */
  ask(from?: RequestStamp, only?: number): number | undefined {
    const state = Atomics.load(this.slots, STATE);
    const cell = cellOf(state);
    if (phaseOf(state) === Phase.Idle || (only !== undefined && only !== cell)) return undefined;
    if (from && from.client === Atomics.load(this.slots, CLIENT) && from.sentAt < this.sentAt[0]) return undefined;
    Atomics.store(this.slots, ASKED, cell);
    const watched = stateOf(cell, Phase.Watched);
    if (Atomics.compareExchange(this.slots, STATE, watched, stateOf(cell, Phase.Signalled)) === watched) process.kill(process.pid, 'SIGINT');
    return cell;
  }
}

/**
 * Who sent a request, and when by the sender's clock: a 32-bit hash of its header.session (never 0) and its
 * header.date in µs since the epoch. Two requests of one client session are ordered by it exactly; across clients
 * the clocks may differ, so nothing is compared there.
 */
export interface RequestStamp {
  client: number;
  sentAt: number;
}

export function requestStamp(header: { session?: unknown; date?: unknown }): RequestStamp | undefined {
  const { session, date } = header;
  if (typeof session !== 'string' || typeof date !== 'string') return undefined;
  const ms = Date.parse(date); // V8 reads the µs of jupyter_client's dates too, dropping them
  if (Number.isNaN(ms)) return undefined;
  const fraction = /\.(\d+)/.exec(date)?.[1] ?? '';
  let hash = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < session.length; i++) hash = Math.imul(hash ^ session.charCodeAt(i), 0x01000193);
  return { client: hash | 0 || 1, sentAt: ms * 1000 + Number(fraction.padEnd(6, '0').slice(3, 6)) };
}

let mainGate: InterruptGate | undefined;

/** The main thread's gate (created on first use: a start-up snapshot cannot hold a SharedArrayBuffer). */
export function interruptGate(): InterruptGate {
  return (mainGate ??= new InterruptGate());
}
