/**
 * Waiters: what wait() and as_completed() install on futures; futures call them when they finish (CPython's
 * _Waiter classes). They see a future only through `Waitable`, so this module does not import the Future class.
 */
import { ValueError } from '../python/errors';
import { repr } from '../python/repr';
import { Event } from './event';
import {
  ALL_COMPLETED, AS_COMPLETED, CANCELLED, CANCELLED_AND_NOTIFIED, FINISHED, FIRST_COMPLETED, FIRST_EXCEPTION,
  type FutureState,
} from './states';

/** What a waiter reads and changes on a future (its state and its list of waiters). */
export interface Waitable {
  _state: FutureState;
  _waiters: Waiter[];
}

export class Waiter {
  readonly event = new Event();
  finished_futures: Waitable[] = [];

  add_result(future: Waitable): void {
    this.finished_futures.push(future);
  }
  add_exception(future: Waitable): void {
    this.finished_futures.push(future);
  }
  add_cancelled(future: Waitable): void {
    this.finished_futures.push(future);
  }
}

/** Used by as_completed() and wait(FIRST_COMPLETED): every finished future wakes the waiting side. */
class FirstCompletedWaiter extends Waiter {
  override add_result(future: Waitable): void {
    super.add_result(future);
    this.event.set();
  }
  override add_exception(future: Waitable): void {
    super.add_exception(future);
    this.event.set();
  }
  override add_cancelled(future: Waitable): void {
    super.add_cancelled(future);
    this.event.set();
  }
}

/** Used by wait(FIRST_EXCEPTION) and wait(ALL_COMPLETED). */
class AllCompletedWaiter extends Waiter {
  constructor(
    private pendingCalls: number,
    private readonly stopOnException: boolean,
  ) {
    super();
  }

  private decrementPendingCalls(): void {
    this.pendingCalls -= 1;
    if (!this.pendingCalls) this.event.set();
  }

  override add_result(future: Waitable): void {
    super.add_result(future);
    this.decrementPendingCalls();
  }
  override add_exception(future: Waitable): void {
    super.add_exception(future);
    if (this.stopOnException) this.event.set();
    else this.decrementPendingCalls();
  }
  override add_cancelled(future: Waitable): void {
    super.add_cancelled(future);
    this.decrementPendingCalls();
  }
}

export function isFinished(f: Waitable): boolean {
  return f._state === CANCELLED_AND_NOTIFIED || f._state === FINISHED;
}

// State tests as plain functions: internal code avoids the bound-method getters defined below.
export function isCancelledState(s: FutureState): boolean {
  return s === CANCELLED || s === CANCELLED_AND_NOTIFIED;
}

export function isDoneState(s: FutureState): boolean {
  return s === CANCELLED || s === CANCELLED_AND_NOTIFIED || s === FINISHED;
}

export function createAndInstallWaiters(fs: Iterable<Waitable>, return_when: string): Waiter {
  let waiter: Waiter;
  if (return_when === AS_COMPLETED || return_when === FIRST_COMPLETED) {
    waiter = new FirstCompletedWaiter();
  } else {
    let pending = 0;
    for (const f of fs) if (!isFinished(f)) pending++;
    if (return_when === FIRST_EXCEPTION) waiter = new AllCompletedWaiter(pending, true);
    else if (return_when === ALL_COMPLETED) waiter = new AllCompletedWaiter(pending, false);
    else throw new ValueError(`Invalid return condition: ${repr(return_when)}`);
  }
  for (const f of fs) f._waiters.push(waiter);
  return waiter;
}

export function removeWaiter(f: Waitable, waiter: Waiter): void {
  const i = f._waiters.indexOf(waiter);
  if (i >= 0) f._waiters.splice(i, 1);
}

// ---------------------------------------------------------------------------------------------------------------
