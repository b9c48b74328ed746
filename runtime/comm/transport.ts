/**
 * How the comm layer reaches a frontend without knowing about the kernel (as display-hook.ts does for output).
 * The kernel installs a transport at start-up; in plain Node there is none, and comms stay local (widgets keep their
 * state, nothing is sent).
 */

export type CommMsgType = 'comm_open' | 'comm_msg' | 'comm_close';

/** A message header as the frontend sent it; echo_update replies name it as their parent. */
export type Header = Record<string, unknown> & { msg_id: string; msg_type: string };

export interface CommTransport {
  /** Publishes one comm message on iopub; `parent` overrides the header of the cell whose work is running. */
  send(msgType: CommMsgType, content: Record<string, unknown>, metadata: Record<string, unknown>, buffers: Uint8Array[], parent?: Header): void;
  /** Where output goes now (the running cell): kept by targets and comms so their handlers print there. */
  place(): unknown;
  /** Runs fn with `place` as where its output (and the comm messages it sends) go. */
  runIn<T>(place: unknown, fn: () => T): T;
  /** A diagnostic for whoever runs the kernel, not a cell (unknown comm ids). */
  log(text: string): void;
}

let current: CommTransport | undefined;

/** The kernel calls this once at start-up; undefined detaches (the kernel is going away). */
export function setCommTransport(transport: CommTransport | undefined): void {
  current = transport;
}

export function commTransport(): CommTransport | undefined {
  return current;
}
