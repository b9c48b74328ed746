/**
 * The io thread: a worker_threads Worker that owns the control and heartbeat sockets.
 *
 * It lives apart from the main thread so that the kernel stays reachable while a cell blocks the main thread
 * (`while (true) {}`): heartbeats are answered here, and interrupt_request on control is answered here and passed
 * on through the interrupt gate (interrupt-gate.ts: a SIGINT when the cell runs synchronously, where vm's
 * breakOnSigint turns it into an exception, else a message to the then free main thread), as is a SIGINT that no
 * watched run caught (Jupyter's interrupt while a cell awaits). It also watches the kernel's memory and its parent
 * process. Other control requests are verified, decoded and posted to the main thread, which posts the replies back
 * to be signed and sent. Shell, stdin and iopub are the main thread's own (session.ts): bound there ~50 ms sooner
 * than a worker of a snapshot-started process can (it deserialises its share of the blob first), they let more
 * clients connect at an earlier retry.
 */
import { traceStartup } from '../process/startup-trace';
// Before the other imports (CommonJS output keeps their order): the thread's own start vs loading zeromq and the rest.
traceStartup('io thread: running');
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createMessage, Signer, type Message } from './wire';
import type { ConnectionInfo } from './connection';
import { forceExitAfter, shutdownAnswered, watchParentFromIoThread } from '../process/watchdog';
import { memoryCheck, type MemoryGuardData } from '../process/memory-guard';
import { InterruptGate, requestStamp, type RequestStamp } from '../process/interrupt-gate';
import { fullGc } from '../process/full-gc';
import { bindSockets, closeSockets, echoHeartbeats, loopEnded, receiveMessages, sendMessage, type Sockets } from './channels';

traceStartup('io thread: zeromq loaded');

export type ToMain =
  | { kind: 'failed'; error: string }
  | { kind: 'message'; identities: Uint8Array[]; message: Message }
  /** For iopub, which the main thread owns: the busy/idle around an interrupt_request answered here. */
  | { kind: 'publish'; message: Message }
  /** Execute_request number `cell` was asked to stop (for a cell that awaits, which no SIGINT reaches). */
  | { kind: 'interrupt'; cell: number }
  | { kind: 'parent-gone' };

export type ToIo =
  /** A reply on control. */
  | { kind: 'send'; identities: Uint8Array[]; message: Message }
  /** A shutdown_request on shell was received (answered: its reply was sent): the last resort's timer (watchdog.ts). */
  | { kind: 'shutdown'; answered: boolean }
  /** The kernel has been quiet for a while: a full collection of this thread's heap too (idle-compaction.ts). */
  | { kind: 'collect' }
  /** The kernel is ending: close the sockets and let the thread end by itself (session.ts close waits for that). */
  | { kind: 'close' };

/**
 * While a cell runs, how often the io thread looks for a SIGINT that no watched run caught (the delay such an
 * interrupt gets, at most) and at the kernel's memory (memory-guard.ts).
 */
const CELL_POLL_MS = 20;

export interface IoThreadData {
  connection: ConnectionInfo;
  session: string;
  memory: MemoryGuardData;
  /** The interrupt gate's shared slots (interrupt-gate.ts). */
  gate: SharedArrayBuffer;
  /** The process that started the kernel, read by the main thread early: a parent dying during the bind counts too. */
  parentPid: number;
}

async function run({ connection, session, memory, gate: gateSlots, parentPid }: IoThreadData): Promise<void> {
  const port = parentPort!;
  const post = (m: ToMain) => port.postMessage(m);
  const signer = new Signer(connection.key, connection.signature_scheme);
  let sockets: Sockets<'control' | 'hb'>;
  try {
    sockets = await bindSockets(connection, ['control', 'hb']);
  } catch (e) {
    post({ kind: 'failed', error: (e as Error).message });
    return;
  }
  const { control, hb } = sockets;

  const gate = new InterruptGate(gateSlots);
  const interruptCell = (from?: RequestStamp, only?: number) => {
    const cell = gate.ask(from, only);
    if (cell !== undefined) post({ kind: 'interrupt', cell });
  };
  const checkMemory = memoryCheck(memory, (cell) => gate.isCurrent(cell), (cell) => interruptCell(undefined, cell));
  void gate.whileCellsRun(CELL_POLL_MS, () => {
    // A SIGINT (Jupyter's interrupt) that came while no run was watched, e.g. while the cell awaits, is only marked.
    if (gate.takeSignal()) interruptCell();
    checkMemory();
  });

  /**
   * Answered here, not in the main thread: the main thread may be stuck in the very loop being interrupted. Its
   * busy/idle go out on iopub once the main thread is free again, right after the interrupt frees it.
   */
  const interrupt = (message: Message, identities: Buffer[]) => {
    const parent = message.header;
    const status = (state: 'busy' | 'idle') =>
      post({ kind: 'publish', message: createMessage({ msgType: 'status', channel: 'iopub', session, content: { execution_state: state }, parent }) });
    status('busy');
    sendMessage(control, 'control', createMessage({ msgType: 'interrupt_reply', channel: 'control', session, content: { status: 'ok' }, parent }), signer, identities);
    status('idle');
    interruptCell(requestStamp(parent));
  };

  const receiving = receiveMessages('control', control, signer, (message, identities) => {
    const type = message.header.msg_type;
    if (type === 'interrupt_request') return interrupt(message, identities);
    // The main thread answers shutdown itself, unless a cell blocks it: then this thread ends the process.
    if (type === 'shutdown_request') forceExitAfter('shutdown was requested');
    post({ kind: 'message', identities, message });
  });

  port.on('message', (m: ToIo) => {
    if (m.kind === 'send') {
      sendMessage(control, 'control', m.message, signer, m.identities.map((i) => Buffer.from(i)));
      if (m.message.header.msg_type === 'shutdown_reply') shutdownAnswered();
    } else if (m.kind === 'collect') {
      fullGc();
    } else if (m.kind === 'shutdown') {
      // One that came on shell, which the main thread reads itself.
      if (m.answered) shutdownAnswered();
      else forceExitAfter('shutdown was requested');
    } else if (m.kind === 'close') {
      closeSockets(sockets); // linger: what is queued still leaves
      port.close(); // nothing else keeps the thread: its receive loops end with their sockets, its timers are unref'd
    }
  });

  const loops = [receiving, echoHeartbeats(hb)].map((p) => p.catch(loopEnded('io thread', sockets)));
  watchParentFromIoThread(parentPid, () => post({ kind: 'parent-gone' }));
  traceStartup('io thread: sockets bound');
  await Promise.all(loops);
}

if (!isMainThread && parentPort) {
  void run(workerData as IoThreadData);
}
