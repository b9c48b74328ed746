/**
 * The JavaScript kernelspec installed beside the TypeScript one (`tsfutures install` writes both): the same kernel
 * with its cells taken as JavaScript (kernel/cells/language.ts), for notebooks whose metadata says javascript,
 * as tslab installs `jslab` beside `tslab`.
 */
import { LANGUAGE_ENV } from '../cells/language';

export const JS_DISPLAY_NAME = 'JavaScript (futures)';

/** `tsfutures` -> `tsfutures-js`. */
export function javascriptKernelName(name: string): string {
  return `${name}-js`;
}

/** The TypeScript kernel.json turned into the JavaScript one: display name, language and the environment variable. */
export function javascriptKernelJson<T extends object>(typescript: T): T & { display_name: string; language: string; env: Record<string, string> } {
  const env = (typescript as { env?: Record<string, string> }).env;
  return { ...typescript, display_name: JS_DISPLAY_NAME, language: 'javascript', env: { ...env, [LANGUAGE_ENV]: 'javascript' } };
}
