/**
 * The one table from msg_type to handler. Shell and control share it (as in ipykernel); the dispatcher around it
 * publishes busy/idle and keeps requests in order, so handlers only compute and send their replies.
 */
import * as path from 'node:path';
import type { KernelMessage } from '@jupyterlab/services';
import type { ContentOf, Message, MessageType, Untrusted } from '../transport/wire';
import type { Session } from './session';
import type { CellContext, OutputRouter } from '../output';
import { formatOutput } from '../output';
import type { History, HistoryItem } from './history';
import type { EngineLoader } from './engine-loader';
import type { CellOutcome } from './engine';
import { PROTOCOL_VERSION } from '../transport/wire';
import { log } from '../process/log';
import { PACKAGE_ROOT } from '../install/package-root';
import { languageInfo } from '../cells/language';
import { commClose, commInfo, commMsg, commOpen } from './comms';
import { armMemoryGuard, collectAfterMemoryError, collectUnderPressure, stoppedForMemory } from '../process/memory-guard';
import { memoryErrorMessage } from '../process/memory-report';
import { interruptGate } from '../process/interrupt-gate';

export interface Request {
  channel: 'shell' | 'control';
  identities: Uint8Array[];
  message: Message;
}

/** What handlers may use of the running kernel. */
export interface Kernel {
  readonly session: Session;
  readonly output: OutputRouter;
  readonly history: History;
  readonly engine: EngineLoader;
  executionCount: number;
  /** stop_on_error: answer the execute_requests already waiting with status 'aborted'. */
  abortQueued(): Promise<void>;
  shutdown(restart: boolean): Promise<void>;
  /** Loads the engine soon, off the critical path of the request being answered. */
  loadEngineSoon(): void;
}

export type Handler = (kernel: Kernel, request: Request) => Promise<void> | void;

/** A request's content: the spec's field names for its msg_type, the values as a client sent them. */
type RequestContent<T extends MessageType> = Untrusted<ContentOf<T>>;

function reply<T extends MessageType>(k: Kernel, req: Request, msgType: T, content: ContentOf<T>, metadata: object = {}): void {
  k.output.flush();
  k.session.send(req.channel, msgType, content, req.message.header, req.identities, metadata);
}

function errorContent(e: unknown): { status: 'error'; ename: string; evalue: string; traceback: string[] } {
  const err = e instanceof Error ? e : new Error(String(e));
  return { status: 'error', ename: err.name, evalue: err.message, traceback: (err.stack ?? `${err.name}: ${err.message}`).split('\n') };
}

/** The engine's outcome, or a thrown error turned into one, so a broken engine still yields an answer. */
async function outcomeOf(run: () => Promise<CellOutcome>): Promise<CellOutcome> {
  try {
    return await run();
  } catch (e) {
    return errorContent(e);
  }
}

let packageVersion: string | undefined;
function implementationVersion(): string {
  packageVersion ??= (require(path.join(PACKAGE_ROOT, 'package.json')) as { version: string }).version;
  return packageVersion;
}

function kernelInfo(k: Kernel, req: Request): void {
  const version = k.engine.languageVersion();
  // `debugger` (messaging spec 5.5) is not in @jupyterlab/services' IInfoReply.
  const content: ContentOf<'kernel_info_reply'> & { debugger: boolean } = {
    status: 'ok',
    protocol_version: PROTOCOL_VERSION,
    implementation: 'tsfutures',
    implementation_version: implementationVersion(),
    language_info: languageInfo(k.engine.language, version),
    banner: `tsfutures ${implementationVersion()} — TypeScript ${version} on Node.js ${process.versions.node}, with Python's concurrent.futures`,
    help_links: [
      { text: 'TypeScript handbook', url: 'https://www.typescriptlang.org/docs/handbook/intro.html' },
      { text: 'concurrent.futures (Python)', url: 'https://docs.python.org/3/library/concurrent.futures.html' },
    ],
    debugger: false,
  };
  reply(k, req, 'kernel_info_reply', content);
  // Clients send kernel_info first and then wait for the reply: a good moment to load the compiler.
  k.loadEngineSoon();
}

