/**
 * The io thread started ahead of the kernel (session.ts prestartIoThread, used by cli.ts and the snapshot's main
 * function): binds once, and Session.start takes it over later with everything it received meanwhile.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as zmq from 'zeromq';
import { freePorts } from '../kernel/helpers/kernel-client';
import { createMessage, decode, encode, Signer } from '../../kernel/wire';
import type { ConnectionInfo } from '../../kernel/connection';
import type { Incoming } from '../../kernel/session';

// The io thread runs dist/kernel/io-thread.js next to the session module: use the compiled one.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Session, prestartIoThread } = require(path.resolve(__dirname, '..', '..', 'dist', 'kernel', 'session.js')) as typeof import('../../kernel/session');

async function withIoThread(body: (connection: ConnectionInfo, signer: Signer) => Promise<void>): Promise<void> {
  const [shell_port, control_port, stdin_port, iopub_port, hb_port] = await freePorts(5);
  const connection: ConnectionInfo = { transport: 'tcp', ip: '127.0.0.1', key: randomUUID(), signature_scheme: 'hmac-sha256', shell_port, control_port, stdin_port, iopub_port, hb_port };
  await body(connection, new Signer(connection.key, connection.signature_scheme));
}

test('a prestarted io thread binds once, and Session.start gets what arrived before it took over', () => withIoThread(async (connection, signer) => {
  // Twice, with an equal connection read again: one thread (a second would fail to bind the same ports).
  const bound = prestartIoThread(connection);
  await prestartIoThread({ ...connection });
  await bound;

  const shell = new zmq.Dealer({ linger: 0 });
  shell.connect(`tcp://127.0.0.1:${connection.shell_port}`);
  const request = createMessage({ msgType: 'kernel_info_request', channel: 'shell', session: randomUUID(), content: {} });
  await shell.send(encode(request, signer));
  await new Promise((r) => setTimeout(r, 200)); // received by the io thread, posted before anyone listens

  const received: Incoming[] = [];
  const session = await Session.start({ ...connection }, { message: (m) => received.push(m), interrupt: () => undefined, parentGone: () => undefined });
  try {
    await new Promise((r) => setTimeout(r, 50));
    expect(received.map((m) => [m.channel, m.message.header.msg_id])).toEqual([['shell', request.header.msg_id]]);
  } finally {
    shell.close();
    await session.close();
  }
}));

test('each iopub subscription is welcomed (JEP 65 iopub_welcome): proof for the client that it receives iopub', () => withIoThread(async (connection, signer) => {
  const session = await Session.start(connection, { message: () => undefined, interrupt: () => undefined, parentGone: () => undefined });
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
