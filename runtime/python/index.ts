/** The Python-compat layer: builtins, time and os, as preloaded into notebook cells. */
export { REPR, STR, repr, pyTypeName, addressOf, isPyInt, type PyReprable } from './repr';
export { str } from './str';
export { format, FORMAT } from './format-spec';
export { ascii } from './format';
export { print, type PrintOptions, type Writable } from './print';
export { range, Range } from './range';
export { sum } from './sum';
export { pow, min, max, len, list, abs, sorted, enumerate, zip, tuple } from './builtins';
export type { KeyOptions, MinMaxOptions, SortOptions } from './builtins';
export { pyCompare } from './compare';
export { time } from './time';
export { os } from './os';
export {
  PyException, PyTypeError, ValueError, KeyError, IndexError, LookupError, AttributeError, ZeroDivisionError, OverflowError,
  ImportError, ModuleNotFoundError,
} from './errors';
