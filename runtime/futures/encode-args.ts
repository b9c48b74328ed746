/**
 * Arguments to a worker: structured clone, with class instances and functions encoded as the submitted function is
 * (shipping.ts), large buffers lifted beside the message for a process (big-payloads.ts), SharedArrayBuffers shared
 * with worker threads (shared-memory.ts). Checked here so that a bad argument fails at submit, naming it.
 */
import * as v8 from 'node:v8';
import { liftBig } from './big-payloads';
import { findInstance, holdsFunction } from './instances';
import { findShared, findTransfers, serializeSharing, type Payload } from './shared-memory';
import { describeValue } from './describe-value';
import { ShippingError, withClasses } from './shipping';
import type { FunctionDef } from './pool-protocol';

/**
 * Arguments travel by structured clone, class instances with their classes; checking (and serializing) here makes a
 * bad argument fail at submit, naming it. `shareMemory` (worker threads): SharedArrayBuffers stay shared; without it
 * (processes) they are refused. `liftBig` (a process pool): large buffers travel in a file whose descriptor the
 * caller releases (releaseLifted) once the task is done. Returns what the receiving side's `Receiver.decodeArgs` takes.
 */
export function encodeArgs(fnName: string, args: unknown[], options: { shareMemory: boolean; liftBig?: boolean }): Payload {
  const what = (i: number) => `cannot send argument ${i + 1} of '${fnName || '<anonymous>'}' to a worker process`;
  const sharedAt = args.findIndex((a) => findShared(a) !== undefined);
  if (sharedAt >= 0 && !options.shareMemory) {
    throw new ShippingError(`${what(sharedAt)}: a SharedArrayBuffer cannot be shared with another process; ` +
      'use InterpreterPoolExecutor (worker threads share memory), or pass a copy');
  }
  const outOfBand = options.shareMemory && (sharedAt >= 0 || findTransfers(args).length > 0);
  const check = outOfBand ? serializeSharing : (value: unknown) => v8.serialize(value);
  // To a process pool's worker, large buffers go beside the message (big-payloads.ts), copied into a file at submit.
  const serialize = options.liftBig ? (value: unknown) => liftBig(value) ?? check(value) : check;
  const uncloneable = (i: number): never => {
    throw new ShippingError(`${what(i)}: ${describeValue(args[i])} cannot be cloned`);
  };
  // A function among the arguments travels encoded, as the submitted one does: checked (and named when it cannot
  // ship) in its encoded form.
  const firstUncloneable = (): number => args.findIndex((a, i) => {
    try {
      check(a);
      return false;
    } catch {
      if (!holdsFunction(a)) return true;
    }
    try {
      check(withClasses(a, new Map(), () => what(i)));
      return false;
    } catch (e) {
      if (e instanceof ShippingError) throw e;
      return true;
    }
  });
  if (!findInstance(args)) {
    try {
      return serialize(args);
    } catch {
      return uncloneable(firstUncloneable());
    }
  }
  // Cloneable as they are first (a native handle is not), then with their class instances encoded.
  const bad = firstUncloneable();
  if (bad >= 0) uncloneable(bad);
  const classes = new Map<string, FunctionDef>();
  args.forEach((a, i) => withClasses(a, classes, () => what(i))); // names the argument whose instance cannot travel
  return serialize(withClasses(args, classes, () => what(0)));
}

/** encodeArgs for a process (no shared memory): the v8 bytes the worker's `Receiver.decodeArgs` takes. */
export function serializeArgs(fnName: string, args: unknown[]): Uint8Array {
  return encodeArgs(fnName, args, { shareMemory: false }) as Uint8Array;
}
