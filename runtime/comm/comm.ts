/**
 * One comm (Jupyter messaging spec, "Custom messages"): a channel between an object in the kernel and its companion
 * in a frontend, opened by either side. The API is ipykernel's `comm` package: send / close / on_msg / on_close.
 */
import { REPR } from '../python/repr';
import { commTransport, type Header } from './transport';

/** A comm message as a handler sees it (ipykernel hands on the whole message dict too). */
export interface CommMessage<D = any> {
  header: Header;
  parent_header: Record<string, unknown>;
  metadata: Record<string, unknown>;
  content: { comm_id: string; data: D; target_name?: string; target_module?: string | null };
  /** Binary frames sent with the message. */
  buffers: Uint8Array[];
}

export type CommData = Record<string, unknown>;
export type CommCallback = (msg: CommMessage) => unknown;

/**
 * Runs a handler where its owner's output goes; an error it throws (or rejects with) is printed there too, so the
 * cell that registered the handler shows it and the kernel goes on.
 */
export function runHandler(place: unknown, what: string, fn: () => unknown): void {
  const transport = commTransport();
  const report = (e: unknown) => {
    const text = (e as Error)?.stack ?? String(e);
    const print = () => process.stderr.write(`Exception in ${what}:\n${text}\n`);
    if (transport) transport.runIn(place, print);
    else print();
  };
  const call = () => {
    try {
      const r = fn() as { then?: unknown } | undefined;
      if (r && typeof r.then === 'function') (r as Promise<unknown>).then(undefined, report);
    } catch (e) {
      report(e);
    }
  };
  if (transport) transport.runIn(place, call);
  else call();
}

export class Comm {
  private msgCallback: CommCallback | undefined;
  private closeCallback: CommCallback | undefined;
  private isClosed = false;

  /**
   * Use `comms.open(...)` (kernel side) or a target's callback (frontend side); `place` is where the handlers'
   * output goes, `onClosed` tells the manager to forget the comm.
   */
  constructor(
    readonly comm_id: string,
    readonly target_name: string,
    private readonly place: unknown,
    private readonly onClosed: (comm: Comm) => void,
  ) {}

  get closed(): boolean {
    return this.isClosed;
  }

  /** Sends `data` (JSON) and binary `buffers` to the frontend's side of the comm. */
  send(data: CommData = {}, metadata: CommData = {}, buffers: ArrayBufferView[] = [], parent?: Header): void {
    if (this.isClosed) throw new Error(`cannot send on comm ${this.comm_id} (target '${this.target_name}'): it is closed`);
    this.publish('comm_msg', { comm_id: this.comm_id, data }, metadata, buffers, parent);
  }

  /** Closes the comm on both sides (once; later calls do nothing). The frontend gets `data`. */
  close(data: CommData = {}, metadata: CommData = {}, buffers: ArrayBufferView[] = []): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.onClosed(this);
    this.publish('comm_close', { comm_id: this.comm_id, data }, metadata, buffers);
  }

  /** `callback(msg)` for every comm_msg from the frontend; null removes it. */
  on_msg(callback: CommCallback | null): void {
    this.msgCallback = callback ?? undefined;
  }

  /** `callback(msg)` when the frontend closes the comm; null removes it. */
  on_close(callback: CommCallback | null): void {
    this.closeCallback = callback ?? undefined;
  }

  /** @internal The comm_open to the frontend (comms.open). */
  _open(data: CommData, metadata: CommData, buffers: ArrayBufferView[]): void {
    this.publish('comm_open', { comm_id: this.comm_id, target_name: this.target_name, data, target_module: null }, metadata, buffers);
  }

  /** @internal A comm_msg from the frontend. */
  _receive(msg: CommMessage): void {
    const callback = this.msgCallback;
    if (callback) runHandler(this.place, `comm_msg for comm ${this.comm_id} (target '${this.target_name}')`, () => callback(msg));
  }

  /** @internal A comm_close from the frontend. */
  _receiveClose(msg: CommMessage): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.onClosed(this);
    const callback = this.closeCallback;
    if (callback) runHandler(this.place, `comm_close for comm ${this.comm_id} (target '${this.target_name}')`, () => callback(msg));
  }

  /** @internal Runs fn where this comm's output goes. */
  _runHere<T>(fn: () => T): T {
    const transport = commTransport();
    return transport ? transport.runIn(this.place, fn) : fn();
  }

  private publish(type: 'comm_open' | 'comm_msg' | 'comm_close', content: CommData, metadata: CommData, buffers: ArrayBufferView[], parent?: Header): void {
    commTransport()?.send(type, content, metadata, buffers.map(asBytes), parent);
  }

  [REPR](): string {
    return `<Comm comm_id=${this.comm_id} target_name='${this.target_name}'${this.isClosed ? ' closed' : ''}>`;
  }
}

function asBytes(b: ArrayBufferView | ArrayBuffer): Uint8Array {
  if (b instanceof Uint8Array) return b;
  if (ArrayBuffer.isView(b)) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  if (b instanceof ArrayBuffer) return new Uint8Array(b);
  throw new TypeError(`comm buffers must be ArrayBuffers or typed arrays, not ${typeof b}`);
}
