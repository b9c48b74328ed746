/**
 * A test client for the kernel: spawns `bin/tsfutures.js kernel -f FILE` as a real process and speaks the wire
 * protocol to it over zeromq (DEALER for shell/control/stdin, SUB for iopub, REQ for heartbeat), as Jupyter does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zmq from 'zeromq';
import { builtinTsfuturesSpec } from '../../../nbval/client/kernelspecs';
import { kernelV8Flags } from '../../../kernel/process/launcher';
import { createMessage, createUncheckedMessage, decode, encode, Signer, type Message } from '../../../kernel/transport/wire';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const BIN = path.join(ROOT, 'bin', 'tsfutures.js');
/** kernel.json's env, as the built-in spec reads it (MALLOC_ARENA_MAX, MALLOC_TRIM_THRESHOLD_, GLIBC_TUNABLES). */
export const KERNEL_JSON_ENV = builtinTsfuturesSpec().env;
/** The launcher's V8 flags (bin/tsfutures-kernel.sh), which every installed kernel runs with. */
export const V8_FLAGS = kernelV8Flags(ROOT);
/** The compiled fake engine (global-setup builds dist/ before the tests). */
export const FAKE_ENGINE = path.join(ROOT, 'dist', 'test', 'kernel', 'helpers', 'fake-engine.js');

export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<net.Server>((resolve) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => resolve(s)); })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

type Channel = 'shell' | 'control' | 'stdin';

export interface StartOptions {
  /** 'fake' (default): the vm engine in helpers/; 'real': the TypeScript cell engine. */
  engine?: 'fake' | 'real';
  env?: Record<string, string>;
  key?: string;
  /** false: resolve once the process is spawned, without waiting for its first kernel_info reply. */
  waitReady?: boolean;
}

export class KernelClient {
  readonly session = randomUUID();
  readonly iopubLog: Message[] = [];
  private readonly replies = new Map<string, Message>();
  /**
   * The same messages indexed the way reply() and iopubFor() look them up: a soak sends 10 000 requests, and
   * scanning every earlier message on each arrival made the client, not the kernel, slow down over the run.
   */
  private readonly replyByRequest = new Map<string, Message>();
  private readonly iopubByParent = new Map<string, Message[]>();
  private readonly waiters = new Set<() => void>();
  private readonly sockets: { shell: zmq.Dealer; control: zmq.Dealer; stdin: zmq.Dealer; iopub: zmq.Subscriber; hb: zmq.Request };
  private stderrText = '';
  readonly exited: Promise<number | null>;

  private constructor(
    readonly process: ChildProcess,
    readonly connection: Record<string, unknown> & { key: string },
    readonly dir: string,
    readonly signer: Signer,
  ) {
    const identity = `client-${this.session.slice(0, 8)}`;
    this.sockets = {
      shell: new zmq.Dealer({ routingId: identity, linger: 0 }),
      control: new zmq.Dealer({ routingId: identity, linger: 0 }),
      stdin: new zmq.Dealer({ routingId: identity, linger: 0 }),
      iopub: new zmq.Subscriber({ linger: 0 }),
      hb: new zmq.Request({ linger: 0 }),
    };
    this.exited = new Promise((resolve) => process.on('exit', (code) => resolve(code)));
    process.stderr?.on('data', (d) => (this.stderrText += String(d)));
  }

  get stderr(): string {
    return this.stderrText;
  }

  static async start(options: StartOptions = {}): Promise<KernelClient> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tsfutures-kernel-'));
    const [shell_port, control_port, stdin_port, iopub_port, hb_port] = await freePorts(5);
    const connection = { transport: 'tcp', ip: '127.0.0.1', key: options.key ?? randomUUID(), signature_scheme: 'hmac-sha256', shell_port, control_port, stdin_port, iopub_port, hb_port, kernel_name: 'tsfutures' };
    const file = path.join(dir, 'connection.json');
    writeFileSync(file, JSON.stringify(connection));
    // kernel.json's env and the launcher's V8 flags too: tests measure the kernel as Jupyter starts it (the ordinary
    // way: the start-up snapshot has tests of its own, test/snapshot).
    const env = { ...process.env, ...KERNEL_JSON_ENV, JUPYTER_DATA_DIR: path.join(dir, 'data'), ...options.env } as Record<string, string>;
    if ((options.engine ?? 'fake') === 'fake') env.TSFUTURES_ENGINE = FAKE_ENGINE;
    else delete env.TSFUTURES_ENGINE;
    const child = spawn(process.execPath, [...V8_FLAGS, BIN, 'kernel', '-f', file], { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
    child.stdout!.resume();
    const client = new KernelClient(child, connection, dir, new Signer(connection.key, 'hmac-sha256'));
    client.connect();
    if (options.waitReady !== false) await client.waitReady();
    return client;
  }

  private url(port: unknown): string {
    return `tcp://127.0.0.1:${port}`;
  }

  private connect(): void {
    const s = this.sockets;
    const c = this.connection;
    s.shell.connect(this.url(c.shell_port));
    s.control.connect(this.url(c.control_port));
    s.stdin.connect(this.url(c.stdin_port));
    s.iopub.connect(this.url(c.iopub_port));
    s.iopub.subscribe();
    s.hb.connect(this.url(c.hb_port));
    for (const ch of ['shell', 'control', 'stdin'] as const) void this.receive(ch, s[ch]);
    void this.receive('iopub', s.iopub);
  }

  private async receive(channel: Channel | 'iopub', socket: zmq.Dealer | zmq.Subscriber): Promise<void> {
    try {
      for await (const frames of socket) {
        const { message } = decode(frames, this.signer);
        (message as { channel: string }).channel = channel;
        const parentId = (message.parent_header as { msg_id?: string }).msg_id;
        if (channel === 'iopub') {
          this.iopubLog.push(message);
          if (parentId !== undefined) {
            const list = this.iopubByParent.get(parentId);
            if (list) list.push(message);
            else this.iopubByParent.set(parentId, [message]);
          }
        } else {
          this.replies.set(`${channel}:${parentId}:${message.header.msg_type}`, message);
          if (!this.replyByRequest.has(`${channel}:${parentId}`)) this.replyByRequest.set(`${channel}:${parentId}`, message);
        }
        for (const w of [...this.waiters]) w();
      }
    } catch {
      // socket closed
    }
  }

  /** The first iopub message of `msgType` for request `msgId` (e.g. the first `stream` of a cell that loops). */
  waitForIopub(msgId: string, msgType: string, timeoutMs = 20000): Promise<Message> {
    return this.waitFor(() => this.iopubLog.find((m) => m.header.msg_type === msgType && (m.parent_header as { msg_id?: string }).msg_id === msgId), `${msgType} of ${msgId}`, timeoutMs);
  }

  /** Waits until check() returns something, re-checking whenever a message arrives. */
  waitFor<T>(check: () => T | undefined, what: string, timeoutMs = 20000): Promise<T> {
    return new Promise((resolve, reject) => {
      const tryIt = () => {
        const v = check();
        if (v !== undefined) {
          this.waiters.delete(tryIt);
          clearTimeout(timer);
          resolve(v);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(tryIt);
        reject(new Error(`timed out waiting for ${what}; kernel stderr:\n${this.stderrText}`));
      }, timeoutMs);
      this.waiters.add(tryIt);
      tryIt();
    });
  }

  /** Like jupyter_client's wait_for_ready: kernel_info until iopub is known to be subscribed. */
  private async waitReady(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const id = this.send('shell', 'kernel_info_request', {});
      await this.reply(id, 'shell', 30000);
      const seen = await Promise.race([
        this.waitFor(() => (this.iopubLog.some((m) => (m.parent_header as { msg_id?: string }).msg_id === id) ? true : undefined), 'iopub', 300).catch(() => false),
      ]);
      if (seen) return;
    }
    throw new Error('kernel never published on iopub');
  }

