/**
 * `npm run bench:foreign`: the foreign-notebook corpus (test/foreign) on tsfutures and on tslab in the same run, each
 * notebook on a fresh kernel with errors allowed; prints per-notebook cells run ok, the failing cells with their
 * first error line, and a README row. Each kernel's JavaScript variant runs the notebooks whose metadata says
 * javascript (tsfutures-js; tslab, the devDependency, started as its jslab kernel.json does, with `--js`).
 */
import { parseArgs } from 'node:util';
import { CORPUS, codeCells, notebookLanguage, runForeign, type CellRun } from '../test/foreign/corpus';
import { installedSpec, tslabSpec } from './kernel/spec';
import { TSFUTURES_JS_KERNEL, type KernelSpec } from '../nbval/client/kernelspecs';
import { javascriptKernelJson } from '../kernel/install/kernelspec-js';

const { values } = parseArgs({ options: { verbose: { type: 'boolean', short: 'v', default: false } } });

function firstLine(s: string | undefined): string {
  return (s ?? '').split('\n')[0].slice(0, 160);
}

function summary(runs: CellRun[]): number {
  return runs.filter((r) => r.ok).length;
}

async function main(): Promise<void> {
  const tslab = tslabSpec();
  const kernels: Array<[string, (language: string) => KernelSpec | undefined]> = [
    ['tsfutures', (language) => (language === 'javascript' ? { ...javascriptKernelJson(installedSpec()), name: TSFUTURES_JS_KERNEL } : installedSpec())],
    ['tslab', (language) => (tslab && language === 'javascript' ? { ...tslab, argv: [...tslab.argv, '--js'] } : tslab)],
  ];
  const totals: Record<string, number> = { tsfutures: 0, tslab: 0 };
  let cells = 0;
  console.log('| notebook | cells | tsfutures | tslab |');
  console.log('|---|---|---|---|');
  const details: string[] = [];
  for (const nb of CORPUS) {
    const n = codeCells(nb.file).length;
    cells += n;
    const row: string[] = [];
    for (const [name, specFor] of kernels) {
      const spec = specFor(notebookLanguage(nb.file));
      if (!spec) {
        row.push('n/a');
        continue;
      }
      const runs = await runForeign(nb.file, spec);
      totals[name] += summary(runs);
      row.push(String(summary(runs)));
      runs.forEach((r, i) => {
        if (!r.ok) details.push(`${name} ${nb.file} [${i}]${nb.unrunnable[i] ? ` (${nb.unrunnable[i]})` : ''}: ${firstLine(r.error)}`);
      });
    }
    console.log(`| ${nb.file} | ${n} | ${row.join(' | ')} |`);
  }
  console.log(`| **all ${CORPUS.length} notebooks** | ${cells} | ${totals.tsfutures} | ${totals.tslab} |`);
  if (values.verbose) console.log(`\nFailing cells:\n${details.join('\n')}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
