/**
 * The package entry (`require('tsfutures')`), also what notebook cells get preloaded as globals: Python's
 * concurrent.futures, the Python builtins the lecture uses (print, range, sum, time, os, ...) and timelines.
 */
export * from './futures';
export * from './python';
export * from './timeline';
export { comms, Comm, CommManager, type CommMessage, type CommData, type CommCallback, type TargetCallback } from './comm';
/** `widgets.IntProgress`, `widgets.Button`, ... as `import ipywidgets as widgets` gives them. */
export * as widgets from './widgets';
export { show_executor, executorSnapshot, ExecutorDashboard, type ExecutorSnapshot, type ExecutorCounts, type WorkerRow } from './widgets/executor-dashboard';
export * from './distributed';

// Workers and shipping look the runtime's exports up by name and by value (`pow` travels by reference): registered
// here, so that nothing under futures/ imports the package entry back.
import { registerRuntimeExports } from './futures/references';
registerRuntimeExports(exports);
