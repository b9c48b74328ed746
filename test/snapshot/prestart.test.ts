/**
 * The session bound ahead of the kernel (session.ts prestartSession, used by cli.ts and the snapshot's main
 * function): binds once, Session.start takes it over later, and `listen` gets everything received meanwhile, on the
 * main thread's shell and the io thread's control alike.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as zmq from 'zeromq';
import { freePorts } from '../kernel/helpers/kernel-client';
import { createMessage, decode, encode, Signer } from '../../kernel/transport/wire';
import type { ConnectionInfo } from '../../kernel/transport/connection';
import type { Incoming } from '../../kernel/protocol/session';

// The io thread runs dist/kernel/transport/io-thread.js, found from the session module: use the compiled one.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Session, prestartSession } = require(path.resolve(__dirname, '..', '..', 'dist', 'kernel', 'protocol', 'session.js')) as typeof import('../../kernel/protocol/session');

const ignore = { interrupt: () => undefined, parentGone: () => undefined, failed: (e: Error) => { throw e; } };

async function withPorts(body: (connection: ConnectionInfo, signer: Signer) => Promise<void>): Promise<void> {
  const [shell_port, control_port, stdin_port, iopub_port, hb_port] = await freePorts(5);
  const connection: ConnectionInfo = { transport: 'tcp', ip: '127.0.0.1', key: randomUUID(), signature_scheme: 'hmac-sha256', shell_port, control_port, stdin_port, iopub_port, hb_port };
  await body(connection, new Signer(connection.key, connection.signature_scheme));
}

test('a prestarted session binds once, and its listener gets what arrived before it listened', () => withPorts(async (connection, signer) => {
  // Twice, with an equal connection read again: one session (a second would fail to bind the same ports).
  const bound = prestartSession(connection);
  await prestartSession({ ...connection });
  await bound;

  const dealers = (['shell', 'control'] as const).map((channel) => {
    const dealer = new zmq.Dealer({ linger: 0 });
    dealer.connect(`tcp://127.0.0.1:${connection[`${channel}_port`]}`);
    return { channel, dealer, request: createMessage({ msgType: 'kernel_info_request', channel, session: randomUUID(), content: {} }) };
  });
  // Shell is bound: its request is received before anyone listens. Control waits in the client's queue until the io
  // thread binds it (startIoThread, below).
  for (const { dealer, request } of dealers) await dealer.send(encode(request, signer));
  await new Promise((r) => setTimeout(r, 200));

  const received: Incoming[] = [];
  const session = await Session.start({ ...connection });
  try {
    await new Promise((r) => setTimeout(r, 50));
    expect(received).toEqual([]); // kept until listen
    session.listen({ ...ignore, message: (m) => received.push(m) });
    expect(received.map((m) => [m.channel, m.message.header.msg_id])).toEqual([['shell', dealers[0].request.header.msg_id]]);
    session.startIoThread();
    for (let i = 0; i < 100 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(received.map((m) => [m.channel, m.message.header.msg_id])).toEqual(dealers.map((d) => [d.channel, d.request.header.msg_id]));
  } finally {
    for (const { dealer } of dealers) dealer.close();
    await session.close();
  }
}));

test('each iopub subscription is welcomed (JEP 65 iopub_welcome): proof for the client that it receives iopub', () => withPorts(async (connection, signer) => {
  const session = await Session.start(connection);
  session.listen({ ...ignore, message: () => undefined });
  const subscribers = [new zmq.Subscriber({ linger: 0 }), new zmq.Subscriber({ linger: 0 })];
  try {
    for (const sub of subscribers) {
      sub.subscribe();
      sub.connect(`tcp://127.0.0.1:${connection.iopub_port}`);
      // The second client's subscription is the same as the first's: welcomed all the same (XPUB verbosity allSubs).
      const { message } = decode(await sub.receive(), signer);
      expect([message.header.msg_type, message.content]).toEqual(['iopub_welcome', { subscription: '' }]);
    }
  } finally {
    for (const sub of subscribers) sub.close();
    await session.close();
  }
}));
