/**
 * Jupyter wire protocol: framing and HMAC signing of messages (messaging spec 5.3).
 *
 * This module knows nothing about sockets or cells: the kernel, the nbval client and the tests all
 * speak through it, so the frame layout and the signature check live in exactly one place.
 *
 *   [zmq identities..., "<IDS|MSG>", signature, header, parent_header, metadata, content, buffers...]
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { KernelMessage } from '@jupyterlab/services';

export const DELIMITER = '<IDS|MSG>';
const DELIMITER_BUF = Buffer.from(DELIMITER);
export const PROTOCOL_VERSION = '5.3';

/** Any message of the protocol, typed by @jupyterlab/services. */
export type Message = KernelMessage.IMessage;
export type Header = KernelMessage.IHeader;

/** The messages @jupyterlab/services does not type: JEP 65's iopub_welcome, and shutdown's request and reply. */
interface UntypedThere {
  iopub_welcome: { subscription: string };
  shutdown_request: { restart: boolean };
  shutdown_reply: { status: 'ok'; restart: boolean };
}

export type MessageType = KernelMessage.MessageType | keyof UntypedThere;

/** The content of each msg_type: @jupyterlab/services' interface for it (one per message), else UntypedThere's. */
export type ContentOf<T extends MessageType> = T extends keyof UntypedThere
  ? UntypedThere[T]
  : Extract<KernelMessage.Message, { header: { msg_type: T } }>['content'];

/**
 * A request's content as it arrives: the spec's field names, each value unchecked (a client may send anything), so
 * handlers name fields the compiler knows and still check what they find. (Over a union: every member's fields.)
 */
export type Untrusted<C> = { readonly [K in C extends unknown ? keyof C : never]?: unknown };

/** Raised by {@link decode} for frames that are not a valid, correctly signed message. */
export class WireError extends Error {
  override name = 'WireError';
}

/** Signs and verifies the four JSON frames of a message with the connection file's key. */
export class Signer {
  private readonly algorithm: string | null;

  constructor(
    private readonly key: string,
    scheme = 'hmac-sha256',
  ) {
    if (!key) {
      this.algorithm = null; // An empty key disables signing, as the spec allows.
      return;
    }
    const match = /^hmac-(.+)$/.exec(scheme);
    if (!match) throw new WireError(`unsupported signature scheme: ${scheme}`);
    this.algorithm = match[1];
  }

  sign(frames: readonly Buffer[]): string {
    if (!this.algorithm) return '';
    const hmac = createHmac(this.algorithm, this.key);
    for (const frame of frames) hmac.update(frame);
    return hmac.digest('hex');
  }

  /** Constant-time comparison, so the signature cannot be guessed byte by byte from response timing. */
  verify(signature: Buffer, frames: readonly Buffer[]): boolean {
    if (!this.algorithm) return true;
    const expected = Buffer.from(this.sign(frames));
    return signature.length === expected.length && timingSafeEqual(signature, expected);
  }
}

export interface Decoded {
  /** The zmq routing identities that preceded the delimiter; replies must carry them back. */
  identities: Buffer[];
  message: Message;
}

/** Parses and checks a multipart message; throws {@link WireError} saying what is wrong with it. */
export function decode(frames: readonly Buffer[], signer: Signer): Decoded {
  const at = frames.findIndex((f) => f.equals(DELIMITER_BUF));
  if (at < 0) throw new WireError('no <IDS|MSG> delimiter');
  if (frames.length < at + 6) throw new WireError(`expected 5 frames after the delimiter, got ${frames.length - at - 1}`);
  const [signature, ...json] = frames.slice(at + 1, at + 6);
  if (!signer.verify(signature, json)) throw new WireError('invalid signature');
  let parsed: unknown[];
  try {
    parsed = json.map((f) => JSON.parse(f.toString('utf8')));
  } catch (e) {
    throw new WireError(`invalid JSON: ${(e as Error).message}`);
  }
  const [header, parent_header, metadata, content] = parsed as [Header, Header | {}, object, object];
  if (!isObject(header) || typeof header.msg_type !== 'string' || typeof header.msg_id !== 'string') {
    throw new WireError('header lacks msg_id or msg_type');
  }
  if (!isObject(parent_header) || !isObject(metadata) || !isObject(content)) {
    throw new WireError('parent_header, metadata and content must be objects');
  }
  const message = {
    header,
    parent_header,
    metadata,
    content,
    buffers: frames.slice(at + 6),
    channel: undefined as unknown,
  } as unknown as Message;
  return { identities: frames.slice(0, at), message };
}

