/** The zmq side of the channels in-process (kernel/transport/channels.ts): iopub's welcome of each subscriber. */
import * as zmq from 'zeromq';
import { randomUUID } from 'node:crypto';
import { freePorts } from './helpers/kernel-client';
import { bindSockets, closeSockets, welcomeSubscribers } from '../../kernel/transport/channels';
import type { ConnectionInfo } from '../../kernel/transport/connection';

const WINDOW_MS = 300;

test('iopub welcomes each client that connects, and is not read between connections', async () => {
  const [shell_port, control_port, stdin_port, iopub_port, hb_port] = await freePorts(5);
  const connection: ConnectionInfo = { transport: 'tcp', ip: '127.0.0.1', key: randomUUID(), signature_scheme: 'hmac-sha256', shell_port, control_port, stdin_port, iopub_port, hb_port };
  const sockets = await bindSockets(connection, ['iopub']);
  const { iopub } = sockets;
  const welcomed: string[] = [];
  const loop = welcomeSubscribers(iopub, (subscription) => {
    welcomed.push(subscription);
    void iopub.send(['welcome', subscription]);
  }, WINDOW_MS);
  const subscribers: zmq.Subscriber[] = [];
  const connect = async (topic: string) => {
    const sub = new zmq.Subscriber({ linger: 0 });
    subscribers.push(sub);
    sub.subscribe(topic);
    sub.connect(`tcp://127.0.0.1:${iopub_port}`);
    const [what, subscription] = await sub.receive();
    return [String(what), String(subscription)];
  };
  try {
    // A client connecting: its subscription is read and welcomed.
    expect(await connect('')).toEqual(['welcome', '']);
    // Once no client has connected for the window, no receive is pending on iopub (one would be busy: EBUSY), so
    // zeromq.js does not check the socket's events after every message sent on it.
    await new Promise((r) => setTimeout(r, WINDOW_MS + 200));
    iopub.receiveTimeout = 50;
    const error = await iopub.receive().then(() => undefined, (e: { code?: string }) => e.code);
    expect(error).toBe('EAGAIN');
    // A later client is welcomed all the same, as is one subscribing to a topic.
    expect(await connect('')).toEqual(['welcome', '']);
    expect(await connect('welcome')).toEqual(['welcome', 'welcome']);
    expect(welcomed).toEqual(['', '', 'welcome']);
  } finally {
    for (const sub of subscribers) sub.close();
    closeSockets(sockets);
  }
  await expect(loop).resolves.toBeUndefined();
});
