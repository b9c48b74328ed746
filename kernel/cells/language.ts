/**
 * The language a kernel's cells are written in. TypeScript by default; JavaScript for the `tsfutures-js`
 * kernelspec (kernel/install/kernelspec-js.ts), which sets the environment variable below, as tslab's `jslab` runs
 * `tslab kernel --js`. Kept free of runtime imports: the protocol side reads it before the compiler is loaded.
 */
import type { KernelMessage } from '@jupyterlab/services';
export type CellLanguage = 'typescript' | 'javascript';

export const LANGUAGE_ENV = 'TSFUTURES_LANGUAGE';

/** The language the environment asks for; anything but the two names is an error naming the variable. */
export function cellLanguage(env: NodeJS.ProcessEnv = process.env): CellLanguage {
  const value = env[LANGUAGE_ENV];
  if (value === undefined || value === '' || value === 'typescript') return 'typescript';
  if (value === 'javascript') return 'javascript';
  throw new Error(`${LANGUAGE_ENV}=${JSON.stringify(value)}: the cells' language must be "typescript" or "javascript"`);
}

/** kernel_info's language_info for the language; `version` is the TypeScript that checks (and completes) the cells. */
export function languageInfo(language: CellLanguage, version: string): KernelMessage.ILanguageInfo {
  return language === 'javascript'
    ? { name: 'javascript', version, mimetype: 'text/javascript', file_extension: '.js', codemirror_mode: { name: 'javascript' }, pygments_lexer: 'javascript' }
    : { name: 'typescript', version, mimetype: 'text/typescript', file_extension: '.ts', codemirror_mode: { name: 'javascript', typescript: true }, pygments_lexer: 'typescript' };
}
