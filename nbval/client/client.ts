/**
 * A Jupyter kernel client over zeromq: DEALER shell/control/stdin, SUB iopub, REQ heartbeat.
 * Replies and iopub messages are routed to the request that caused them by parent msg_id.
 */
import * as zmq from 'zeromq';
import { randomUUID } from 'node:crypto';
import { createMessage, decode, encode, Signer, type ContentOf, type Message, type MessageType } from '../../kernel/transport/wire';
import { channelUrl, type ConnectionInfo } from './connection';
import { OutputCollector, type NbOutput, type OutputEvent } from './outputs';

export interface ExecuteOptions {
  /** Seconds to wait for the cell; undefined or <= 0 waits forever. */
  timeout?: number;
  /** Called when the timeout hits (e.g. interrupt the kernel); the client then waits `graceSeconds` for the reply. */
  onTimeout?: () => Promise<void> | void;
  graceSeconds?: number;
  onOutput?: (event: OutputEvent) => void;
  storeHistory?: boolean;
  stopOnError?: boolean;
  silent?: boolean;
}

/** An execute_reply's content as the messaging spec defines it (ok, error or aborted). */
export type ExecuteReply = ContentOf<'execute_reply'>;
/** A kernel_info_reply's content. */
export type KernelInfo = ContentOf<'kernel_info_reply'>;

export interface ExecuteResult {
  reply: ExecuteReply;
  outputs: NbOutput[];
  executionCount: number | null;
}

/** Raised by execute() when a cell runs over its timeout; carries what the cell printed so far. */
/** The reply's msg_type of a request's. */
type ReplyTo<T extends string> = T extends `${infer Base}_request` ? Extract<`${Base}_reply`, MessageType> : never;

export class CellTimeoutError extends Error {
  override name = 'CellTimeoutError';
  constructor(
    readonly seconds: number,
    readonly outputs: NbOutput[],
    readonly reply: ExecuteReply | undefined,
  ) {
    super(`Timeout of ${seconds} seconds exceeded while executing cell`);
  }
}

/** Raised when the kernel dies or the client is disposed while a request is pending. */
export class KernelDiedError extends Error {
  override name = 'KernelDiedError';
}

interface Pending {
  onReply?: (msg: Message) => void;
  onIopub?: (msg: Message) => void;
  fail: (error: Error) => void;
}

export class KernelClient {
  private readonly signer: Signer;
  private readonly session = randomUUID();
  private readonly shell = new zmq.Dealer({ linger: 0 });
  private readonly control = new zmq.Dealer({ linger: 0 });
  private readonly stdin = new zmq.Dealer({ linger: 0 });
  private readonly iopub = new zmq.Subscriber({ linger: 0 });
  private readonly pending = new Map<string, Pending>();
  private readonly sendQueues = new Map<zmq.Dealer, Promise<unknown>>();
  private closed = false;
  /** Resolves on the first iopub message of any kind: proof that our subscription is live. */
  private iopubSeen!: () => void;
  private readonly iopubReady = new Promise<void>((resolve) => (this.iopubSeen = resolve));

  constructor(private readonly info: ConnectionInfo) {
    this.signer = new Signer(info.key, info.signature_scheme);
    this.shell.connect(channelUrl(info, 'shell'));
    this.control.connect(channelUrl(info, 'control'));
    this.stdin.connect(channelUrl(info, 'stdin'));
    this.iopub.connect(channelUrl(info, 'iopub'));
    this.iopub.subscribe();
    void this.pump(this.shell, 'reply');
    void this.pump(this.control, 'reply');
    void this.pump(this.iopub, 'iopub');
    void this.pumpStdin();
  }

