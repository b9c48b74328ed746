/** The connection file Jupyter hands a kernel (`-f FILE`): where to bind the five sockets and how to sign. */
import { readFileSync } from 'node:fs';

export const CHANNELS = ['shell', 'control', 'stdin', 'iopub', 'hb'] as const;
export type SocketName = (typeof CHANNELS)[number];

export interface ConnectionInfo {
  transport: 'tcp' | 'ipc';
  ip: string;
  key: string;
  signature_scheme: string;
  shell_port: number;
  control_port: number;
  stdin_port: number;
  iopub_port: number;
  hb_port: number;
  /** Written by jupyter_client and by our client; the kernel does not read it. */
  kernel_name?: string;
}

export class ConnectionFileError extends Error {
  override name = 'ConnectionFileError';
}

/** Reads and validates a connection file; every problem is reported by name so a bad file is easy to fix. */
export function readConnectionFile(file: string): ConnectionInfo {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConnectionFileError(`cannot read connection file ${file}: ${(e as Error).message}`);
  }
  return validateConnection(raw, file);
}

export function validateConnection(raw: unknown, origin = 'connection info'): ConnectionInfo {
  if (typeof raw !== 'object' || raw === null) throw new ConnectionFileError(`${origin}: not a JSON object`);
  const c = raw as Record<string, unknown>;
  const transport = c.transport ?? 'tcp';
  if (transport !== 'tcp' && transport !== 'ipc') throw new ConnectionFileError(`${origin}: unsupported transport ${String(transport)}`);
  const ip = c.ip ?? '127.0.0.1';
  if (typeof ip !== 'string' || !ip) throw new ConnectionFileError(`${origin}: ip must be a non-empty string`);
  const key = c.key ?? '';
  if (typeof key !== 'string') throw new ConnectionFileError(`${origin}: key must be a string`);
  const scheme = c.signature_scheme ?? 'hmac-sha256';
  if (typeof scheme !== 'string' || !/^hmac-/.test(scheme)) throw new ConnectionFileError(`${origin}: unsupported signature_scheme ${String(scheme)}`);
  const ports = {} as Record<`${SocketName}_port`, number>;
  for (const name of CHANNELS) {
    const port = c[`${name}_port`];
    if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new ConnectionFileError(`${origin}: ${name}_port must be a port number, got ${JSON.stringify(port)}`);
    }
    ports[`${name}_port`] = port;
  }
  return { transport, ip, key, signature_scheme: scheme, ...ports };
}

/** zmq endpoint of one socket: tcp://ip:port, or for ipc the path `ip-port` (jupyter_client's convention). */
export function endpoint(info: ConnectionInfo, name: SocketName): string {
  const port = info[`${name}_port`];
  return info.transport === 'tcp' ? `tcp://${info.ip}:${port}` : `ipc://${info.ip}-${port}`;
}
