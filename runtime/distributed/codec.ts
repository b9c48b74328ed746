/**
 * The one place where the distributed executor meets function shipping: a call, a result and an error each become
 * JSON-safe text for Redis and back, with exactly the shipping ProcessPoolExecutor uses (shipping.ts on the client,
 * pool-worker.ts rebuilding and running the function on the worker). Nothing else in runtime/distributed knows how
 * values are encoded.
 */
import * as v8 from 'node:v8';
import { serializeChunk } from '../futures/pool-executor';
import { rebuildError } from '../futures/pool';
import { toErrorInfo, type ErrorInfo, type FunctionDef } from '../futures/pool-protocol';
import { serializeArgs, shipFunction } from '../futures/shipping';
import type { EncodedCall } from './protocol';

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
const bytes = (text: string): Uint8Array => Buffer.from(text, 'base64');

function encodeFunction(fn: Function): EncodedCall['f'] {
  const shipped = shipFunction(fn);
  return [shipped.id, shipped.code, shipped.values ? b64(shipped.values) : null];
}

/** `fn(...args)` for a worker; throws at submit (ShippingError) what cannot travel, naming it. */
export function encodeCall(fn: Function, args: unknown[]): EncodedCall {
  return { f: encodeFunction(fn), a: b64(serializeArgs(fn.name, args)), k: 0 };
}

/** One map() chunk: `fn` over the rows of `columns` (one array per iterable). */
export function encodeChunk(fn: Function, columns: unknown[][]): EncodedCall {
  return { f: encodeFunction(fn), a: b64(serializeChunk(fn.name, columns)), k: 1 };
}

/** On the worker: what its pool (pool-worker.ts) runs: the function definition, the argument bytes, chunk or not. */
export function decodeCall(call: EncodedCall): { def: FunctionDef; args: Uint8Array; chunk: boolean } {
  const [id, code, values] = call.f;
  return { def: [id, code, values === null ? null : bytes(values)], args: bytes(call.a), chunk: call.k === 1 };
}

/** A task's return value for the trip back; throws TypeError when it cannot be cloned (as the pools report it). */
export function encodeResult(value: unknown): string {
  try {
    return b64(v8.serialize(value));
  } catch {
    const what = (value as object | null)?.constructor?.name ?? typeof value;
    throw new TypeError(`cannot send the result back from the worker: a ${what} cannot be cloned`);
  }
}

export function decodeResult(text: string): unknown {
  return v8.deserialize(bytes(text));
}

/**
 * An error raised by the task on `worker` (as the worker's pool rebuilt it: the task's stack is its cause).
 * A module the worker cannot load becomes ModuleNotFoundError naming the module and the worker.
 */
export function encodeError(error: unknown, worker: string): string {
  const original = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const info: ErrorInfo = toErrorInfo(original);
  const missing = info.isError ? /^Cannot find module '([^']+)'/.exec(info.message) : null;
  if (missing) {
    info.name = 'ModuleNotFoundError';
    info.message = `No module named '${missing[1]}' on worker ${worker}`;
  }
  try {
    return b64(v8.serialize(info));
  } catch {
    return b64(v8.serialize({ ...info, thrown: String(info.thrown) }));
  }
}

/** The task's error as raised on the client: the same class where known here, the remote stack as `cause`. */
export function decodeError(text: string): unknown {
  return rebuildError(v8.deserialize(bytes(text)) as ErrorInfo);
}