  /** zeromq allows one pending send per socket: sends are chained so none is rejected under load. */
  private readonly sending: Record<Channel, Promise<void>> = { shell: Promise.resolve(), control: Promise.resolve(), stdin: Promise.resolve() };

  send(channel: Channel, msgType: string, content: object, metadata: object = {}, buffers: Uint8Array[] = []): string {
    const message = createUncheckedMessage({ msgType, channel, session: this.session, content, metadata, username: 'test' });
    (message as { buffers?: unknown }).buffers = buffers;
    void this.sendFrames(channel, encode(message, this.signer));
    return message.header.msg_id;
  }

  /** Raw frames, for the malformed-message tests. */
  sendFrames(channel: Channel, frames: Buffer[]): Promise<void> {
    const sent = this.sending[channel].then(() => this.sockets[channel].send(frames));
    this.sending[channel] = sent.catch(() => undefined);
    return sent;
  }

  reply(msgId: string, channel: Channel = 'shell', timeoutMs?: number): Promise<Message> {
    return this.waitFor(() => this.replyByRequest.get(`${channel}:${msgId}`), `reply to ${msgId} on ${channel}`, timeoutMs);
  }

  /** iopub messages of one request, once its status idle has arrived (the idle itself excluded). */
  async iopubFor(msgId: string, timeoutMs?: number): Promise<Message[]> {
    const of = () => this.iopubByParent.get(msgId) ?? [];
    await this.waitFor(() => (of().some((m) => m.header.msg_type === 'status' && (m.content as { execution_state: string }).execution_state === 'idle') ? true : undefined), `idle after ${msgId}`, timeoutMs);
    return of().filter((m) => !(m.header.msg_type === 'status' && (m.content as { execution_state: string }).execution_state === 'idle'));
  }

  async execute(code: string, content: object = {}): Promise<{ reply: Message; iopub: Message[]; msgId: string }> {
    const msgId = this.send('shell', 'execute_request', { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true, ...content });
    const reply = await this.reply(msgId);
    const iopub = await this.iopubFor(msgId);
    return { reply, iopub, msgId };
  }

  /** stdout text streamed for a request. */
  static streamText(iopub: Message[], name = 'stdout'): string {
    return iopub.filter((m) => m.header.msg_type === 'stream' && (m.content as { name: string }).name === name).map((m) => (m.content as { text: string }).text).join('');
  }

  async heartbeat(timeoutMs = 5000): Promise<boolean> {
    const hb = this.sockets.hb;
    await hb.send('ping');
    const got = await Promise.race([hb.receive().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref())]);
    return got;
  }

  /** Shuts the kernel down (if still running) and closes every socket. */
  async close(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      this.send('control', 'shutdown_request', { restart: false });
      const timer = setTimeout(() => this.process.kill('SIGKILL'), 10000);
      await this.exited;
      clearTimeout(timer);
    }
    for (const s of Object.values(this.sockets)) if (!s.closed) s.close();
    // The kernel is gone: its connection file and data folder are this client's to remove.
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A message's content, loosely typed for assertions. */
export const content = (m: { content: unknown }) => m.content as Record<string, any>;

/** The text/plain of the execute_result among a request's iopub messages; undefined when there is none. */
export const result = (iopub: { header: { msg_type: string }; content: unknown }[]) =>
  content(iopub.find((m) => m.header.msg_type === 'execute_result') ?? { content: { data: {} } }).data['text/plain'];
