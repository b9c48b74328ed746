/**
 * input(): an input_request on the stdin channel to the frontend of the request that asked, answered by the next
 * input_reply. Frontends that cannot answer (allow_stdin false) get IPython's StdinNotImplementedError.
 */
import type { CellContext } from './context';

export class InputRequests {
  private readonly waiters: Array<(value: string) => void> = [];

  constructor(private readonly send: (ctx: CellContext, content: { prompt: string; password: boolean }) => void) {}

  request(ctx: CellContext | undefined, prompt: string, password: boolean): Promise<string> {
    if (!ctx?.allowStdin) {
      const e = new Error('raw_input was called, but this frontend does not support input requests.');
      e.name = 'StdinNotImplementedError';
      return Promise.reject(e);
    }
    this.send(ctx, { prompt, password });
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** An input_reply from the stdin channel answers the oldest input() still waiting. */
  deliver(value: string): void {
    this.waiters.shift()?.(value);
  }
}
