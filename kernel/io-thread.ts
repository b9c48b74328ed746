/**
 * The io thread: a worker_threads Worker that owns all five zmq sockets.
 *
 * It lives apart from the main thread so that the kernel stays reachable while a cell blocks the main thread
 * (`while (true) {}`): heartbeats are answered here, and interrupt_request on control is answered here and passed
 * on through the interrupt gate (interrupt-gate.ts: a SIGINT when the cell runs synchronously, where vm's
 * breakOnSigint turns it into an exception, else a message to the then free main thread), as is a SIGINT that no
 * watched run caught (Jupyter's interrupt while a cell awaits). Everything else is
 * verified, decoded and posted to the main thread; the main thread posts outgoing messages back to be signed and sent.
 */
import { traceStartup } from './startup-trace';
// Before the other imports (CommonJS output keeps their order): the thread's own start vs loading zeromq and the rest.
traceStartup('io thread: running');
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as zmq from 'zeromq';
import { createMessage, decode, encode, Signer, WireError, type Message } from './wire';
import { endpoint, type ConnectionInfo } from './connection';
import { log } from './log';
import { forceExitAfter, shutdownAnswered, watchParentFromIoThread } from './watchdog';
import { memoryCheck, type MemoryGuardData } from './memory-guard';
import { InterruptGate } from './interrupt-gate';

traceStartup('io thread: zeromq loaded');

/** Channels whose requests are forwarded to the main thread. */
export type InChannel = 'shell' | 'control' | 'stdin';
export type OutChannel = InChannel | 'iopub';

export type ToMain =
  | { kind: 'ready' }
  | { kind: 'failed'; error: string }
  | { kind: 'message'; channel: InChannel; identities: Uint8Array[]; message: Message }
  | { kind: 'barrier'; id: number }
  /** Execute_request number `cell` was asked to stop (for a cell that awaits, which no SIGINT reaches). */
  | { kind: 'interrupt'; cell: number }
  | { kind: 'parent-gone' }
  | { kind: 'closed' };

export type ToIo =
  | { kind: 'send'; channel: OutChannel; identities: Uint8Array[]; message: Message }
  | { kind: 'barrier'; id: number }
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

/** zeromq allows one pending send per socket, so each socket's sends are chained in order. */
class Outbox {
  private tail: Promise<void> = Promise.resolve();
  constructor(private readonly socket: zmq.Writable & zmq.Socket, private readonly name: string) {}
  push(frames: Buffer[]): void {
    this.tail = this.tail.then(
      () => this.socket.send(frames),
    ).catch((e: Error) => {
      if (!this.socket.closed) log('error', `sending on ${this.name} failed: ${e.message}`);
    });
  }
  drained(): Promise<void> {
    return this.tail;
  }
}

/** With TSFUTURES_TRACE_STARTUP: traces the first message of each kind this thread receives or sends. */
function firstOfEach(): ((what: string) => void) | undefined {
  if (!process.env.TSFUTURES_TRACE_STARTUP) return undefined;
  const seen = new Set<string>();
  return (what) => {
    if (seen.has(what)) return;
    seen.add(what);
    traceStartup(`io thread: first ${what}`);
  };
}
const firstOf = firstOfEach();

