/**
 * process.exit() / process.abort() in a cell are refused with a SystemExit error in that cell, as ipykernel treats
 * `sys.exit()`: the kernel lives on with its state. Without this, a cell ending the process would skip closing the
 * zmq sockets (zeromq then aborts the process) and the notebook would only see "kernel died". A user who wants a
 * fresh process restarts the kernel. The kernel's own shutdown exits through the function returned here.
 */
export class SystemExit extends Error {
  override name = 'SystemExit';
  constructor(
    readonly code: unknown,
    call: string,
  ) {
    super(`${call} was refused: a cell cannot end the kernel (restart the kernel to start a fresh process)`);
  }
}

export type Exit = (code?: number) => never;

/** Replaces process.exit and process.abort; returns the real exit, for the kernel's shutdown. */
export function guardExit(): Exit {
  const realExit = process.exit.bind(process) as Exit;
  process.exit = ((code?: unknown) => {
    throw new SystemExit(code, `process.exit(${code === undefined ? '' : String(code)})`);
  }) as typeof process.exit;
  process.abort = (() => {
    throw new SystemExit(undefined, 'process.abort()');
  }) as typeof process.abort;
  return realExit;
}