/** An interrupt raised by the memory guard (memory-guard.ts) is reported as Python's MemoryError. */
async function asMemoryError(k: Kernel, cell: number, outcome: CellOutcome): Promise<CellOutcome> {
  if (outcome.status !== 'error' || outcome.ename !== 'KeyboardInterrupt' || !stoppedForMemory(k.session.memory, cell)) return outcome;
  await collectAfterMemoryError();
  const evalue = memoryErrorMessage(k.session.memory);
  const traceback = outcome.traceback.map((line) => line.replace(/^KeyboardInterrupt\b.*$/, `MemoryError: ${evalue}`));
  return { ...outcome, ename: 'MemoryError', evalue, traceback };
}

async function execute(k: Kernel, req: Request): Promise<void> {
  const c = req.message.content as RequestContent<'execute_request'>;
  const code = typeof c.code === 'string' ? c.code : '';
  const silent = Boolean(c.silent);
  const storeHistory = c.store_history === undefined ? !silent : Boolean(c.store_history);
  const userExpressions = (c.user_expressions ?? {}) as Record<string, string>;
  const stopOnError = c.stop_on_error === undefined ? true : Boolean(c.stop_on_error);
  const parent = req.message.header;
  const ctx: CellContext = { parent, identities: req.identities, allowStdin: Boolean(c.allow_stdin) };

  // As IPython: the count shown is the next one; it is only consumed when the cell goes into history.
  const shown = k.executionCount + 1;
  if (!silent) {
    k.session.send('iopub', 'execute_input', { code, execution_count: shown }, parent);
    if (storeHistory) {
      k.executionCount = shown;
      k.history.append(shown, code);
    }
  }
  const started = new Date().toISOString();
  // This cell is stopped for memory only past what it starts with (memory-guard.ts).
  const cell = interruptGate().currentCell();
  armMemoryGuard(k.session.memory, cell);
  const outcome = await asMemoryError(k, cell, await outcomeOf(() => k.output.run(ctx, () => k.engine.get().execute(code, { storeHistory: storeHistory && !silent }))));

  if (outcome.status === 'ok' && outcome.hasValue && outcome.value !== undefined && !silent) {
    const formatted = k.output.run(ctx, () => formatOutput(outcome.value));
    // Awaited only when async (Deno's convention allows it): otherwise nothing may run between the cell and its result.
    const { data, metadata } = formatted instanceof Promise ? await formatted : formatted;
    k.output.flush();
    k.session.send('iopub', 'execute_result', { execution_count: shown, data, metadata }, parent);
  }
  if (outcome.status === 'error') {
    k.output.flush();
    k.session.send('iopub', 'error', { ename: outcome.ename, evalue: outcome.evalue, traceback: outcome.traceback }, parent);
  }

  const expressions: Record<string, unknown> = {};
  for (const [name, expression] of Object.entries(userExpressions)) {
    const r = await outcomeOf(() => k.output.run(ctx, () => k.engine.get().evaluate(String(expression))));
    expressions[name] =
      r.status === 'ok' ? { status: 'ok', ...(await k.output.run(ctx, () => formatOutput(r.value))) } : { status: 'error', ename: r.ename, evalue: r.evalue, traceback: r.traceback };
  }

  // Each expression's bundle holds what the user's formatters returned, made JSON by the wire.
  const common = { execution_count: k.executionCount, user_expressions: expressions as KernelMessage.IExecuteReply['user_expressions'], payload: [] };
  const content: ContentOf<'execute_reply'> =
    outcome.status === 'ok' ? { status: 'ok', ...common } : { status: 'error', ename: outcome.ename, evalue: outcome.evalue, traceback: outcome.traceback, ...common };
  if (outcome.status === 'error' && !silent && stopOnError) await k.abortQueued();
  reply(k, req, 'execute_reply', content, { started, dependencies_met: true, engine: k.session.id, status: content.status });
  await collectUnderPressure(k.session.memory);
}

