/**
 * The kernel's comm registry (ipykernel's CommManager): targets a frontend may open comms to, the comms open now,
 * and what the kernel hands in from comm_open / comm_msg / comm_close / comm_info_request. Cells get it as `comms`.
 */
import { randomUUID } from 'node:crypto';
import { Comm, runHandler, type CommData, type CommMessage } from './comm';
import { commTransport } from './transport';

export type TargetCallback = (comm: Comm, openMsg: CommMessage) => unknown;

export class CommManager {
  private readonly targets = new Map<string, { callback: TargetCallback; place: unknown }>();
  private readonly openComms = new Map<string, Comm>();
  /** Targets the frontend asked about (comm_info_request) or opened a comm to: it knows that protocol. */
  private readonly frontendTargets = new Set<string>();
  private readonly interestListeners: Array<(target: string) => void> = [];

  /** Whether a kernel carries comms to a frontend (false in plain Node). */
  get connected(): boolean {
    return commTransport() !== undefined;
  }

  /**
   * `callback(comm, openMsg)` runs when the frontend opens a comm to `target_name`; its output, and that of the
   * handlers it installs on the comm, goes to the cell that registered it. Registering again replaces the callback.
   */
  register_target(target_name: string, callback: TargetCallback): void {
    if (typeof target_name !== 'string' || !target_name) throw new TypeError(`target_name must be a non-empty string, not ${JSON.stringify(target_name)}`);
    if (typeof callback !== 'function') throw new TypeError(`the callback for target '${target_name}' must be a function`);
    this.targets.set(target_name, { callback, place: commTransport()?.place() });
  }

  unregister_target(target_name: string): void {
    this.targets.delete(target_name);
  }

  /** Opens a comm to the frontend's `target_name`; its handlers' output goes to the cell that opened it. */
  open(target_name: string, data: CommData = {}, metadata: CommData = {}, buffers: ArrayBufferView[] = []): Comm {
    const transport = commTransport();
    if (!transport) throw new Error(`cannot open a comm to '${target_name}': comms need a running kernel with a frontend`);
    const comm = this.add(randomUUID().replace(/-/g, ''), target_name, transport.place());
    comm._open(data, metadata, buffers);
    return comm;
  }

  /** A comm the kernel has open, by id. */
  get(comm_id: string): Comm | undefined {
    return this.openComms.get(comm_id);
  }

  /** The open comms as comm_info_reply lists them: `{id: {target_name}}`, only those of `target_name` when given. */
  info(target_name?: string): Record<string, { target_name: string }> {
    const out: Record<string, { target_name: string }> = {};
    for (const [id, comm] of this.openComms) if (target_name === undefined || comm.target_name === target_name) out[id] = { target_name: comm.target_name };
    return out;
  }

  /** Whether the frontend has shown it speaks `target_name` (asked for its comms or opened one). */
  frontend_knows(target_name: string): boolean {
    return this.frontendTargets.has(target_name);
  }

  /** @internal Calls `listener(target)` whenever the frontend shows it knows a target (widgets listen for theirs). */
  _onFrontendTarget(listener: (target: string) => void): void {
    this.interestListeners.push(listener);
  }

  /** @internal comm_info_request. */
  _handleInfo(target_name: string | undefined): Record<string, { target_name: string }> {
    if (target_name) this.noteFrontendTarget(target_name);
    return this.info(target_name);
  }

  /** @internal comm_open from the frontend: false when no target of that name is registered (the caller logs it). */
  _handleOpen(msg: CommMessage): boolean {
    const { comm_id, target_name } = msg.content;
    if (typeof target_name === 'string') this.noteFrontendTarget(target_name);
    const target = typeof target_name === 'string' ? this.targets.get(target_name) : undefined;
    if (!target || typeof comm_id !== 'string') return false;
    const comm = this.add(comm_id, target_name!, target.place);
    runHandler(target.place, `the comm_open handler of target '${target_name}'`, () => target.callback(comm, msg));
    return true;
  }

  /** @internal comm_msg from the frontend: false for a comm id the kernel does not know. */
  _handleMsg(msg: CommMessage): boolean {
    const comm = this.openComms.get(msg.content.comm_id);
    if (!comm) return false;
    comm._receive(msg);
    return true;
  }

  /** @internal comm_close from the frontend: false for a comm id the kernel does not know. */
  _handleClose(msg: CommMessage): boolean {
    const comm = this.openComms.get(msg.content.comm_id);
    if (!comm) return false;
    comm._receiveClose(msg);
    return true;
  }

  private add(id: string, target: string, place: unknown): Comm {
    const comm = new Comm(id, target, place, (c) => this.openComms.get(c.comm_id) === c && this.openComms.delete(c.comm_id));
    this.openComms.set(id, comm);
    return comm;
  }

  private noteFrontendTarget(target: string): void {
    if (this.frontendTargets.has(target)) return;
    this.frontendTargets.add(target);
    for (const listener of this.interestListeners) listener(target);
  }
}

/** The one registry of this process (one kernel per process), `comms` in every cell. */
export const comms = new CommManager();
