/** Seeing executors work: Gantt timelines of their tasks and tqdm-like progress bars. */
export { Timeline, timeline, show_timeline, spansOf, type TimelineOptions, type FutureLike } from './timeline';
export { progress, ProgressBar, type ProgressOptions } from './progress';
export { noteSubmit, noteStart, noteEnd, timesOf, historyOf, setRecording, TIMES, type TaskTimes } from './record';
export type { TaskSpan, Outcome } from './spans';
