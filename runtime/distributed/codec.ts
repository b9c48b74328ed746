/**
 * The one place where the distributed executor meets function shipping: a call, a result and an error each become
 * JSON-safe text for Redis and back, with exactly the shipping ProcessPoolExecutor uses (shipping.ts on the client,
 * pool-worker.ts rebuilding and running the function on the worker, rebuild.ts's Receiver turning results and errors
 * back into the client's classes). Nothing else in runtime/distributed knows how values are encoded.
 */
import * as v8 from 'node:v8';
import { errorClass, serializeChunk } from '../futures/pool-executor';
import { toErrorInfo, type ErrorInfo, type FunctionDef } from '../futures/pool-protocol';
import type { PoolOptions } from '../futures/pool';
import type { Payload } from '../futures/shared-memory';
import { describeValue } from '../futures/describe-value';
import { encodeArgs } from '../futures/encode-args';
import { parentReceiver, shipFunction } from '../futures/shipping';
import type { EncodedCall } from './protocol';

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
const bytes = (text: string): Uint8Array => Buffer.from(text, 'base64');
/** Another machine shares no memory: encodeArgs without sharing refuses a SharedArrayBuffer, naming it. */
const NO_SHARING = { shareMemory: false };
const plainBytes = (payload: Payload): Uint8Array => (payload instanceof Uint8Array ? payload : payload.bytes);

function encodeFunction(fn: Function): EncodedCall['f'] {
  const shipped = shipFunction(fn);
  return [shipped.id, shipped.code, shipped.values ? b64(shipped.values) : null];
}

/** `fn(...args)` for a worker; throws at submit (ShippingError) what cannot travel, naming it. */
export function encodeCall(fn: Function, args: unknown[]): EncodedCall {
  return { f: encodeFunction(fn), a: b64(plainBytes(encodeArgs(fn.name, args, NO_SHARING))), k: 0 };
}

/** One map() chunk: `fn` over the rows of `columns` (one array per iterable). */
export function encodeChunk(fn: Function, columns: unknown[][]): EncodedCall {
  return { f: encodeFunction(fn), a: b64(plainBytes(serializeChunk(fn.name, columns, NO_SHARING))), k: 1 };
}

/** On the worker: what its pool (pool-worker.ts) runs: the function definition, the argument bytes, chunk or not. */
export function decodeCall(call: EncodedCall): { def: FunctionDef; args: Uint8Array; chunk: boolean } {
  const [id, code, values] = call.f;
  return { def: [id, code, values === null ? null : bytes(values)], args: bytes(call.a), chunk: call.k === 1 };
}

/** A task's outcome as the worker's pool thread sent it: still in the client's encoding, decoded only there. */
interface Encoded { value: unknown; encoded: boolean }
class RemoteFailure {
  constructor(readonly info: ErrorInfo) {}
}

/** What the worker's pool does with a task's outcome: nothing but keep it for the trip back to the client. */
export const forwardOutcome: PoolOptions['receive'] = {
  result: (value, encoded): Encoded => ({ value, encoded }),
  error: (info) => new RemoteFailure(info),
};

/** A task's return value (as forwardOutcome kept it) for the trip back. */
export function encodeResult(outcome: unknown): string {
  try {
    return b64(v8.serialize(outcome));
  } catch {
    const { value } = outcome as Encoded;
    throw new TypeError(`cannot send the result back from the worker: ${describeValue(value)} cannot be cloned`);
  }
}

export function decodeResult(text: string): unknown {
  const { value, encoded } = v8.deserialize(bytes(text)) as Encoded;
  return encoded ? parentReceiver.decodeEncoded(value) : value;
}

/**
 * An error raised by the task on `worker` (or by the worker's pool: a thread that died). A module the worker cannot
 * load is ModuleNotFoundError naming the module and the worker.
 */
export function encodeError(error: unknown, worker: string): string {
  const info: ErrorInfo = error instanceof RemoteFailure ? error.info : toErrorInfo(error);
  const missing = info.isError ? /^Cannot find module '([^']+)'/.exec(info.message) : null;
  if (missing) {
    info.name = 'ModuleNotFoundError';
    info.message = `No module named '${missing[1]}'`;
  }
  if (info.name === 'ModuleNotFoundError') info.message += ` on worker ${worker}`;
  try {
    return b64(v8.serialize(info));
  } catch {
    return b64(v8.serialize({ ...info, thrown: String(info.thrown) }));
  }
}

/** The task's error as raised on the client: the same class where known here, the remote stack as `cause`. */
export function decodeError(text: string): unknown {
  return parentReceiver.error(v8.deserialize(bytes(text)) as ErrorInfo, errorClass);
}
