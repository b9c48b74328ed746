/**
 * Shared by the reliability tests: how big a run is (fast in `npm test`, soak on request), the figures each test
 * records for `npm run test:reliability`, and what /proc tells about the kernel's processes and sockets.
 */
import { appendFileSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import * as zmq from 'zeromq';
import { KernelClient } from '../kernel/helpers/kernel-client';
import { createMessage, createUncheckedMessage, decode, encode, Signer, type Message } from '../../kernel/transport/wire';

/** RELIABILITY_SOAK=1 (set by `npm run test:reliability`) runs the long versions. */
export const SOAK = process.env.RELIABILITY_SOAK === '1';
export const size = (fast: number, soak: number) => (SOAK ? soak : fast);

/** One measured number; report.js prints them as a table when RELIABILITY_FIGURES names a file. */
export function figure(section: string, name: string, value: number | string, limit = '', ok = true): void {
  const file = process.env.RELIABILITY_FIGURES;
  if (file) appendFileSync(file, JSON.stringify({ section, name, value, limit, ok }) + '\n');
}

/** Running, as opposed to gone or a zombie nobody reaps. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export async function waitGone(pids: number[], timeoutMs = 10000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  return pids.filter(alive);
}

/** Resident set size in kB, from /proc. */
export function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** Every living descendant of pid (what a kernel must not leave behind). */
export function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // exited while we looked
    }
  }
  const out: number[] = [];
  const visit = (p: number) => (children.get(p) ?? []).forEach((c) => (out.push(c), visit(c)));
  visit(pid);
  return out.filter(alive);
}

/** Local addresses ("127.0.0.1:port") of the TCP sockets pid listens on, from /proc/net/tcp{,6} and its fds. */
export function listeningAddresses(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const found: string[] = [];
  for (const table of ['tcp', 'tcp6']) {
    let lines: string[];
    try {
      lines = readFileSync(`/proc/net/${table}`, 'utf8').trim().split('\n').slice(1);
    } catch {
      continue;
    }
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      // f[1] local "HEXIP:HEXPORT", f[3] state (0A = LISTEN), f[9] inode
      if (f[3] !== '0A' || !inodes.has(f[9])) continue;
      const [hexIp, hexPort] = f[1].split(':');
      found.push(`${table === 'tcp' ? ipv4(hexIp) : `[${hexIp}]`}:${parseInt(hexPort, 16)}`);
    }
  }
  return found;
}

/** /proc/net/tcp writes the address as a little-endian 32-bit number. */
function ipv4(hex: string): string {
  return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

/**
 * A second (third...) client on a kernel someone else started: its own session and zmq identity on shell, and the
 * shared iopub, as several notebook frontends attached to one kernel.
 */
export class AttachedClient {
  readonly session = `attached-${Math.random().toString(16).slice(2)}`;
  readonly replies = new Map<string, Message>();
  readonly iopub: Message[] = [];
  private readonly shell = new zmq.Dealer({ linger: 0, routingId: this.session });
  private readonly sub = new zmq.Subscriber({ linger: 0 });
  private readonly signer: Signer;
  private sending = Promise.resolve();
  private readonly waiters = new Set<() => void>();

  constructor(connection: { key: string } & Record<string, unknown>) {
    this.signer = new Signer(connection.key, 'hmac-sha256');
    this.shell.connect(`tcp://127.0.0.1:${connection.shell_port}`);
    this.sub.connect(`tcp://127.0.0.1:${connection.iopub_port}`);
    this.sub.subscribe();
    void this.pump(this.shell, (m) => this.replies.set((m.parent_header as { msg_id: string }).msg_id, m));
    void this.pump(this.sub, (m) => this.iopub.push(m));
  }

  private async pump(socket: zmq.Dealer | zmq.Subscriber, onMessage: (m: Message) => void): Promise<void> {
    try {
      for await (const frames of socket) {
        onMessage(decode(frames, this.signer).message);
        for (const w of [...this.waiters]) w();
      }
    } catch {
      // closed
    }
  }

  send(msgType: string, content: object): string {
    const message = createUncheckedMessage({ msgType, channel: 'shell', session: this.session, content, username: 'attached' });
    const frames = encode(message, this.signer);
    this.sending = this.sending.then(() => this.shell.send(frames)).catch(() => undefined);
    return message.header.msg_id;
  }

  reply(msgId: string, timeoutMs = 30000): Promise<Message> {
    return this.until(() => this.replies.get(msgId), `no reply to ${msgId}`, timeoutMs);
  }

  /**
   * Resolves once this client's iopub subscription is in place: the kernel welcomes each subscription (JEP 65), and
   * what it publishes before then never reaches this socket (zeromq's late joiner).
   */
  subscribed(timeoutMs = 30000): Promise<Message> {
    return this.until(() => this.iopub.find((m) => (m.header.msg_type as string) === 'iopub_welcome'), 'no iopub_welcome', timeoutMs);
  }

  /** Resolves on the request's `status: idle`, its last iopub message (the reply, on shell, may arrive before it). */
  idle(msgId: string, timeoutMs = 30000): Promise<Message> {
    const isIdle = (m: Message) =>
      m.header.msg_type === 'status' &&
      (m.parent_header as { msg_id?: string }).msg_id === msgId &&
      (m.content as { execution_state?: string }).execution_state === 'idle';
    return this.until(() => this.iopub.find(isIdle), `no idle status for ${msgId}`, timeoutMs);
  }

  private until(found: () => Message | undefined, failure: string, timeoutMs: number): Promise<Message> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = found();
        if (!m) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(m);
      };
      const timer = setTimeout(() => (this.waiters.delete(check), reject(new Error(failure))), timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  close(): void {
    this.shell.close();
    this.sub.close();
  }
}

/** One kernel with the real engine for a whole test file: started before its tests, closed after them. */
export function sharedRealKernel(): { readonly client: KernelClient } {
  const holder = {} as { client: KernelClient };
  beforeAll(async () => {
    holder.client = await KernelClient.start({ engine: 'real' });
  }, 60000);
  afterAll(async () => {
    await holder.client?.close();
  });
  return holder;
}
