/** The futures' states and wait()'s return conditions, with CPython's names (internal to the package, as there). */

export const FIRST_COMPLETED = 'FIRST_COMPLETED';
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION';
export const ALL_COMPLETED = 'ALL_COMPLETED';
export const AS_COMPLETED = '_AS_COMPLETED';
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

// Future states (internal to the futures package, as in CPython).
export const PENDING = 'PENDING';
export const RUNNING = 'RUNNING';
/** Cancelled by the user... */
export const CANCELLED = 'CANCELLED';
/** ...and the cancellation was passed on to waiters by an executor (set_running_or_notify_cancel). */
export const CANCELLED_AND_NOTIFIED = 'CANCELLED_AND_NOTIFIED';
export const FINISHED = 'FINISHED';
export type FutureState =
  | typeof PENDING | typeof RUNNING | typeof CANCELLED | typeof CANCELLED_AND_NOTIFIED | typeof FINISHED;

/** The word each state shows in a Future's repr. */
export const STATE_TO_DESCRIPTION_MAP: Readonly<Record<FutureState, string>> = {
  PENDING: 'pending',
  RUNNING: 'running',
  CANCELLED: 'cancelled',
  CANCELLED_AND_NOTIFIED: 'cancelled',
  FINISHED: 'finished',
};
