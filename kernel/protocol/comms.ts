/**
 * The kernel's half of comms (messaging spec, "Custom messages"): carries comm_open / comm_msg / comm_close between
 * the wire and the runtime's comm registry (runtime/comm), and gives that registry its way out (iopub, in order with
 * the cell's output). Comm messages from the frontend are handled even while a cell awaits (dispatcher.ts), so a
 * Cancel button reaches the kernel during `await wait(...)`.
 */
import type { ContentOf, Message, Untrusted } from '../transport/wire';
import type { Session } from './session';
import type { CellContext, OutputRouter } from '../output';
import { comms } from '../../runtime/comm/manager';
import type { CommMessage } from '../../runtime/comm/comm';
import { setCommTransport, type Header } from '../../runtime/comm/transport';
import { log } from '../process/log';

/** The message types handled at once, not queued behind a running cell (dispatcher.ts). */
export const COMM_MESSAGE_TYPES: ReadonlySet<string> = new Set(['comm_open', 'comm_msg', 'comm_close', 'comm_info_request']);

/** Lets the runtime's comms reach the frontend through this kernel. */
export function installComms(session: Session, output: OutputRouter): void {
  setCommTransport({
    send(msgType, content, metadata, buffers, parent) {
      output.flush(); // after what the cell printed before
      // runtime/comm/comm.ts builds each msg_type's content; its data is the user's, sent as JSON.
      session.send('iopub', msgType, content as ContentOf<typeof msgType>, parent ?? output.current()?.parent ?? {}, [], metadata, buffers);
    },
    place: () => output.current(),
    runIn: (place, fn) => (place ? output.within(place as CellContext, fn) : fn()),
    log: (text) => log('warning', text),
  });
}

export function uninstallComms(): void {
  setCommTransport(undefined);
}

let widgetsLoaded = false;
/**
 * The widget layer registers its targets (jupyter.widget.control) when loaded: a frontend's widget manager may open
 * a comm before any cell has used the runtime.
 */
function loadWidgets(): void {
  if (widgetsLoaded) return;
  widgetsLoaded = true;
  try {
    require('../../runtime/widgets');
  } catch (e) {
    log('error', `cannot load the widget layer: ${(e as Error)?.message ?? String(e)}`);
  }
}

function asCommMessage(message: Message): CommMessage {
  const content = (message.content ?? {}) as CommMessage['content'];
  return {
    header: message.header as unknown as Header,
    parent_header: message.parent_header as Record<string, unknown>,
    metadata: (message.metadata ?? {}) as Record<string, unknown>,
    content: { ...content, data: content.data ?? {} },
    buffers: (message.buffers ?? []) as Uint8Array[],
  };
}

function commIdOf(message: Message): string {
  return String((message.content as Untrusted<ContentOf<'comm_msg'>>).comm_id);
}

/** A comm_open to a target nobody registered is closed again at once, as ipykernel does. */
export function commOpen(session: Session, message: Message): void {
  loadWidgets();
  if (comms._handleOpen(asCommMessage(message))) return;
  const target = (message.content as Untrusted<ContentOf<'comm_open'>>).target_name;
  log('warning', `comm_open for unknown target ${JSON.stringify(target)} (comm ${commIdOf(message)}): closing it`);
  session.send('iopub', 'comm_close', { comm_id: commIdOf(message), data: {} }, message.header);
}

export function commMsg(message: Message): void {
  if (!comms._handleMsg(asCommMessage(message))) log('warning', `comm_msg for unknown comm id ${commIdOf(message)}: dropped`);
}

export function commClose(message: Message): void {
  if (!comms._handleClose(asCommMessage(message))) log('warning', `comm_close for unknown comm id ${commIdOf(message)}: ignored`);
}

/** comm_info_reply's `comms`: the open comms, only those of `target_name` when the request names one. */
export function commInfo(message: Message): Record<string, { target_name: string }> {
  loadWidgets();
  const target = (message.content as Untrusted<ContentOf<'comm_info_request'>>).target_name;
  return comms._handleInfo(typeof target === 'string' && target ? target : undefined);
}
