/**
 * Python's str as a callable with `str.format`. Its own module because formatting needs repr/str of values
 * (repr.ts) while `str.format` needs the formatter (format.ts): kept apart, neither imports the other in a cycle.
 */
import { formatTemplate } from './format';
import { pyStr } from './repr';

/**
 * Python's str(): `str(x)`, plus `str.format(template, ...args)` for `'template'.format(...)`
 * (see format.ts for how keyword arguments are passed).
 */
export const str: {
  (x?: unknown): string;
  format(template: string, ...args: unknown[]): string;
} = Object.assign((...x: unknown[]) => (x.length ? pyStr(x[0]) : ''), {
  format: (template: string, ...args: unknown[]): string => formatTemplate(template, args),
});
Object.defineProperty(str, 'name', { value: 'str' });
