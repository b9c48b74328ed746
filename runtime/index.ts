/**
 * The package entry (`require('tsfutures')`), also what notebook cells get preloaded as globals: Python's
 * concurrent.futures, the Python builtins the lecture uses (print, range, sum, time, os, ...) and timelines.
 */
export * from './futures';
export * from './python';
export * from './timeline';
export * from './distributed';

// Workers and shipping look the runtime's exports up by name and by value (`pow` travels by reference): registered
// here, so that nothing under futures/ imports the package entry back.
import { registerRuntimeExports } from './futures/references';
registerRuntimeExports(exports);