  /**
   * Waits until the kernel answers kernel_info AND our iopub subscription receives messages
   * (SUB sockets are slow joiners: outputs published before the subscription lands are lost).
   */
  async kernelInfo(timeoutSeconds = 60): Promise<KernelInfo> {
    const deadline = Date.now() + timeoutSeconds * 1000;
    let reply: Message | undefined;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`kernel did not answer kernel_info_request within ${timeoutSeconds} s`);
      const attempt = this.request(this.shell, 'kernel_info_request', {}, 'shell');
      const got = await withTimeout(attempt.reply.then((m) => ({ m })), Math.min(left, 1000));
      if (got) reply = got.m;
      else attempt.cancel();
      // Each kernel_info_request makes the kernel publish busy/idle on iopub, so retrying feeds the check.
      if (reply && (await withTimeout(this.iopubReady.then(() => true), Math.min(deadline - Date.now(), 300)))) {
        return reply.content as KernelInfo;
      }
    }
    throw new KernelDiedError('client closed');
  }

  /** Runs code; resolves once the execute_reply arrived AND iopub reported idle for this request. */
  execute(code: string, options: ExecuteOptions = {}): Promise<ExecuteResult> {
    const collector = new OutputCollector(options.onOutput);
    const content = {
      code,
      silent: options.silent ?? false,
      store_history: options.storeHistory ?? true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: options.stopOnError ?? true,
    };
    return new Promise<ExecuteResult>((resolve, reject) => {
      let reply: Message | undefined;
      let idle = false;
      let timer: NodeJS.Timeout | undefined;
      let graceTimer: NodeJS.Timeout | undefined;
      let timedOut = false;
      const finish = () => {
        if (!reply || !idle) return;
        cleanup();
        const replyContent = reply.content as ExecuteReply;
        if (timedOut) reject(new CellTimeoutError(options.timeout!, collector.outputs, replyContent));
        else resolve({ reply: replyContent, outputs: collector.outputs, executionCount: replyContent.execution_count ?? null });
      };
      const { msgId } = this.request(this.shell, 'execute_request', content, 'shell', {
        onReply: (msg) => {
          reply = msg;
          finish();
        },
        onIopub: (msg) => {
          const type = msg.header.msg_type;
          if (type === 'status' && (msg.content as ContentOf<'status'>).execution_state === 'idle') {
            idle = true;
            finish();
          } else collector.handle(type, msg.content);
        },
        fail: (error) => {
          cleanup();
          reject(error);
        },
      });
      const cleanup = () => {
        clearTimeout(timer);
        clearTimeout(graceTimer);
        this.pending.delete(msgId);
      };
      if (options.timeout && options.timeout > 0) {
        timer = setTimeout(async () => {
          timedOut = true;
          try {
            await options.onTimeout?.();
          } catch {
            // The timeout is reported either way; a failed interrupt shows up as a missing reply.
          }
          graceTimer = setTimeout(() => {
            cleanup();
            reject(new CellTimeoutError(options.timeout!, collector.outputs, reply?.content as ExecuteReply | undefined));
          }, (options.graceSeconds ?? 5) * 1000);
        }, options.timeout * 1000);
      }
    });
  }

  /** Sends a request on control (shutdown_request, interrupt_request) and waits for its reply. */
  async controlRequest<T extends 'interrupt_request' | 'shutdown_request'>(msgType: T, content: ContentOf<T>, timeoutSeconds = 5): Promise<ContentOf<ReplyTo<T>> | undefined> {
    const attempt = this.request(this.control, msgType, content, 'control');
    const got = await withTimeout(attempt.reply, timeoutSeconds * 1000);
    if (!got) attempt.cancel();
    return got?.content as ContentOf<ReplyTo<T>> | undefined;
  }

  /** One heartbeat ping: true if the kernel echoes it within the timeout. */
  async isAlive(timeoutSeconds = 1): Promise<boolean> {
    const hb = new zmq.Request({ linger: 0, receiveTimeout: timeoutSeconds * 1000, sendTimeout: timeoutSeconds * 1000 });
    try {
      hb.connect(channelUrl(this.info, 'hb'));
      await hb.send('ping');
      await hb.receive();
      return true;
    } catch {
      return false;
    } finally {
      hb.close();
    }
  }

  /** Closes every socket; pending requests fail. Required: zeromq aborts a process that exits with open sockets. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const socket of [this.shell, this.control, this.stdin, this.iopub]) socket.close();
    for (const p of this.pending.values()) p.fail(new KernelDiedError('kernel client disposed'));
    this.pending.clear();
  }

  /** Fails every pending request, e.g. when the manager saw the kernel process exit. */
  failPending(reason: string): void {
    for (const p of this.pending.values()) p.fail(new KernelDiedError(reason));
    this.pending.clear();
  }

  private request<T extends MessageType>(socket: zmq.Dealer, msgType: T, content: ContentOf<T>, channel: 'shell' | 'control', handlers?: Pending) {
    const message = createMessage({ msgType, channel, session: this.session, content, username: 'tsfutures-client' });
    const msgId = message.header.msg_id;
    let settle!: (m: Message) => void;
    let fail!: (e: Error) => void;
    const reply = new Promise<Message>((resolve, reject) => ((settle = resolve), (fail = reject)));
    reply.catch(() => {}); // callers that gave up must not see an unhandled rejection
    this.pending.set(
      msgId,
      handlers ?? {
        onReply: (m) => {
          this.pending.delete(msgId);
          settle(m);
        },
        fail,
      },
    );
    this.send(socket, encode(message, this.signer)).catch((e) => (handlers ?? { fail }).fail(e as Error));
    return { msgId, reply, cancel: () => this.pending.delete(msgId) };
  }

  /** zeromq allows one blocking send per socket at a time, so sends are chained. */
  private send(socket: zmq.Dealer, frames: Buffer[]): Promise<void> {
    const next = (this.sendQueues.get(socket) ?? Promise.resolve()).then(() => socket.send(frames));
    this.sendQueues.set(socket, next.catch(() => {}));
    return next;
  }

  private async pump(socket: zmq.Dealer | zmq.Subscriber, kind: 'reply' | 'iopub'): Promise<void> {
    while (!this.closed) {
      let frames: Buffer[];
      try {
        frames = await socket.receive();
      } catch {
        return; // socket closed
      }
      let msg: Message;
      try {
        msg = decode(frames, this.signer).message;
      } catch {
        continue; // a badly signed or malformed message is not ours to act on
      }
      if (kind === 'iopub') this.iopubSeen();
      const parentId = (msg.parent_header as { msg_id?: string }).msg_id;
      const pending = parentId ? this.pending.get(parentId) : undefined;
      if (!pending) continue;
      if (kind === 'iopub') pending.onIopub?.(msg);
      else pending.onReply?.(msg);
    }
  }

  /** We never allow stdin, but a kernel that asks anyway gets an empty answer instead of hanging. */
  private async pumpStdin(): Promise<void> {
    while (!this.closed) {
      let frames: Buffer[];
      try {
        frames = await this.stdin.receive();
      } catch {
        return;
      }
      try {
        const { message } = decode(frames, this.signer);
        if (message.header.msg_type !== 'input_request') continue;
        // The spec's input_reply is { value } (jupyter_client sends no status); @jupyterlab/services' type asks for one.
        const empty = { value: '' } as ContentOf<'input_reply'>;
        const reply = createMessage({ msgType: 'input_reply', channel: 'stdin', session: this.session, content: empty, parent: message.header });
        await this.send(this.stdin, encode(reply, this.signer));
      } catch {
        // ignore malformed stdin traffic
      }
    }
  }
}

/** Resolves with the value, or undefined once `ms` passed (the underlying promise is left to settle alone). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), Math.max(0, ms));
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}
