/**
 * A private redis-server from PATH on a free 127.0.0.1 port, without persistence: DistributedExecutor.local's
 * broker (and the tests'). Stopped by stop(); it also goes when its parent process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { setTimeout } from 'node:timers';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** A port nobody listens on now, on 127.0.0.1 (taken by whoever binds it first: callers retry). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      reply += d.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG') || reply.startsWith('-NOAUTH'));
    });
  });
}

const exited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

async function tryStart(bin: string, fixedPort: number | undefined, extra: string[]): Promise<RedisServer | undefined> {
  const port = fixedPort ?? (await freePort());
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--daemonize', 'no', '--loglevel', 'warning', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d.toString()));
  const failure = new Promise<Error>((resolve) => child.once('error', resolve));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const error = await Promise.race([failure, new Promise<undefined>((r) => setTimeout(() => r(undefined), 30))]);
    if ((error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      throw new Error(`${bin} is not installed (not found on PATH): install Redis (Debian: apt-get install redis-server) ` +
        'or give DistributedExecutor the url of a running Redis');
    }
    if (error) throw error;
    if (exited(child)) return undefined; // most likely the port was taken meanwhile: try another
    if (await ping(port)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${bin} did not answer on port ${port}: ${stderr.trim()}`);
    }
  }
  const killAtExit = () => child.kill('SIGKILL');
  process.on('exit', killAtExit);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: () => new Promise<void>((resolve) => {
      process.off('exit', killAtExit);
      if (exited(child)) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    }),
  };
}

/** `port`: a given port (to restart a server where it was) instead of a free one; `extra`: more redis-server options. */
export async function startRedisServer(bin = 'redis-server', port?: number, extra: string[] = []): Promise<RedisServer> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const server = await tryStart(bin, port, extra);
    if (server) return server;
  }
  throw new Error(`${bin} exited at start five times (ports taken?)`);
}
