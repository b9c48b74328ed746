/**
 * Session.close() resolves only once the io thread has ended: the kernel exits right after it, and an exit that
 * terminates a worker still running JS in zeromq aborts the whole process (session.ts close).
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import * as zmq from 'zeromq';
import { freePorts } from './helpers/kernel-client';
import type { ConnectionInfo } from '../../kernel/transport/connection';

// The io thread runs dist/kernel/transport/io-thread.js, found from the session module: use the compiled one.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Session } = require(path.resolve(__dirname, '..', '..', 'dist', 'kernel', 'protocol', 'session.js')) as typeof import('../../kernel/protocol/session');

test('Session.close() resolves once the io thread has ended, not as soon as it closed its sockets', async () => {
  const [shell_port, control_port, stdin_port, iopub_port, hb_port] = await freePorts(5);
  const connection: ConnectionInfo = { transport: 'tcp', ip: '127.0.0.1', key: randomUUID(), signature_scheme: 'hmac-sha256', shell_port, control_port, stdin_port, iopub_port, hb_port };
  const session = await Session.start(connection);
  session.listen({ message: () => undefined, interrupt: () => undefined, parentGone: () => undefined, failed: (e: Error) => { throw e; } });
  session.startIoThread();
  // The io thread is up once it echoes a heartbeat.
  const hb = new zmq.Request({ linger: 0 });
  hb.connect(`tcp://127.0.0.1:${hb_port}`);
  await hb.send('ping');
  await hb.receive();
  hb.close();
  const ioThread = (session as unknown as { worker: Worker }).worker;
  await session.close();
  expect(ioThread.threadId).toBe(-1); // what a Worker reports once its thread has exited
});
