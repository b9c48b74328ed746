/**
 * The kernel's end of the channels, on the main thread: shell, stdin and iopub are bound and read here; control and
 * heartbeat belong to the io thread (io-thread.ts), which this starts and talks to. All messages the kernel sends
 * are created here, so every one carries this kernel's session id.
 *
 * Why shell and iopub live on the main thread: a client connects when its zmq socket retries, 100-200 ms apart
 * (libzmq's interval plus jitter), and a start is only as quick as the retry after the bind. In a process started
 * from the snapshot (kernel/snapshot) a worker thread first deserialises its share of the blob, so it binds later
 * and clients connect at a later retry (docs/performance.md, "Where the kernel binds its sockets").
 * What needs a free thread while a cell blocks this one (heartbeat, interrupt_request, shutdown) stays in the io
 * thread; shell requests wait for the main thread in any case, as in ipykernel.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createMessage, createUncheckedMessage, Signer, type ContentOf, type Header, type Message, type MessageType } from '../transport/wire';
import type { ConnectionInfo } from '../transport/connection';
import type { IoThreadData, ToIo, ToMain } from '../transport/io-thread';
import { bindSockets, closeSockets, loopEnded, receiveMessages, sendMessage, welcomeSubscribers, type InChannel, type OutChannel, type Sockets } from '../transport/channels';
import { memoryGuardData, type MemoryGuardData } from '../process/memory-guard';
import { interruptGate } from '../process/interrupt-gate';
import { traceStartup } from '../process/startup-trace';
import { setImmediate, setTimeout, clearTimeout } from 'node:timers';

export type { InChannel, OutChannel } from '../transport/channels';

export interface Incoming {
  channel: InChannel;
  identities: Uint8Array[];
  message: Message;
}

/** What the channels tell the kernel besides replies to its own calls. */
export interface SessionEvents {
  /** A verified request from a client. */
  message(m: Incoming): void;
  /** The io thread was asked to interrupt execute_request number `cell` (interrupt-gate.ts). */
  interrupt(cell: number): void;
  /** The process that started the kernel is gone (watchdog.ts). */
  parentGone(): void;
  /** The io thread could not bind control or heartbeat, or failed: the kernel cannot go on. */
  failed(error: Error): void;
}

/** How long close() waits for the io thread to end by itself: beyond libzmq's linger (1 s) for queued replies. */
const IO_THREAD_END_MS = 3000;

const asBuffer = (b: Uint8Array) => (Buffer.isBuffer(b) ? b : Buffer.from(b));

function connectionKey(connection: ConnectionInfo): string {
  return JSON.stringify(connection);
}

let prestarted: Session | undefined;

/**
 * Binds the main thread's sockets before the rest of the kernel is loaded (cli.ts, the snapshot's main function):
 * the client's connection, and its kernel_info, wait for the bind. Session.start takes the session over, and
 * `listen` hands on everything received meanwhile. Resolves once bound, or binding failed (Session.start reports
 * that).
 */
export function prestartSession(connection: ConnectionInfo): Promise<void> {
  if (prestarted?.key !== connectionKey(connection)) prestarted = new Session(connection);
  return prestarted.bound.then(
    () => undefined,
    () => undefined,
  );
}

export class Session {
  readonly id = randomUUID();
  readonly key: string;
  /** Shared with the io thread, which interrupts a cell that runs the kernel out of memory (memory-guard.ts). */
  readonly memory: MemoryGuardData = memoryGuardData();
  /** Resolves once shell, stdin and iopub accept connections. */
  readonly bound: Promise<void>;
  private sockets?: Sockets<'shell' | 'stdin' | 'iopub'>;
  private worker?: Worker;
  /** Resolves once the io thread has ended (its 'exit' event: its zeromq sockets and context are gone by then). */
  private ioThreadEnded?: Promise<void>;
  private readonly signer: Signer;
  /** What happened before `listen`, kept for it (none is lost in between); undefined once listened to. */
  private beforeListen: Array<(listener: SessionEvents) => void> | undefined = [];
  private listener?: SessionEvents;
  private closing?: Promise<void>;
  /** The process that started the kernel, read at once: a parent dying during the start counts too. */
  private readonly parentPid = process.ppid;

  /** Use prestartSession / Session.start. */
  constructor(private readonly connection: ConnectionInfo) {
    this.key = connectionKey(connection);
    this.signer = new Signer(connection.key, connection.signature_scheme);
    this.bound = bindSockets(connection, ['shell', 'stdin', 'iopub']).then((sockets) => {
      this.sockets = sockets;
      traceStartup('sockets bound');
      const { shell, stdin, iopub } = sockets;
      const deliver = (channel: InChannel) => (message: Message, identities: Buffer[]) => {
        // The io thread's last resort, should this thread be stuck when the time comes to exit (watchdog.ts).
        if (channel === 'shell' && message.header.msg_type === 'shutdown_request') this.toIo({ kind: 'shutdown', answered: false });
        this.emit((listener) => listener.message({ channel, identities, message }));
      };
      const welcome = (subscription: string) => this.send('iopub', 'iopub_welcome', { subscription });
      for (const loop of [receiveMessages('shell', shell, this.signer, deliver('shell')), receiveMessages('stdin', stdin, this.signer, deliver('stdin')), welcomeSubscribers(iopub, welcome)]) {
        loop.catch(loopEnded('main thread', sockets));
      }
    });
  }

