/**
 * Seeing executors work: Gantt timelines of their tasks and tqdm-like progress bars. This is what the package entry
 * (and so every notebook cell) gets; executors stamp tasks through ./record directly.
 */
export { Timeline, timeline, show_timeline, type TimelineOptions } from './timeline';
export { progress, type ProgressOptions } from './progress';
export type { TaskSpan, Outcome } from './spans';
