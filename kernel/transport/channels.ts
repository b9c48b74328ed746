/**
 * The zmq side of the five channels, for whichever thread owns a socket: the main thread binds shell, stdin and
 * iopub (session.ts), the io thread control and heartbeat (io-thread.ts). Creating and binding, the receive loop
 * that verifies and decodes, sending, iopub_welcome and the heartbeat echo live here once for both.
 */
import * as zmq from 'zeromq';
import { decode, encode, WireError, type Message, type Signer } from './wire';
import { endpoint, type ConnectionInfo, type SocketName } from './connection';
import { log } from '../process/log';
import { traceStartup } from '../process/startup-trace';

/** Channels whose requests the kernel answers. */
export type InChannel = 'shell' | 'control' | 'stdin';
export type OutChannel = InChannel | 'iopub';

type SocketOf<N extends SocketName> = N extends 'iopub' ? zmq.XPublisher : N extends 'hb' ? zmq.Reply : zmq.Router;
export type Sockets<N extends SocketName> = { [K in N]: SocketOf<K> };

/**
 * sendTimeout 0: a send goes to libzmq's queue inside the call, never waiting for the event loop. A cell that prints
 * and then blocks the main thread (`console.log('start'); while (busy) {}`) shows 'start' while it runs: libzmq's
 * own I/O thread carries it out. (With the default, zeromq.js defers every send after 512 in one turn to the event
 * loop, which a blocked thread never reaches, and throws on the next one.) What cannot be queued at once is dropped
 * and logged: a PUB socket drops at its high-water mark anyway, a ROUTER only when a client reads no replies.
 * Linger lets replies already queued (e.g. shutdown_reply) leave before close.
 */
function createSocket(name: SocketName): zmq.Socket {
  if (name === 'iopub') {
    // XPUB, not PUB: it hears subscriptions, so it can welcome them (welcome below). allSubs: every client's.
    return new zmq.XPublisher({ linger: 1000, sendTimeout: 0, verbosity: 'allSubs' });
  }
  if (name === 'hb') return new zmq.Reply({ linger: 0 });
  return new zmq.Router({ linger: 1000, sendTimeout: 0 });
}

/** Creates and binds the named sockets; on a failure closes them all and rejects with the reason. */
export async function bindSockets<N extends SocketName>(connection: ConnectionInfo, names: readonly N[]): Promise<Sockets<N>> {
  const sockets = Object.fromEntries(names.map((name) => [name, createSocket(name)])) as unknown as Sockets<N>;
  try {
    await Promise.all(names.map((name) => (sockets[name] as zmq.Socket).bind(endpoint(connection, name))));
  } catch (e) {
    closeSockets(sockets);
    throw e;
  }
  return sockets;
}

export function closeSockets(sockets: object): void {
  for (const s of Object.values(sockets) as zmq.Socket[]) if (!s.closed) s.close();
}

/** With TSFUTURES_TRACE_STARTUP: traces the first message of each kind this thread receives or sends. */
function firstOfEach(): ((what: string) => void) | undefined {
  if (!process.env.TSFUTURES_TRACE_STARTUP) return undefined;
  const seen = new Set<string>();
  return (what) => {
    if (seen.has(what)) return;
    seen.add(what);
    traceStartup(`first ${what}`);
  };
}
const firstOf = firstOfEach();

/** Signs and queues one message (see createSocket: never waits, never throws). */
export function sendMessage(socket: zmq.Router | zmq.XPublisher, channel: OutChannel, message: Message, signer: Signer, identities: readonly Buffer[] = []): void {
  if (firstOf) firstOf(`${channel} ${message.header.msg_type} sent`);
  if (socket.closed) return;
  socket.send(encode(message, signer, identities)).catch((e: Error) => {
    if (!socket.closed) log('error', `sending ${message.header.msg_type} on ${channel} failed: ${e.message}`);
  });
}

/**
 * Receives on one channel until its socket closes: every verified message to `deliver`, anything malformed or
 * badly signed logged and dropped. Whatever one message does wrong, the loop goes on: an exception here would stop
 * the channel for good.
 */
export async function receiveMessages(channel: InChannel, socket: zmq.Router, signer: Signer, deliver: (message: Message, identities: Buffer[]) => void): Promise<void> {
  for await (const frames of socket) {
    try {
      const { identities, message } = decode(frames, signer);
      if (firstOf) firstOf(`${channel} ${message.header.msg_type} received`);
      deliver(message, identities);
    } catch (e) {
      const what = e instanceof WireError ? e.message : `failed: ${(e as Error)?.stack ?? String(e)}`;
      log('warning', `dropped a message on ${channel}: ${what}`);
    }
  }
}

/**
 * JEP 65's iopub_welcome: a client's SUB socket joins late (what is published before its subscription lands is
 * lost), so clients wait for proof that it has, e.g. any iopub message after a kernel_info. A client that connects
 * while the kernel starts saw its first kernel_info's busy/idle lost and waited ~300 ms for a retry (measured).
 * Clients that do not know the message ignore it (it has no parent).
 */
export async function welcomeSubscribers(iopub: zmq.XPublisher, welcome: (subscription: string) => void): Promise<void> {
  for await (const [frame] of iopub) {
    if (frame?.[0] !== 1) continue; // 0: an unsubscription
    welcome(frame.subarray(1).toString());
  }
}

/** Jupyter's heartbeat: every message comes straight back. */
export async function echoHeartbeats(hb: zmq.Reply): Promise<void> {
  for await (const frames of hb) await hb.send(frames);
}

/** A receive loop's end: a socket closed under a pending receive ends it with an error; anything else is logged. */
export function loopEnded(where: string, sockets: object): (e: Error) => void {
  return (e) => {
    if (!(Object.values(sockets) as zmq.Socket[]).every((s) => s.closed)) log('error', `${where}: ${e.message}`);
  };
}
