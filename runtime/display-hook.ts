/**
 * How runtime code shows rich output without knowing about the kernel.
 * Runtime code (timelines, progress bars) calls `display(bundle, opts)`; the kernel installs a hook that turns it into
 * display_data / update_display_data messages. Without a kernel (plain Node) the default hook prints `text/plain`.
 */

export interface DisplayOptions {
  /** Names the output so later calls with `update: true` replace it in place. */
  display_id?: string;
  /** Replace the output named by display_id instead of adding a new one. */
  update?: boolean;
  /**
   * Only a hint for terminals: `false` says more updates of this display_id will follow, so a non-TTY can skip it
   * (a log file gets only the final state). Kernels ignore it. Absent means "this may be the last one".
   */
  final?: boolean;
}

export interface DisplayHook {
  display(bundle: Record<string, unknown>, opts: DisplayOptions): void;
}

/** The part of a stream the terminal hook needs; process.stdout fits, and tests pass a fake. */
export interface TextSink {
  write(s: string): unknown;
  isTTY?: boolean;
}

const CLEAR_TO_EOL = '\x1b[K';

/**
 * Prints `text/plain`. On a TTY, a display_id's updates redraw one line with `\r` (multi-line text cannot be redrawn
 * that way, so it is printed whole); elsewhere only final states are printed, so logs don't fill with intermediate bars.
 */
export function terminalDisplayHook(sink: TextSink = process.stdout): DisplayHook {
  /** display_id of the line left open (no newline yet) for redraws, if any. */
  let openLine: string | undefined;
  const closeOpenLine = () => {
    if (openLine !== undefined) sink.write('\n');
    openLine = undefined;
  };
  return {
    display(bundle, opts) {
      const text = bundle['text/plain'];
      if (typeof text !== 'string') return;
      const final = opts.final !== false;
      const id = opts.display_id;
      if (id === undefined || !sink.isTTY || text.includes('\n')) {
        if (id !== undefined && !final && !sink.isTTY) return;
        closeOpenLine();
        sink.write(text + '\n');
        return;
      }
      if (openLine !== id) closeOpenLine();
      sink.write((openLine === id ? '\r' : '') + text + CLEAR_TO_EOL);
      openLine = id;
      if (final) closeOpenLine();
    },
  };
}

let current: DisplayHook | undefined;

/** The kernel calls this once at start-up; pass undefined to go back to the terminal default. */
export function setDisplayHook(hook: DisplayHook | undefined): void {
  current = hook;
}

export function getDisplayHook(): DisplayHook {
  // Created lazily so importing the runtime never touches process.stdout.
  return (current ??= terminalDisplayHook());
}

export function display(bundle: Record<string, unknown>, opts: DisplayOptions = {}): void {
  getDisplayHook().display(bundle, opts);
}

let idCounter = 0;
/** A display_id unique in this process and across kernel restarts (the front end keeps old ids around). */
export function newDisplayId(prefix: string): string {
  return `${prefix}-${process.pid.toString(36)}-${Date.now().toString(36)}-${(idCounter++).toString(36)}`;
}