async function run({ connection, session, memory, gate: gateSlots, parentPid }: IoThreadData): Promise<void> {
  const port = parentPort!;
  const signer = new Signer(connection.key, connection.signature_scheme);
  // Linger lets replies already queued (e.g. shutdown_reply) leave before close; ROUTERs report unroutable replies.
  const shell = new zmq.Router({ linger: 1000 });
  const control = new zmq.Router({ linger: 1000 });
  const stdin = new zmq.Router({ linger: 1000 });
  // XPUB, not PUB: it hears subscriptions, so it can welcome them (below). allSubs: every client's, not only the first.
  const iopub = new zmq.XPublisher({ linger: 1000, verbosity: 'allSubs' });
  const hb = new zmq.Reply({ linger: 0 });
  const sockets = { shell, control, stdin, iopub, hb };
  const outboxes: Record<OutChannel, Outbox> = {
    shell: new Outbox(shell, 'shell'),
    control: new Outbox(control, 'control'),
    stdin: new Outbox(stdin, 'stdin'),
    iopub: new Outbox(iopub, 'iopub'),
  };
  const post = (m: ToMain) => port.postMessage(m);
  const closeAll = () => {
    for (const s of Object.values(sockets)) if (!s.closed) s.close();
  };

  try {
    await Promise.all(Object.entries(sockets).map(([name, s]) => s.bind(endpoint(connection, name as keyof typeof sockets))));
  } catch (e) {
    closeAll();
    post({ kind: 'failed', error: (e as Error).message });
    return;
  }

  const send = (channel: OutChannel, message: Message, identities: readonly Buffer[]) => {
    if (firstOf) firstOf(`${channel} ${message.header.msg_type} sent`);
    outboxes[channel].push(encode(message, signer, identities));
  };

  const gate = new InterruptGate(gateSlots);
  const interruptCell = () => {
    const cell = gate.ask();
    if (cell !== undefined) post({ kind: 'interrupt', cell });
  };
  const checkMemory = memoryCheck(memory, interruptCell);
  void gate.whileCellsRun(CELL_POLL_MS, () => {
    // A SIGINT (Jupyter's interrupt) that came while no run was watched, e.g. while the cell awaits, is only marked.
    if (gate.takeSignal()) interruptCell();
    checkMemory();
  });

  /** Answered here, not in the main thread: the main thread may be stuck in the very loop being interrupted. */
  const interrupt = (message: Message, identities: Buffer[]) => {
    const parent = message.header;
    const status = (state: string) =>
      send('iopub', createMessage({ msgType: 'status', channel: 'iopub', session, content: { execution_state: state }, parent }), []);
    status('busy');
    send('control', createMessage({ msgType: 'interrupt_reply', channel: 'control', session, content: { status: 'ok' }, parent }), identities);
    status('idle');
    interruptCell();
  };

  const receive = async (channel: InChannel, socket: zmq.Router) => {
    for await (const frames of socket) {
      // Whatever one message does wrong, the loop goes on: an exception here would stop the channel for good.
      try {
        const { identities, message } = decode(frames, signer);
        const type = message.header.msg_type;
        if (firstOf) firstOf(`${channel} ${type} received`);
        if (channel === 'control' && type === 'interrupt_request') {
          interrupt(message, identities);
          continue;
        }
        // The main thread answers shutdown itself, unless a cell blocks it: then this thread ends the process.
        if (type === 'shutdown_request') forceExitAfter('shutdown was requested');
        post({ kind: 'message', channel, identities, message });
      } catch (e) {
        const what = e instanceof WireError ? e.message : `failed: ${(e as Error)?.stack ?? String(e)}`;
        log('warning', `dropped a message on ${channel}: ${what}`);
      }
    }
  };

  /**
   * JEP 65's iopub_welcome: a client's SUB socket joins late (what is published before its subscription lands is
   * lost), so clients wait for proof that it has, e.g. any iopub message after a kernel_info. A client that connects
   * while the kernel starts saw its first kernel_info's busy/idle lost and waited ~300 ms for a retry (measured).
   * Clients that do not know the message ignore it (it has no parent).
   */
  const welcome = async () => {
    for await (const [frame] of iopub) {
      if (frame?.[0] !== 1) continue; // 0: an unsubscription
      const content = { subscription: frame.subarray(1).toString() };
      send('iopub', createMessage({ msgType: 'iopub_welcome', channel: 'iopub', session, content }), []);
    }
  };

  const heartbeat = async () => {
    for await (const frames of hb) await hb.send(frames);
  };

  port.on('message', (m: ToIo) => {
    if (m.kind === 'send') {
      send(m.channel, m.message, m.identities.map((i) => Buffer.from(i)));
      if (m.channel !== 'iopub' && m.message.header.msg_type === 'shutdown_reply') shutdownAnswered();
    } else if (m.kind === 'barrier') {
      // Everything received before this point has already been posted, and the port keeps order.
      post({ kind: 'barrier', id: m.id });
    } else if (m.kind === 'close') {
      void Promise.all(Object.values(outboxes).map((o) => o.drained())).then(() => {
        closeAll();
        post({ kind: 'closed' });
        port.close();
      });
    }
  });

  const loops = [receive('shell', shell), receive('control', control), receive('stdin', stdin), welcome(), heartbeat()].map((p) =>
    p.catch((e: Error) => {
      // A socket closed under a pending receive ends its loop with an error; anything else is worth a line.
      if (!Object.values(sockets).every((s) => s.closed)) log('error', `io thread: ${e.message}`);
    }),
  );
  watchParentFromIoThread(parentPid, () => post({ kind: 'parent-gone' }));
  traceStartup('io thread: sockets bound');
  post({ kind: 'ready' });
  await Promise.all(loops);
}

if (!isMainThread && parentPort) {
  void run(workerData as IoThreadData);
}
