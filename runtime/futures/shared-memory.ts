/**
 * SharedArrayBuffers across the boundary. Worker threads (InterpreterPoolExecutor) can share them: the bytes of the
 * arguments name each buffer by index and the buffers travel beside them in the message, so a 128 MB
 * SharedArrayBuffer costs nothing to send. Child processes cannot share a V8 heap's memory: there a
 * SharedArrayBuffer is refused at submit, where v8's serializer would otherwise copy a shared view silently.
 */
import * as v8 from 'node:v8';
import { types } from 'node:util';
import { isLifted, landBig, type LiftedBytes } from './big-payloads';

/**
 * Arguments as they travel: v8 bytes, or (worker threads) bytes with the SharedArrayBuffers they share and the
 * ArrayBuffers they transfer, which go beside the bytes in the message; or (processes) bytes whose large buffers
 * wait in a file (big-payloads.ts).
 */
export type Payload = Uint8Array | { bytes: Uint8Array; shared: SharedArrayBuffer[]; transfer?: ArrayBuffer[] } | LiftedBytes;

/** ArrayBuffers the caller asked to transfer (InterpreterPoolExecutor.transfer): moved to the worker, not copied. */
const marked = new WeakSet<ArrayBufferLike>();

export function markTransfer<T extends ArrayBuffer | ArrayBufferView>(x: T): T {
  const buffer = ArrayBuffer.isView(x) ? x.buffer : x;
  if (!(buffer instanceof ArrayBuffer) && !types.isArrayBuffer(buffer)) {
    throw new TypeError(`transfer() takes an ArrayBuffer or a view over one, not ${Object.prototype.toString.call(x)}`);
  }
  marked.add(buffer);
  return x;
}

/** The buffers marked for transfer that `value` holds (itself or under views), in order of discovery. */
export function findTransfers(value: unknown, seen = new Set<object>(), out: ArrayBuffer[] = []): ArrayBuffer[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return out;
  seen.add(value);
  const buffer = ArrayBuffer.isView(value) ? value.buffer : types.isAnyArrayBuffer(value) ? value : undefined;
  if (buffer) {
    if (marked.has(buffer) && !out.includes(buffer as ArrayBuffer)) out.push(buffer as ArrayBuffer);
    return out;
  }
  if (types.isDate(value) || types.isRegExp(value)) return out;
  const items: Iterable<unknown> = Array.isArray(value) ? value
    : types.isMap(value) ? [...(value as Map<unknown, unknown>)].flat()
      : types.isSet(value) ? (value as Set<unknown>) : Object.values(value);
  for (const item of items) findTransfers(item, seen, out);
  return out;
}

/** Whether a value holds a SharedArrayBuffer (itself or under a typed array) in arrays, Maps, Sets or objects. */
export function findShared(value: unknown, seen = new Set<object>()): SharedArrayBuffer | undefined {
  if (value === null || typeof value !== 'object' || seen.has(value)) return undefined;
  seen.add(value);
  if (types.isSharedArrayBuffer(value)) return value;
  if (ArrayBuffer.isView(value)) return types.isSharedArrayBuffer(value.buffer) ? (value.buffer as SharedArrayBuffer) : undefined;
  if (types.isAnyArrayBuffer(value) || types.isDate(value) || types.isRegExp(value)) return undefined;
  const items: Iterable<unknown> = Array.isArray(value) ? value
    : types.isMap(value) ? [...(value as Map<unknown, unknown>)].flat()
      : types.isSet(value) ? (value as Set<unknown>) : Object.values(value);
  for (const item of items) {
    const found = item !== null && typeof item === 'object' ? findShared(item, seen) : undefined;
    if (found) return found;
  }
  return undefined;
}

const VIEW_TYPES = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView] as const;

const COPIED = 0;
const SHARED = 1;
const TRANSFERRED = 2;

/** v8's serializer with views over SharedArrayBuffers written as (buffer index, offset, length), not copied. */
class SharingSerializer extends v8.DefaultSerializer {
  readonly shared: SharedArrayBuffer[] = [];

  constructor(readonly transfer: ArrayBuffer[]) {
    super();
    // A bare transferred ArrayBuffer is V8's own business; views over one are written below.
    transfer.forEach((buffer, i) => this.transferArrayBuffer(i, buffer));
  }

  _getSharedArrayBufferId(sab: SharedArrayBuffer): number {
    const i = this.shared.indexOf(sab);
    return i >= 0 ? i : this.shared.push(sab) - 1;
  }

