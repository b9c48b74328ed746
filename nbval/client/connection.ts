/**
 * Connection files: the five ports, transport and HMAC key that a kernel and its clients agree on
 * (the same JSON that jupyter_client writes).
 */
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { endpoint, type ConnectionInfo, type SocketName } from '../../kernel/transport/connection';

export type { ConnectionInfo } from '../../kernel/transport/connection';

/**
 * Asks the OS for `count` distinct free ports. All listeners stay open until every port is known, so
 * the OS cannot hand the same port out twice; like jupyter_client, a tiny race with other processes remains.
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, host, () => resolve(server));
      }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

export async function newConnectionInfo(kernelName?: string): Promise<ConnectionInfo> {
  const [shell_port, iopub_port, stdin_port, control_port, hb_port] = await freePorts(5);
  return {
    transport: 'tcp',
    ip: '127.0.0.1',
    shell_port,
    iopub_port,
    stdin_port,
    control_port,
    hb_port,
    key: randomUUID(),
    signature_scheme: 'hmac-sha256',
    ...(kernelName ? { kernel_name: kernelName } : {}),
  };
}

/** The zmq endpoint a client connects to: the kernel's own rule (tcp://ip:port, ipc's ip-port path). */
export function channelUrl(info: ConnectionInfo, channel: SocketName): string {
  return endpoint(info, channel);
}
