/**
 * Turns the iopub messages of one execute request into nbformat 4 output dicts, the way nbclient
 * does: consecutive stream chunks of the same name merge, update_display_data rewrites earlier outputs
 * with the same display_id, clear_output empties the list (with wait=true: just before the next output).
 */

import type * as nbformat from '@jupyterlab/nbformat';
import type { ContentOf } from '../../kernel/transport/wire';

/** nbformat's outputs; a stream's text is one string here (chunks are joined as they arrive). */
export type StreamOutput = nbformat.IStream & { text: string };
export type DataOutput = nbformat.IDisplayData | nbformat.IExecuteResult;
export type ErrorOutput = nbformat.IError;
export type NbOutput = StreamOutput | DataOutput | ErrorOutput;

/** What a live observer sees: a new output or stream chunk, an update of earlier outputs, or a clear. */
export type OutputEvent = { kind: 'output'; output: NbOutput } | { kind: 'update'; output: DataOutput } | { kind: 'clear' };

export class OutputCollector {
  readonly outputs: NbOutput[] = [];
  private clearPending = false;
  /** display_id → indexes in `outputs` that show it (an id may be displayed several times). */
  private displays = new Map<string, number[]>();

  constructor(private readonly onEvent?: (event: OutputEvent) => void) {}

  /** Feeds one iopub message; returns false for message types that are not outputs (status, execute_input...). */
  handle(msgType: string, content: unknown): boolean {
    // Each content is read as the spec's type for its msg_type; a kernel may still leave optional fields out.
    switch (msgType) {
      case 'stream': {
        const c = content as ContentOf<'stream'>;
        this.addStream(c.name, String(c.text ?? ''));
        return true;
      }
      case 'display_data':
      case 'execute_result': {
        const c = content as Partial<ContentOf<'execute_result'>> & ContentOf<'display_data'>;
        const output: DataOutput =
          msgType === 'execute_result'
            ? { output_type: msgType, data: c.data ?? {}, metadata: c.metadata ?? {}, execution_count: c.execution_count ?? null }
            : { output_type: msgType, data: c.data ?? {}, metadata: c.metadata ?? {} };
        this.add(output, displayIdOf(c));
        return true;
      }
      case 'update_display_data':
        this.updateDisplay(content as ContentOf<'update_display_data'>);
        return true;
      case 'error': {
        const c = content as ContentOf<'error'>;
        this.add({ output_type: 'error', ename: String(c.ename), evalue: String(c.evalue), traceback: c.traceback ?? [] });
        return true;
      }
      case 'clear_output':
        if ((content as ContentOf<'clear_output'>).wait) this.clearPending = true;
        else this.clear();
        return true;
      default:
        return false;
    }
  }

  private flushPendingClear(): void {
    if (this.clearPending) {
      this.clearPending = false;
      this.clear();
    }
  }

  private clear(): void {
    this.outputs.length = 0;
    this.displays.clear();
    this.onEvent?.({ kind: 'clear' });
  }

  private addStream(name: 'stdout' | 'stderr', text: string): void {
    this.flushPendingClear();
    const last = this.outputs[this.outputs.length - 1];
    if (last?.output_type === 'stream' && last.name === name) last.text += text;
    else this.outputs.push({ output_type: 'stream', name, text });
    this.onEvent?.({ kind: 'output', output: { output_type: 'stream', name, text } });
  }

  private add(output: NbOutput, displayId?: string): void {
    this.flushPendingClear();
    if (displayId) this.displays.set(displayId, [...(this.displays.get(displayId) ?? []), this.outputs.length]);
    this.outputs.push(output);
    this.onEvent?.({ kind: 'output', output });
  }

  private updateDisplay(content: ContentOf<'update_display_data'>): void {
    const id = displayIdOf(content);
    for (const index of id === undefined ? [] : this.displays.get(id) ?? []) {
      const target = this.outputs[index] as DataOutput;
      target.data = content.data ?? {};
      target.metadata = content.metadata ?? {};
      this.onEvent?.({ kind: 'update', output: target });
    }
  }
}

/** The display_id a display message's transient carries, if any. */
function displayIdOf(content: { transient?: { display_id?: unknown } }): string | undefined {
  const id = content.transient?.display_id;
  return typeof id === 'string' ? id : undefined;
}