  _writeHostObject(view: NodeJS.TypedArray | DataView): void {
    const transferred = ArrayBuffer.isView(view) ? this.transfer.indexOf(view.buffer as ArrayBuffer) : -1;
    if (ArrayBuffer.isView(view) && (transferred >= 0 || types.isSharedArrayBuffer(view.buffer))) {
      const type = VIEW_TYPES.findIndex((T) => view instanceof T || Object.prototype.toString.call(view) === `[object ${T.name}]`);
      this.writeUint32(transferred >= 0 ? TRANSFERRED : SHARED);
      this.writeUint32(type);
      this.writeUint32(transferred >= 0 ? transferred : this._getSharedArrayBufferId(view.buffer as SharedArrayBuffer));
      this.writeUint32(view.byteOffset);
      this.writeUint32(view.byteLength);
      return;
    }
    this.writeUint32(COPIED);
    (v8.DefaultSerializer.prototype as unknown as { _writeHostObject(v: unknown): void })._writeHostObject.call(this, view);
  }
}

class SharingDeserializer extends v8.DefaultDeserializer {
  constructor(bytes: Uint8Array, private readonly shared: SharedArrayBuffer[], private readonly transfer: ArrayBuffer[]) {
    super(bytes);
  }

  _readHostObject(): unknown {
    const tag = this.readUint32();
    if (tag === COPIED) {
      return (v8.DefaultDeserializer.prototype as unknown as { _readHostObject(): unknown })._readHostObject.call(this);
    }
    const View = VIEW_TYPES[this.readUint32()]!;
    const buffer = (tag === TRANSFERRED ? this.transfer : this.shared)[this.readUint32()]!;
    const byteOffset = this.readUint32();
    const byteLength = this.readUint32();
    const perElement = (View as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
    return new (View as unknown as new (b: ArrayBufferLike, o: number, l: number) => unknown)(buffer, byteOffset, byteLength / perElement);
  }
}

/** A bare SharedArrayBuffer travels as a view over it under this key (V8 cannot take it back from Node's API). */
const BARE = '\u0000tsf:sab';

/** Maps every array, Map, Set and plain object of `value`, leaves `leaf(x)` for the rest; cycles kept. */
function mapContainers(value: unknown, leaf: (x: object) => unknown, inPlace: boolean): unknown {
  const memo = new Map<object, unknown>();
  const walk = (x: unknown): unknown => {
    if (x === null || typeof x !== 'object') return x;
    if (memo.has(x)) return memo.get(x);
    if (Array.isArray(x)) {
      const out = inPlace ? x : [];
      memo.set(x, out);
      x.forEach((item, i) => (out[i] = walk(item)));
      return out;
    }
    if (types.isMap(x) || types.isSet(x)) {
      const entries = [...(x as Map<unknown, unknown>).entries()].map(([k, v]) => [walk(k), walk(v)] as const);
      const out = types.isMap(x) ? new Map(entries) : new Set(entries.map(([k]) => k));
      memo.set(x, out);
      return out;
    }
    const proto = Object.getPrototypeOf(x);
    if (proto === null || Object.getPrototypeOf(proto) === null) {
      const out: Record<string, unknown> = inPlace ? (x as Record<string, unknown>) : {};
      memo.set(x, out);
      for (const k of Object.keys(x)) out[k] = walk((x as Record<string, unknown>)[k]);
      const replaced = leaf(out);
      if (replaced !== out) memo.set(x, replaced);
      return replaced;
    }
    const replaced = leaf(x);
    memo.set(x, replaced);
    return replaced;
  };
  return walk(value);
}

/** Serializes a value whose SharedArrayBuffers stay shared and marked ArrayBuffers move (worker threads only). */
export function serializeSharing(value: unknown): Payload {
  const transfer = findTransfers(value);
  let bare = false;
  const prepared = mapContainers(value, (x) => {
    if (!types.isSharedArrayBuffer(x)) return x;
    bare = true;
    return { [BARE]: new Uint8Array(x) };
  }, false);
  const s = new SharingSerializer(transfer);
  s.writeHeader();
  s.writeValue(bare ? [true, prepared] : [false, value]);
  // Always the object form: its bytes carry this serializer's host-object tags, which plain v8.deserialize cannot read.
  return transfer.length ? { bytes: s.releaseBuffer(), shared: s.shared, transfer } : { bytes: s.releaseBuffer(), shared: s.shared };
}

/** The value of a Payload: its SharedArrayBuffers the very ones the sender has, its transferred buffers moved here. */
export function deserializePayload(payload: Payload): unknown {
  if (payload instanceof Uint8Array) return v8.deserialize(payload);
  if (isLifted(payload)) return landBig(payload);
  const transfer = payload.transfer ?? [];
  const d = new SharingDeserializer(payload.bytes, payload.shared, transfer);
  d.readHeader();
  transfer.forEach((buffer, i) => d.transferArrayBuffer(i, buffer));
  const [bare, value] = d.readValue() as [boolean, unknown];
  if (!bare) return value;
  return mapContainers(value, (x) => (Object.prototype.hasOwnProperty.call(x, BARE) ? ((x as Record<string, Uint8Array>)[BARE]!).buffer : x), true);
}