  /**
   * Starts the io thread (once): control and heartbeat, interrupts, the memory guard and the parent watch. The
   * kernel calls this once its engine is warm: a worker of a snapshot-started process deserialises its share of the
   * blob on the other core, and started at the bind it slowed the engine (same section of docs/performance.md). No
   * cell runs before the engine is there, and control requests wait in the client's
   * queue until the bind.
   */
  startIoThread(): void {
    if (this.worker || this.closing) return; // once; and not for a session already closed (a quick shutdown)
    const data: IoThreadData = { connection: this.connection, session: this.id, memory: this.memory, gate: interruptGate().buffer, parentPid: this.parentPid };
    // stdout/stderr: true keeps the io thread's stdio away from the main thread's patched streams (kernel/output/stdio.ts).
    const worker = (this.worker = new Worker(path.join(__dirname, '..', 'transport', 'io-thread.js'), { workerData: data, stdout: true, stderr: true }));
    traceStartup('io thread created');
    this.ioThreadEnded = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.stdout.resume();
    worker.stderr.resume();
    worker.on('message', (m: ToMain) => {
      if (m.kind === 'message') this.emit((listener) => listener.message({ channel: 'control', identities: m.identities, message: m.message }));
      else if (m.kind === 'publish') this.publish(m.message);
      else if (m.kind === 'failed') this.emit((listener) => listener.failed(new Error(`cannot bind the kernel's sockets: ${m.error}`)));
      else if (m.kind === 'interrupt') this.emit((listener) => listener.interrupt(m.cell));
      else if (m.kind === 'parent-gone') this.emit((listener) => listener.parentGone());
    });
    worker.on('error', (error) => this.emit((listener) => listener.failed(error)));
  }

  /** Calls a listener now, or once `listen` is called. */
  private emit(call: (listener: SessionEvents) => void): void {
    if (this.beforeListen) this.beforeListen.push(call);
    else call(this.listener!);
  }

  /** A full collection in the io thread too, once the kernel has been quiet (idle-compaction.ts). */
  collectInIoThread(): void {
    this.toIo({ kind: 'collect' });
  }

  private toIo(m: ToIo): void {
    this.worker?.postMessage(m);
  }

  /**
   * Binds (or takes over the session prestartSession bound for the same connection); resolves once shell, stdin and
   * iopub accept connections. Control and heartbeat follow in the io thread. Nothing received is handed on before
   * `listen`.
   */
  static async start(connection: ConnectionInfo): Promise<Session> {
    const session = prestarted?.key === connectionKey(connection) ? prestarted : new Session(connection);
    prestarted = undefined;
    try {
      await session.bound;
    } catch (e) {
      throw new Error(`cannot bind the kernel's sockets: ${(e as Error).message}`);
    }
    return session;
  }

  /** From now on requests and events go to `on`, starting with those that came before (once). */
  listen(listener: SessionEvents): void {
    const early = this.beforeListen ?? [];
    this.listener = listener;
    this.beforeListen = undefined;
    for (const call of early) call(listener);
  }

  /** Creates, signs and sends one message (control replies through the io thread, which owns that socket). */
  send<T extends MessageType>(channel: OutChannel, msgType: T, content: ContentOf<T>, parent: Header | {} = {}, identities: Uint8Array[] = [], metadata: object = {}, buffers: Uint8Array[] = []): Message {
    const message = createMessage({ msgType, channel: channel as Message['channel'], session: this.id, content, parent, metadata });
    if (buffers.length) (message as { buffers?: unknown }).buffers = buffers;
    return this.deliver(channel, message, identities);
  }

  /** send() for a msg_type the spec does not define (the error reply to an unknown request). */
  sendUnchecked(channel: OutChannel, msgType: string, content: object, parent: Header | {} = {}, identities: Uint8Array[] = []): Message {
    const message = createUncheckedMessage({ msgType, channel: channel as Message['channel'], session: this.id, content, parent });
    return this.deliver(channel, message, identities);
  }

  private deliver(channel: OutChannel, message: Message, identities: Uint8Array[]): Message {
    if (channel === 'control') this.toIo({ kind: 'send', identities, message });
    else if (channel === 'iopub') this.publish(message);
    else if (this.sockets) {
      sendMessage(this.sockets[channel], channel, message, this.signer, identities.map(asBuffer));
      if (message.header.msg_type === 'shutdown_reply') this.toIo({ kind: 'shutdown', answered: true });
    }
    return message;
  }

  private publish(message: Message): void {
    if (this.sockets) sendMessage(this.sockets.iopub, 'iopub', message, this.signer);
  }

  status(state: 'busy' | 'idle' | 'starting', parent: Header | {} = {}): void {
    this.send('iopub', 'status', { execution_state: state }, parent);
  }

  /**
   * Resolves once the shell requests libzmq held for this thread before now have been handed to onMessage (as
   * ipykernel's _abort_queues flushes its shell stream). The receive loop reads every waiting message in the turn
   * its socket reports them (zeromq.js reads on while the socket is readable); the second turn catches a report
   * that came in after the first turn's poll.
   */
  async barrier(): Promise<void> {
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
  }

  /**
   * Closes the sockets (what is queued still leaves: linger) and resolves once the io thread has ended, so that the
   * process may exit. Not sooner: an exit ends a worker that still runs JS by terminating it, and a zeromq call it
   * is in then fails with nowhere to throw to, which aborts the whole process (SIGABRT, "terminate called after
   * throwing an instance of 'Napi::Error'").
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.sockets) closeSockets(this.sockets);
      if (!this.worker) return;
      this.worker.postMessage({ kind: 'close' } satisfies ToIo);
      // Bounded: a thread that never ends must not keep the kernel alive (it ends within libzmq's linger).
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.ioThreadEnded, new Promise((resolve) => (timer = setTimeout(resolve, IO_THREAD_END_MS)))]);
      clearTimeout(timer);
    })();
    return this.closing;
  }
}
