/**
 * What cells print and display, on its way to the frontend: the router (router.ts) sends streams (stream.ts,
 * stdio.ts), displays and input requests (stdin.ts) with the parent header of the request whose work produced
 * them; format.ts turns values into mime bundles; display.ts holds the functions every cell gets.
 */
export type { CellContext } from './context';
export { OutputRouter, installOutput, outputRouter } from './router';
export { formatBundle, formatOutput, type Formatted, type MimeBundle } from './format';
export { DisplayHandle, clear_output, display, input, notebookGlobals, type DisplayOptions } from './display';
