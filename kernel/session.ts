/**
 * Main-thread side of the io-thread bridge: starts the io thread, receives decoded requests from it and hands it
 * outgoing messages. All messages the kernel sends are created here, so every one carries this kernel's session id.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createMessage, type Header, type Message } from './wire';
import type { ConnectionInfo } from './connection';
import type { InChannel, IoThreadData, OutChannel, ToIo, ToMain } from './io-thread';
import { memoryGuardData, type MemoryGuardData } from './memory-guard';
import { interruptGate } from './interrupt-gate';
import { traceStartup } from './startup-trace';

export interface Incoming {
  channel: InChannel;
  identities: Uint8Array[];
  message: Message;
}

/** What the io thread tells the main thread besides replies to its own calls. */
export interface SessionEvents {
  /** A verified request from a client. */
  message(m: Incoming): void;
  /** The io thread was asked to interrupt execute_request number `cell` (interrupt-gate.ts). */
  interrupt(cell: number): void;
  /** The process that started the kernel is gone (watchdog.ts). */
  parentGone(): void;
}

/** An io thread whose messages are kept until a Session takes it over (so none is lost in between). */
interface IoThread {
  key: string;
  data: IoThreadData;
  worker: Worker;
  /** Resolves once the sockets are bound, or binding failed (Session.start reports that). */
  bound: Promise<void>;
  takeOver(onMessage: (m: ToMain) => void, onError: (e: Error) => void): void;
}

let prestarted: IoThread | undefined;

function connectionKey(connection: ConnectionInfo): string {
  return JSON.stringify(connection);
}

function spawnIoThread(connection: ConnectionInfo): IoThread {
  const data: IoThreadData = { connection, session: randomUUID(), memory: memoryGuardData(), gate: interruptGate().buffer, parentPid: process.ppid };
  // stdout/stderr: true keeps the io thread's stdio away from the main thread's patched streams (output.ts).
  const worker = new Worker(path.join(__dirname, 'io-thread.js'), { workerData: data, stdout: true, stderr: true });
  traceStartup('io thread created');
  worker.stdout.resume();
  worker.stderr.resume();
  const kept: ToMain[] = [];
  let error: Error | undefined;
  let settle!: () => void;
  const bound = new Promise<void>((resolve) => (settle = resolve));
  const keep = (m: ToMain) => {
    kept.push(m);
    if (m.kind === 'ready' || m.kind === 'failed') settle();
  };
  const keepError = (e: Error) => {
    error ??= e;
    settle();
  };
  worker.on('message', keep);
  worker.on('error', keepError);
  return {
    key: connectionKey(connection),
    data,
    worker,
    bound,
    takeOver(onMessage, onError) {
      worker.off('message', keep);
      worker.off('error', keepError);
      worker.on('message', onMessage);
      worker.on('error', onError);
      for (const m of kept.splice(0)) onMessage(m);
      if (error) onError(error);
    },
  };
}

/**
 * Starts the io thread before the rest of the kernel is loaded (cli.ts, the snapshot's main function): a worker
 * thread takes tens of ms to come up, more while the engine loads on the other core, and the client's connection
 * (and its kernel_info) waits for the bind. Session.start takes it over. Resolves once the sockets are bound.
 */
export function prestartIoThread(connection: ConnectionInfo): Promise<void> {
  if (prestarted?.key !== connectionKey(connection)) prestarted = spawnIoThread(connection);
  return prestarted.bound;
}

export class Session {
  private closing?: Promise<void>;
  private nextBarrier = 0;
  private readonly barriers = new Map<number, () => void>();

  private constructor(
    readonly id: string,
    private readonly worker: Worker,
    /** Shared with the io thread, which interrupts a cell that runs the kernel out of memory (memory-guard.ts). */
    readonly memory: MemoryGuardData,
  ) {}

  /**
   * Binds the sockets in the io thread; resolves once they accept connections. Takes over the io thread that
   * prestartIoThread started for the same connection, with everything it posted meanwhile.
   */
  static start(connection: ConnectionInfo, on: SessionEvents): Promise<Session> {
    const thread = prestarted?.key === connectionKey(connection) ? prestarted : spawnIoThread(connection);
    prestarted = undefined;
    const { worker, data } = thread;
    const session = new Session(data.session, worker, data.memory);
    return new Promise((resolve, reject) => {
      const handle = (m: ToMain) => {
        if (m.kind === 'ready') resolve(session);
        else if (m.kind === 'failed') reject(new Error(`cannot bind the kernel's sockets: ${m.error}`));
        else if (m.kind === 'message') on.message({ channel: m.channel, identities: m.identities, message: m.message });
        else if (m.kind === 'barrier') session.barriers.get(m.id)?.();
        else if (m.kind === 'interrupt') on.interrupt(m.cell);
        else if (m.kind === 'parent-gone') on.parentGone();
      };
      thread.takeOver(handle, reject);
    });
  }

  /** Creates, then posts one message to be signed and sent by the io thread. */
  send(channel: OutChannel, msgType: string, content: object, parent: Header | {} = {}, identities: Uint8Array[] = [], metadata: object = {}): Message {
    const message = createMessage({ msgType, channel: channel as Message['channel'], session: this.id, content, parent, metadata });
    const m: ToIo = { kind: 'send', channel, identities, message };
    this.worker.postMessage(m);
    return message;
  }

  status(state: 'busy' | 'idle' | 'starting', parent: Header | {} = {}): void {
    this.send('iopub', 'status', { execution_state: state }, parent);
  }

  /** Resolves once every message the io thread received before now has been handed to onMessage. */
  barrier(): Promise<void> {
    const id = this.nextBarrier++;
    return new Promise((resolve) => {
      this.barriers.set(id, () => {
        this.barriers.delete(id);
        resolve();
      });
      this.worker.postMessage({ kind: 'barrier', id } satisfies ToIo);
    });
  }

  /** Sends everything already posted, closes the five sockets and ends the io thread. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.worker.on('message', (m: ToMain) => m.kind === 'closed' && resolve());
      this.worker.on('exit', () => resolve());
      this.worker.postMessage({ kind: 'close' } satisfies ToIo);
    });
    return this.closing;
  }
}
