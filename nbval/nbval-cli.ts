/**
 * `tsfutures nbval [options] PATH...`: validates notebooks against their stored outputs (nbval semantics),
 * printing one line per cell (`PASSED path::Cell N`, code cells counted from 1 as in nbval) and a final
 * `N passed, N failed` line; exit code 1 on any failure. After a cell times out, the cells after it are expected to
 * fail, as in nbval (pytest's xfail): XFAIL / XPASS, which do not fail the run (the timed-out cell does).
 */
import { parseArgs, seconds, UsageError } from './args';
import { findNotebooks } from './discover';
import { NotebookError } from './notebook';
import { defaultSanitizeFiles } from './sanitize';
import { NotebookValidator, type CellStatus, type NbvalOptions } from './validate';

const USAGE = `usage: tsfutures nbval [options] PATH...

Runs every code cell of each notebook (folders are searched for *.ipynb) on a fresh kernel and
compares the outputs with the ones stored in the notebook.

options:
  --lax                     only compare cells marked NBVAL_CHECK_OUTPUT / tagged nbval-check-output
  --sanitize-with FILE      nbval sanitize file (regex:/replace: pairs), applied to both sides; repeatable.
                            Default (as in the jest transform): <notebook dir>/<name>.sanitize.cfg if it
                            exists, else notebooks/nbval.cfg under the working directory if it exists
  --no-sanitize-addresses   do not mask 0x… addresses as 0xADDRESS
  --check-images            compare PNG and JPEG images too (every other mimetype is compared, as in nbval)
  --update                  rewrite stored outputs with the fresh ones instead of failing on differences
  --kernel NAME             run on this kernel instead of the notebook's
  --timeout S               per-cell timeout in seconds (default 300); the kernel is then interrupted, and
                            stopped if it does not answer within 5 s; later cells are XFAIL/XPASS as in nbval
  --bail                    stop at the first failure
  --executed-dir DIR        write <name>.executed.ipynb files there
`;

export async function main(argv: string[]): Promise<number> {
  let options: NbvalOptions;
  let paths: string[];
  let bail: boolean;
  try {
    const args = parseArgs(argv, {
      booleans: ['lax', 'update', 'bail', 'check-images', 'no-sanitize-addresses', 'help', 'h'],
      values: ['sanitize-with', 'kernel', 'timeout', 'executed-dir'],
      repeatable: ['sanitize-with'],
    });
    if (args.flags.help || args.flags.h) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (args.positionals.length === 0) throw new UsageError('no notebook or folder given');
    options = {
      lax: args.flags.lax,
      update: args.flags.update,
      checkImages: args.flags['check-images'],
      sanitizeAddresses: !args.flags['no-sanitize-addresses'],
      sanitizeFiles: args.values['sanitize-with'],
      kernelName: args.values.kernel?.[0],
      timeout: seconds(args.values.timeout?.[0], 'timeout'),
      executedDir: args.values['executed-dir']?.[0],
    };
    paths = args.positionals;
    bail = !!args.flags.bail;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`tsfutures nbval: ${e.message}\n\n${USAGE}`);
    return 2;
  }

  const out = (line: string) => process.stdout.write(line + '\n');
  const notebooks = findNotebooks(paths);
  if (notebooks.length === 0) {
    process.stderr.write(`tsfutures nbval: no notebooks found in ${paths.join(' ')}\n`);
    return 1;
  }
  const counts = { passed: 0, failed: 0, skipped: 0, updated: 0, xfailed: 0, xpassed: 0 };
  let stop = false;
  for (const file of notebooks) {
    if (stop) break;
    let validator: NotebookValidator | undefined;
    try {
      validator = NotebookValidator.open(file, { ...options, sanitizeFiles: options.sanitizeFiles ?? defaultSanitizeFiles(file) });
      await validator.start();
      for (const code of validator.codeCells) {
        const report = await validator.check(code);
        counts[report.status]++;
        out(`${STATUS_WORDS[report.status].padEnd(7)} ${validator.name}::Cell ${report.number}`);
        if (report.status === 'xfailed') out(indent(report.message ?? ''));
        if (report.status === 'failed') {
          out(indent(report.message ?? ''));
          if (bail) {
            stop = true;
            break;
          }
        }
      }
      for (const written of await validator.finish()) out(`wrote ${written}`);
    } catch (e) {
      await validator?.finish().catch(() => {});
      if (!(e instanceof NotebookError)) throw e;
      counts.failed++;
      out(`FAILED  ${e.message}`);
      if (bail) stop = true;
    }
  }
  const extra = (['skipped', 'updated', 'xfailed', 'xpassed'] as const).filter((s) => counts[s]).map((s) => `${counts[s]} ${s}`);
  out(`${counts.passed} passed, ${counts.failed} failed${extra.length ? `, ${extra.join(', ')}` : ''}`);
  return counts.failed > 0 ? 1 : 0;
}

/** The word printed before each cell's name, as pytest -v prints it. */
const STATUS_WORDS: Record<CellStatus, string> = { passed: 'PASSED', failed: 'FAILED', skipped: 'SKIPPED', updated: 'UPDATED', xfailed: 'XFAIL', xpassed: 'XPASS' };

function indent(text: string): string {
  return text.replace(/^/gm, '    ');
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
