/**
 * nbval inside jest: a notebook becomes a `describe`, each code cell a `test`, run in order on one
 * kernel (started in beforeAll, stopped in afterAll). nbval/jest-transform.js emits the call.
 *
 * Options, from env vars or from jest `globals: { nbval: {...} }` (env wins):
 *   NBVAL_LAX=1 / lax, NBVAL_SANITIZE_WITH=FILE / sanitizeWith, NBVAL_SANITIZE_ADDRESSES=0 / sanitizeAddresses,
 *   NBVAL_CHECK_IMAGES=1 / checkImages, NBVAL_KERNEL / kernel, NBVAL_TIMEOUT (s) / timeout,
 *   NBVAL_UPDATE=1 or `jest -u` to rewrite stored outputs.
 * Without a sanitize file named, `<dir>/<name>.sanitize.cfg` or else `notebooks/nbval.cfg` is used if present.
 */
import { joinLines, loadNotebook, NotebookError } from './notebook';
import { defaultSanitizeFiles } from './sanitize';
import { DEFAULT_CELL_TIMEOUT, displayPath, NotebookValidator, type NbvalOptions } from './validate';

/** The jest globals the generated test module passes in. */
export interface JestApi {
  describe: (name: string, fn: () => void) => void;
  test: ((name: string, fn: () => Promise<void> | void, timeout?: number) => void) & { skip: (name: string, fn: () => void) => void };
  beforeAll: (fn: () => Promise<void>, timeout?: number) => void;
  afterAll: (fn: () => Promise<void>, timeout?: number) => void;
  expect: { getState(): { snapshotState?: { _updateSnapshot?: string } } };
}

export interface JestNbvalConfig {
  lax?: boolean;
  sanitizeWith?: string | string[];
  sanitizeAddresses?: boolean;
  checkImages?: boolean;
  kernel?: string;
  timeout?: number;
  update?: boolean;
}

/** Kernel start-up plus a margin: beforeAll must not be cut short by jest's default test timeout. */
const START_TIMEOUT_MS = 120_000;

function envFlag(name: string): boolean | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  return !['0', 'false', 'no'].includes(v.toLowerCase());
}

export function resolveOptions(notebookPath: string, config: JestNbvalConfig = {}, cwd = process.cwd()): NbvalOptions {
  const named = process.env.NBVAL_SANITIZE_WITH ?? config.sanitizeWith;
  const namedFiles = named === undefined ? [] : [named].flat();
  const sanitizeFiles = namedFiles.length > 0 ? namedFiles : defaultSanitizeFiles(notebookPath, cwd);
  const timeout = process.env.NBVAL_TIMEOUT ? Number(process.env.NBVAL_TIMEOUT) : config.timeout;
  return {
    lax: envFlag('NBVAL_LAX') ?? config.lax ?? false,
    sanitizeFiles,
    sanitizeAddresses: envFlag('NBVAL_SANITIZE_ADDRESSES') ?? config.sanitizeAddresses ?? true,
    checkImages: envFlag('NBVAL_CHECK_IMAGES') ?? config.checkImages ?? false,
    kernelName: process.env.NBVAL_KERNEL || config.kernel,
    timeout: timeout && timeout > 0 ? timeout : DEFAULT_CELL_TIMEOUT,
    update: envFlag('NBVAL_UPDATE') ?? config.update ?? false,
  };
}

export function describeNotebook(notebookPath: string, jest: JestApi, config?: JestNbvalConfig): void {
  const config_ = config ?? ((globalThis as { nbval?: JestNbvalConfig }).nbval || {});
  const name = displayPath(notebookPath);
  jest.describe(name, () => {
    const options = resolveOptions(notebookPath, config_);
    let validator: NotebookValidator;
    try {
      validator = new NotebookValidator(loadNotebook(notebookPath), options);
    } catch (e) {
      // An unreadable notebook is one failing test with its one-line reason.
      const reason = e instanceof NotebookError ? e.message : String(e);
      jest.test('notebook', () => {
        throw new Error(reason);
      });
      return;
    }
    let startError: Error | undefined;
    jest.beforeAll(async () => {
      if (jest.expect.getState().snapshotState?._updateSnapshot === 'all') validator.options.update = true;
      try {
        await validator.start();
      } catch (e) {
        startError = e as Error;
      }
    }, START_TIMEOUT_MS);
    jest.afterAll(async () => {
      await validator.finish();
    }, START_TIMEOUT_MS);

    const cellTimeoutMs = ((options.timeout ?? DEFAULT_CELL_TIMEOUT) + 15) * 1000;
    for (const code of validator.codeCells) {
      const firstLine = joinLines(code.cell.source).split('\n').find((l) => l.trim()) ?? '';
      const title = `Cell ${code.number}: ${firstLine.trim().slice(0, 60)}`;
      if (code.options.skip) {
        jest.test.skip(title, () => {});
        continue;
      }
      jest.test(
        title,
        async () => {
          if (startError) throw startError;
          const report = await validator.check(code);
          // xfailed (a failure after a timed-out cell) does not fail, as in nbval: the timed-out cell did.
          if (report.status === 'failed') throw new NbvalCellFailure(report.message ?? 'failed');
        },
        cellTimeoutMs,
      );
    }
  });
}

/** A failed cell; its message already holds the input, the diff or the traceback, so no stack is shown. */
class NbvalCellFailure extends Error {
  override name = 'NbvalCellFailure';
  constructor(message: string) {
    super(message);
    this.stack = `${this.name}: ${message}`;
  }
}
