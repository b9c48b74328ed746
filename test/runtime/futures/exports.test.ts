/** The package entry (runtime/index.ts) exports the whole concurrent.futures API and the Python builtins. */
import * as runtime from '../../../runtime';
import * as base from '../../../runtime/futures/_base';

const FUTURES_NAMES = [
  'Future', 'Executor', 'ThreadPoolExecutor', 'ProcessPoolExecutor', 'InterpreterPoolExecutor', 'wait', 'as_completed',
  'FIRST_COMPLETED', 'FIRST_EXCEPTION', 'ALL_COMPLETED', 'DoneAndNotDoneFutures', 'CancelledError', 'TimeoutError',
  'InvalidStateError', 'BrokenExecutor', 'BrokenThreadPool', 'BrokenProcessPool',
] as const;

test('every concurrent.futures name, plus RuntimeError and ValueError, at the top level', () => {
  for (const name of [...FUTURES_NAMES, 'RuntimeError', 'ValueError']) {
    expect([name, (runtime as Record<string, unknown>)[name]]).toEqual([name, expect.anything()]);
  }
  expect(runtime.Future).toBe(base.Future);
  expect(runtime.FIRST_COMPLETED).toBe('FIRST_COMPLETED');
  expect(runtime.FIRST_EXCEPTION).toBe('FIRST_EXCEPTION');
  expect(runtime.ALL_COMPLETED).toBe('ALL_COMPLETED');
});

test('`futures` is the module object holding the same names', () => {
  for (const name of FUTURES_NAMES) expect(runtime.futures[name]).toBe((runtime as Record<string, unknown>)[name]);
});

test('the process pools extend our Executor', () => {
  expect(runtime.ProcessPoolExecutor.prototype).toBeInstanceOf(runtime.Executor);
  expect(runtime.InterpreterPoolExecutor.prototype).toBeInstanceOf(runtime.Executor);
  expect(runtime.ThreadPoolExecutor.prototype).toBeInstanceOf(runtime.Executor);
});

test('the Python builtins the lecture uses are re-exported', () => {
  for (const name of ['print', 'repr', 'str', 'range', 'sum', 'pow', 'min', 'max', 'len', 'list', 'abs', 'sorted', 'enumerate', 'zip', 'time', 'os']) {
    expect([name, (runtime as Record<string, unknown>)[name]]).toEqual([name, expect.anything()]);
  }
});