const EMPTY_OBJECT_FRAME = Buffer.from('{}');
/**
 * The last parent header encoded, and its frame: every message of one request carries the same parent (five for a
 * cell), so it is serialised once. Keyed by the object itself: a header, once received or made, is never changed.
 */
let lastParent: object | undefined;
let lastParentFrame = EMPTY_OBJECT_FRAME;

function parentFrame(parent: object | null | undefined): Buffer {
  if (parent == null) return EMPTY_OBJECT_FRAME;
  if (parent !== lastParent) {
    lastParentFrame = Buffer.from(JSON.stringify(parent));
    lastParent = parent;
  }
  return lastParentFrame;
}

/** `{}` metadata (most messages') has one frame, made once. */
function objectFrame(part: object | null | undefined): Buffer {
  return part == null || isEmptyPlainObject(part) ? EMPTY_OBJECT_FRAME : Buffer.from(JSON.stringify(part));
}

/** An object JSON.stringify writes as `{}`: a plain one with no enumerable keys and no toJSON. */
function isEmptyPlainObject(x: object): boolean {
  if (Object.getPrototypeOf(x) !== Object.prototype || 'toJSON' in x) return false;
  for (const _ in x) return false;
  return true;
}

/** Serialises and signs a message into frames, prefixed by the routing identities. */
export function encode(message: Message, signer: Signer, identities: readonly Buffer[] = []): Buffer[] {
  const json = [Buffer.from(JSON.stringify(message.header ?? {})), parentFrame(message.parent_header), objectFrame(message.metadata), Buffer.from(JSON.stringify(message.content ?? {}))];
  const buffers = (message.buffers ?? []).map((b) =>
    Buffer.isBuffer(b) ? b : ArrayBuffer.isView(b) ? Buffer.from(b.buffer, b.byteOffset, b.byteLength) : Buffer.from(b as ArrayBuffer),
  );
  return [...identities, DELIMITER_BUF, Buffer.from(signer.sign(json)), ...json, ...buffers];
}

export interface NewMessage<T extends MessageType> {
  msgType: T;
  channel: KernelMessage.Channel;
  session: string;
  content: ContentOf<T>;
  parent?: Header | {};
  metadata?: object;
  username?: string;
}

/**
 * Now as ISO 8601 with microseconds, as jupyter_client writes header.date: the kernel orders one client's
 * interrupt_request against its execute_requests by it (interrupt-gate.ts requestStamp), and two of them often fall
 * in one millisecond.
 */
function isoNowMicros(): string {
  const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const second = Math.floor(micros / 1e6);
  // The date and time up to the second change once a second: formatted then, not for every message.
  if (second !== prefixSecond) {
    prefixSecond = second;
    secondPrefix = new Date(second * 1000).toISOString().slice(0, -4); // 'YYYY-MM-DDTHH:MM:SS.'
  }
  return `${secondPrefix}${String(micros - second * 1e6).padStart(6, '0')}Z`;
}
let prefixSecond = Number.NaN;
let secondPrefix = '';

/** The one factory for outgoing messages: a fresh header, the parent's header, the protocol version. */
export function createMessage<T extends MessageType>({ msgType, channel, session, content, parent = {}, metadata = {}, username = 'kernel' }: NewMessage<T>): Message {
  return {
    header: {
      msg_id: randomUUID(),
      msg_type: msgType,
      session,
      username,
      date: isoNowMicros(),
      version: PROTOCOL_VERSION,
    } as Header,
    parent_header: parent,
    metadata,
    content,
    buffers: [],
    channel,
  } as unknown as Message;
}

/**
 * A message whose type the spec does not define (the error reply to an unknown *_request, tests of bad input): there
 * is no content interface to check it against.
 */
export function createUncheckedMessage(message: Omit<NewMessage<MessageType>, 'msgType' | 'content'> & { msgType: string; content: object }): Message {
  return createMessage(message as unknown as NewMessage<MessageType>);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
