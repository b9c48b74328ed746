/**
 * The notebook functions every cell gets: display (and IPython's DisplayHandle), clear_output and input. They reach
 * the frontend through the output router of the running kernel; outside a kernel display prints plain text.
 */
import { randomUUID } from 'node:crypto';
import { REPR } from '../../runtime/python/repr';
import { formatOutput, type Formatted, type MimeBundle } from './format';
import { outputRouter } from './router';

export interface DisplayOptions {
  /** true makes up a fresh id; a string names the display so it can be updated later. */
  display_id?: string | boolean;
  /** Replace the output shown earlier under display_id instead of adding a new one. */
  update?: boolean;
  /** obj is already a mimebundle ({'text/html': ...}). */
  raw?: boolean;
  metadata?: Record<string, unknown>;
}

/** What display(obj, {display_id}) returns: IPython's DisplayHandle. */
export class DisplayHandle {
  constructor(readonly display_id: string) {}
  display(obj: unknown, options: Omit<DisplayOptions, 'display_id' | 'update'> = {}): void {
    display(obj, { ...options, display_id: this.display_id });
  }
  update(obj: unknown, options: Omit<DisplayOptions, 'display_id' | 'update'> = {}): void {
    display(obj, { ...options, display_id: this.display_id, update: true });
  }
  [REPR](): string {
    return `<DisplayHandle display_id=${this.display_id}>`;
  }
}

export function display(obj: unknown, options: DisplayOptions = {}): DisplayHandle | undefined {
  const id = options.display_id === true ? randomUUID().replace(/-/g, '') : options.display_id || undefined;
  const send = ({ data, metadata }: Formatted) => {
    Object.assign(metadata, options.metadata);
    const content = { data, metadata, transient: id ? { display_id: id } : {} };
    const router = outputRouter();
    if (router) router.publish(options.update ? 'update_display_data' : 'display_data', content, ctx);
    else process.stdout.write(`${String(data['text/plain'] ?? '')}\n`); // outside a kernel: plain text is all there is
  };
  const ctx = outputRouter()?.current();
  const formatted = options.raw ? { data: obj as MimeBundle, metadata: {} } : formatOutput(obj);
  if (formatted instanceof Promise) void formatted.then(send);
  else send(formatted);
  return id ? new DisplayHandle(id) : undefined;
}

export function clear_output(options: { wait?: boolean } = {}): void {
  outputRouter()?.publish('clear_output', { wait: Boolean(options.wait) });
}

/** Python's input(): asks the frontend (input_request on stdin) and resolves with what the user typed. */
export function input(prompt = '', options: { password?: boolean } = {}): Promise<string> {
  const router = outputRouter();
  if (!router) return Promise.reject(new Error('input() needs a running kernel'));
  return router.requestInput(String(prompt), Boolean(options.password));
}

/** The functions the cell engine puts into every cell's scope. */
export function notebookGlobals(): Record<string, unknown> {
  return { display, clear_output, input, DisplayHandle };
}
