/**
 * Notebooks other people wrote for tslab and Deno (test/foreign, see its README) run unchanged here, errors allowed:
 * each must run at least its floor of code cells ok. Floors are what runs today; raise them as causes are fixed (the
 * README lists the failing cells and why), never lower them.
 */
import { builtinJavascriptSpec, builtinTsfuturesSpec } from '../../nbval/client/kernelspecs';
import { CORPUS, notebookLanguage, runForeign } from './corpus';

describe('foreign notebooks run on tsfutures', () => {
  test.each(CORPUS.map((nb) => [nb.file, nb] as const))('%s', async (_file, nb) => {
    // The kernel Jupyter would pick from the notebook's metadata: JavaScript notebooks get tsfutures-js.
    const runs = await runForeign(nb.file, notebookLanguage(nb.file) === 'javascript' ? builtinJavascriptSpec() : builtinTsfuturesSpec());
    const failing = runs.flatMap((r, i) => (r.ok ? [] : [`[${i}]${nb.unrunnable[i] ? ` (${nb.unrunnable[i]})` : ''} ${r.error?.split('\n')[0]}`]));
    const ok = runs.length - failing.length;
    // The failing cells are part of the message, so a floor that breaks says which cell stopped running and why.
    expect({ ok: ok >= nb.floor ? 'at least the floor' : ok, failing }).toEqual({ ok: 'at least the floor', failing: expect.any(Array) });
    const shown = new Set(runs.flatMap((r) => r.mimes));
    expect((nb.shows ?? []).filter((mime) => !shown.has(mime))).toEqual([]);
  }, 180_000);
});
