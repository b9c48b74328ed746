/**
 * concurrent.futures.Future: the outcome of one call, its states and done-callbacks (CPython's _base.Future).
 * result() and exception() are Promises: a thread would block on a Condition, here the waiting side is a set of
 * resolvers each state change wakes.
 */
import { inspect } from 'node:util';
import { RuntimeError, TimeoutError } from '../python/errors';
import { REPR, addressOf, pyTypeName, repr } from '../python/repr';
import { defineBoundMethods } from '../python/bound-method';
import { HISTORY, SLOT, type History } from '../timeline/record';
import { CancelledError, InvalidStateError } from './errors';
import { waitFor } from './event';
import { CANCELLED, CANCELLED_AND_NOTIFIED, FINISHED, PENDING, RUNNING, STATE_TO_DESCRIPTION_MAP, type FutureState } from './states';
import { isCancelledState, isDoneState, type Waiter } from './waiters';

// Logging: CPython logs through logging.getLogger('concurrent.futures'); with no handlers configured that prints
// the message and the traceback on stderr. process.stderr is looked up per call so the kernel's redirection applies.

export function logException(message: string, error?: unknown): void {
  let text = message + '\n';
  if (error !== undefined) {
    text += error instanceof Error && error.stack ? error.stack + '\n' : `${repr(error)}\n`;
  }
  process.stderr.write(text);
}

/** Method-style (bivariant) so a Future<number> is still usable where a Future<unknown> is expected. */
export type DoneCallback<T> = { callback(future: Future<T>): unknown }['callback'];

export class Future<T = unknown> {
  /** Internal to executors and wait/as_completed (CPython's `_state` etc.). */
  _state: FutureState = PENDING;
  _result: T | undefined = undefined;
  _exception: unknown = undefined;
  /** JS can throw anything, even undefined, so "raised" is a flag rather than a truthy `_exception`. */
  _raised = false;
  _waiters: Waiter[] = [];
  _done_callbacks: DoneCallback<T>[] = [];
  /**
   * Threading.Condition stand-in: resolvers of pending result()/exception() calls, woken on every state change.
   * Created by the first wait: most futures are awaited after they finish, and pools hold thousands of futures.
   */
  private _condition: Set<() => void> | undefined = undefined;
  /** Where timeline/record.ts keeps this future's stamps; declared here so that stamping keeps every future's shape. */
  [HISTORY]: History | undefined = undefined;
  [SLOT] = -1;

  private _notify_all(): void {
    const condition = this._condition;
    if (!condition?.size) return;
    const woken = [...condition];
    condition.clear();
    for (const w of woken) w();
  }

  private _invoke_callbacks(): void {
    // The timeline's end stamp, here rather than as a done-callback: one field check per finished future.
    const history = this[HISTORY];
    if (history !== undefined) history.end(this[SLOT], this);
    for (const callback of this._done_callbacks) {
      try {
        callback(this);
      } catch (e) {
        logException(`exception calling callback for ${repr(this)}`, e);
      }
    }
  }

  [REPR](): string {
    const head = `<${this.constructor.name} at ${addressOf(this)} state=${STATE_TO_DESCRIPTION_MAP[this._state]}`;
    if (this._state === FINISHED) {
      return this._raised
        ? `${head} raised ${pyTypeName(this._exception)}>`
        : `${head} returned ${pyTypeName(this._result)}>`;
    }
    return head + '>';
  }

  [inspect.custom](): string {
    return this[REPR]();
  }

  /** Cancels the future if possible: false when it is running or finished, true when it is (now) cancelled. */
  cancel(): boolean {
    if (this._state === RUNNING || this._state === FINISHED) return false;
    if (this._state === CANCELLED || this._state === CANCELLED_AND_NOTIFIED) return true;
    this._state = CANCELLED;
    this._notify_all();
    this._invoke_callbacks();
    return true;
  }

  cancelled(): boolean {
    return isCancelledState(this._state);
  }

  running(): boolean {
    return this._state === RUNNING;
  }

  done(): boolean {
    return isDoneState(this._state);
  }

  /** Calls `fn(future)` when the future finishes or is cancelled — at once if it already has. Errors are logged. */
  add_done_callback(fn: DoneCallback<T>): void {
    if (!isDoneState(this._state)) {
      this._done_callbacks.push(fn);
      return;
    }
    try {
      fn(this);
    } catch (e) {
      logException(`exception calling callback for ${repr(this)}`, e);
    }
  }

  /** Waits until the state leaves PENDING/RUNNING, or `timeout` seconds pass. */
  private _wait(timeout: number | null | undefined): Promise<boolean> {
    return waitFor((notify) => {
      const condition = (this._condition ??= new Set());
      condition.add(notify);
      return () => condition.delete(notify);
    }, timeout);
  }

  /** The call's return value; rejects with the call's own error, CancelledError or TimeoutError. */
  async result(timeout?: number | null): Promise<T> {
    if (!isDoneState(this._state)) await this._wait(timeout);
    if (isCancelledState(this._state)) throw new CancelledError();
    if (this._state === FINISHED) {
      if (this._raised) throw this._exception;
      return this._result as T;
    }
    throw new TimeoutError();
  }

  /** The error the call raised, or None (null) if it returned; rejects with CancelledError or TimeoutError. */
  async exception(timeout?: number | null): Promise<unknown> {
    if (!isDoneState(this._state)) await this._wait(timeout);
    if (isCancelledState(this._state)) throw new CancelledError();
    if (this._state === FINISHED) return this._raised ? this._exception : null;
    throw new TimeoutError();
  }

  // The following methods should only be used by Executors and in tests.

  /**
   * Executors call this before running the work: false (and waiters told) if the future was cancelled, otherwise
   * the future becomes RUNNING and true is returned.
   */
  set_running_or_notify_cancel(): boolean {
    if (this._state === CANCELLED) {
      this._state = CANCELLED_AND_NOTIFIED;
      for (const waiter of this._waiters) waiter.add_cancelled(this);
      return false;
    }
    if (this._state === PENDING) {
      this._state = RUNNING;
      return true;
    }
    logException(`Future ${BigInt(addressOf(this))} in unexpected state: ${this._state}`);
    throw new RuntimeError('Future in unexpected state');
  }

  set_result(result: T): void {
    this._checkNotDone();
    this._result = result;
    this._state = FINISHED;
    for (const waiter of this._waiters) waiter.add_result(this);
    this._notify_all();
    this._invoke_callbacks();
  }

  set_exception(exception: unknown): void {
    this._checkNotDone();
    this._exception = exception;
    this._raised = true;
    this._state = FINISHED;
    for (const waiter of this._waiters) waiter.add_exception(this);
    this._notify_all();
    this._invoke_callbacks();
  }

  private _checkNotDone(): void {
    if (isDoneState(this._state)) throw new InvalidStateError(`${this._state}: ${repr(this)}`);
  }
}

defineBoundMethods(Future, [
  'cancel', 'cancelled', 'running', 'done', 'result', 'exception', 'add_done_callback',
  'set_running_or_notify_cancel', 'set_result', 'set_exception',
]);
