/**
 * Python's built-in exception types as JS Error subclasses, so messages and reprs match CPython
 * (`ValueError('x')`) and users can `instanceof`-check them. `name` is set on the prototype so that
 * subclasses still report the Python name.
 */
import { repr } from './repr';

/** Python's str(exc): '' for no args, the one arg's str, else the args tuple's repr. */
function messageOf(args: unknown[]): string {
  if (args.length === 0) return '';
  if (args.length === 1) return String(args[0]);
  return `(${args.map(repr).join(', ')})`;
}

/**
 * Gives an error class its Python name, on the prototype so that subclasses which do not set their own still report
 * it. The one way errors here get their names (pyError() below uses it too).
 */
export function pythonName<C extends { prototype: Error }>(cls: C, name: string): C {
  cls.prototype.name = name;
  return cls;
}

export class PyException extends Error {
  /** Python-style positional args; repr() prints them: `ValueError('x')`. */
  readonly args: unknown[];
  constructor(...args: unknown[]) {
    super(messageOf(args));
    this.args = args;
  }
}
pythonName(PyException, 'Exception');

function pyError(name: string, base: typeof PyException = PyException): typeof PyException {
  // A computed-name class so constructor.name is the Python name too.
  return pythonName({ [name]: class extends base {} }[name]!, name);
}

export const ValueError = pyError('ValueError');
export type ValueError = PyException;
export const LookupError = pyError('LookupError');
export type LookupError = PyException;
export const IndexError = pyError('IndexError', LookupError);
export type IndexError = PyException;
export const AttributeError = pyError('AttributeError');
export type AttributeError = PyException;
export const ZeroDivisionError = pyError('ZeroDivisionError');
export type ZeroDivisionError = PyException;
export const OverflowError = pyError('OverflowError');
export type OverflowError = PyException;
export const ImportError = pyError('ImportError');
export type ImportError = PyException;
export const ModuleNotFoundError = pyError('ModuleNotFoundError', ImportError);
export type ModuleNotFoundError = PyException;
/** Python's RuntimeError (JS has none): raised by submit() after shutdown. */
export const RuntimeError = pyError('RuntimeError');
export type RuntimeError = PyException;
/** Python's TimeoutError, which concurrent.futures re-exports. */
export const TimeoutError = pyError('TimeoutError');
export type TimeoutError = PyException;

/** KeyError's message is the repr of the missing key: `KeyError: 'a'`. */
export class KeyError extends LookupError {
  constructor(...args: unknown[]) {
    super(...args);
    if (args.length === 1) this.message = repr(args[0]);
  }
}
pythonName(KeyError, 'KeyError');

/**
 * Python's TypeError extends JS's own TypeError, so `catch (e) { e instanceof TypeError }` in user
 * code catches both. The package index does not re-export it (that would shadow the global).
 */
export class PyTypeError extends globalThis.TypeError {
  readonly args: unknown[];
  constructor(...args: unknown[]) {
    super(messageOf(args));
    this.args = args;
  }
}
pythonName(PyTypeError, 'TypeError');
export { PyTypeError as TypeError };