function complete(k: Kernel, req: Request): void {
  const c = req.message.content as RequestContent<'complete_request'>;
  const code = String(c.code ?? '');
  const cursor = typeof c.cursor_pos === 'number' ? c.cursor_pos : code.length;
  try {
    reply(k, req, 'complete_reply', { status: 'ok', ...k.engine.get().complete(code, cursor) });
  } catch (e) {
    reply(k, req, 'complete_reply', errorContent(e));
  }
}

function inspect(k: Kernel, req: Request): void {
  const c = req.message.content as RequestContent<'inspect_request'>;
  const code = String(c.code ?? '');
  const cursor = typeof c.cursor_pos === 'number' ? c.cursor_pos : code.length;
  try {
    const { found, data } = k.engine.get().inspect(code, cursor, Number(c.detail_level ?? 0));
    reply(k, req, 'inspect_reply', { status: 'ok', found, data: found ? data : {}, metadata: {} });
  } catch (e) {
    reply(k, req, 'inspect_reply', errorContent(e));
  }
}

function isComplete(k: Kernel, req: Request): void {
  const code = String((req.message.content as RequestContent<'is_complete_request'>).code ?? '');
  try {
    reply(k, req, 'is_complete_reply', k.engine.get().isComplete(code));
  } catch (e) {
    log('error', `is_complete failed: ${(e as Error).message}`);
    reply(k, req, 'is_complete_reply', { status: 'unknown' });
  }
}

function history(k: Kernel, req: Request): void {
  const c = req.message.content as RequestContent<'history_request'>;
  const output = Boolean(c.output);
  const n = typeof c.n === 'number' ? c.n : null;
  let items: HistoryItem[] = [];
  switch (c.hist_access_type) {
    case 'tail':
      items = k.history.tail(n ?? 10, output);
      break;
    case 'range':
      items = k.history.range(Number(c.session ?? 0), Number(c.start ?? 1), typeof c.stop === 'number' ? c.stop : null, output);
      break;
    case 'search':
      items = k.history.search(String(c.pattern ?? '*'), n, Boolean(c.unique), output);
      break;
  }
  // An entry whose output is unknown carries null, as ipykernel's; @jupyterlab/services types outputs as strings.
  reply(k, req, 'history_reply', { status: 'ok', history: items as KernelMessage.IHistoryReply['history'] });
}

async function shutdown(k: Kernel, req: Request): Promise<void> {
  const content: ContentOf<'shutdown_reply'> = { status: 'ok', restart: Boolean((req.message.content as RequestContent<'shutdown_request'>).restart) };
  reply(k, req, 'shutdown_reply', content);
  // ipykernel also broadcasts it, so every client learns the kernel is going away.
  k.session.send('iopub', 'shutdown_reply', content, req.message.header);
  await k.shutdown(content.restart);
}

/** Reached only on shell, or on control if the io thread did not take it: interrupt what the main thread runs. */
function interrupt(k: Kernel, req: Request): void {
  reply(k, req, 'interrupt_reply', { status: 'ok' });
  k.engine.loaded?.interrupt();
}

export const handlers: Record<string, Handler> = {
  kernel_info_request: kernelInfo,
  execute_request: execute,
  complete_request: complete,
  inspect_request: inspect,
  is_complete_request: isComplete,
  history_request: history,
  comm_info_request: (k, req) => reply(k, req, 'comm_info_reply', { status: 'ok', comms: commInfo(req.message) }),
  comm_open: (k, req) => commOpen(k.session, req.message),
  comm_msg: (_k, req) => commMsg(req.message),
  comm_close: (_k, req) => commClose(req.message),
  shutdown_request: shutdown,
  interrupt_request: interrupt,
};

/** Unknown types are logged; unknown *_request ones get an error reply so no client waits forever. */
export const unknownHandler: Handler = (k, req) => {
  const type = req.message.header.msg_type;
  log('warning', `unknown message type on ${req.channel}: ${type}`);
  if (type.endsWith('_request')) {
    const content = { status: 'error', ename: 'UnknownMessageType', evalue: `unknown message type ${type}`, traceback: [] };
    k.output.flush();
    k.session.sendUnchecked(req.channel, type.replace(/_request$/, '_reply'), content, req.message.header, req.identities);
  }
};
