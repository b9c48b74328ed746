/** Shared by the futures tests: a real-timer sleep, futures in each state (CPython's create_future), stderr capture. */
import { CANCELLED, CANCELLED_AND_NOTIFIED, FINISHED, Future, PENDING, RUNNING, type FutureState } from '../../../runtime/futures/_base';

export const sleep = (seconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

/** Lets queued macrotasks (setImmediate task starts) run. */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function createFuture<T = unknown>(state: FutureState, outcome?: { result?: T; exception?: unknown }): Future<T> {
  const f = new Future<T>();
  f._state = state;
  if (outcome && 'exception' in outcome) {
    f._exception = outcome.exception;
    f._raised = true;
  } else if (outcome) {
    f._result = outcome.result;
  }
  return f;
}

export const pendingFuture = (): Future => createFuture(PENDING);
export const runningFuture = (): Future => createFuture(RUNNING);
export const cancelledFuture = (): Future => createFuture(CANCELLED);
export const cancelledAndNotifiedFuture = (): Future => createFuture(CANCELLED_AND_NOTIFIED);
export const exceptionFuture = (): Future => createFuture(FINISHED, { exception: new RangeError('bad') });
export const successfulFuture = (): Future<number> => createFuture(FINISHED, { result: 42 });

/** Collects what is written to process.stderr while `body` runs (CPython's LOGGER output goes there). */
export async function captureStderr(body: () => unknown): Promise<string> {
  let text = '';
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  try {
    await body();
  } finally {
    spy.mockRestore();
  }
  return text;
}

/** A future repr with its address replaced, for exact comparisons. */
export const ADDR = /0x[0-9a-f]{12}/g;
export const masked = (s: string): string => s.replace(ADDR, '0xADDR');
