/** The data a timeline draws: one span per task, in milliseconds on the performance.now() clock. */

export type Outcome = 'returned' | 'raised' | 'cancelled' | 'running' | 'pending';

/** Draw order and legend order. */
export const OUTCOMES: readonly Outcome[] = ['returned', 'raised', 'cancelled', 'running', 'pending'];

export interface TaskSpan {
  /** Position in submission order, shown as the bar's label (#0, #1, ...). */
  index: number;
  /** What ran, e.g. the function's name; goes in the tooltip. */
  label?: string;
  /** Worker slot or process the task ran on; undefined if it never started. */
  lane?: string;
  submit: number;
  start?: number;
  /** When the future finished (returned, raised or was cancelled); undefined while pending/running. */
  end?: number;
  outcome: Outcome;
  /** The result's type name or the exception's class name (Python's "returned int" / "raised ValueError"). */
  detail?: string;
}
