/**
 * The futures' printed behaviour measured against CPython: one Python script (run by Debian's python3) and its
 * TypeScript twin print the same lines — reprs in every state, bound methods, DoneAndNotDoneFutures, and the
 * messages of the errors users see. Addresses are masked (they differ per object and per run).
 */
import { execFileSync } from 'node:child_process';
import {
  Future, ThreadPoolExecutor, wait, as_completed, FIRST_COMPLETED, InvalidStateError, CancelledError,
} from '../../../runtime/futures';
import { repr, str, pow } from '../../../runtime/python';
import { ProcessPoolExecutor } from '../../../runtime/futures/process';
import { NeedMore, Vec, demand, doubled, giveFunctions, giveLambda } from '../process/fixture';
// As in a notebook, the runtime package is loaded: workers get its exports (pow) by reference.
import '../../../runtime';

const PYTHON = `
from concurrent.futures import *
import concurrent.futures as cf
def show(x): print(repr(x))
def err(fn):
    try:
        fn()
    except BaseException as e:
        print(type(e).__name__ + ': ' + str(e))
f = Future(); show(f)
f.set_running_or_notify_cancel(); show(f)
f.set_result(256); show(f); show(f.cancelled); print(f.done(), f.running(), f.cancelled())
err(lambda: f.set_result(1))
err(lambda: f.set_exception(ValueError('late')))
g = Future(); g.set_exception(ValueError('bad')); show(g); show(g.exception())
h = Future(); print(h.cancel()); show(h); print(h.cancelled(), h.done())
err(lambda: h.result())
err(lambda: Future().result(timeout=0))
p = Future()
show(wait([f], timeout=0)); show(wait([p], timeout=0)); show(wait([f, p], timeout=0, return_when=FIRST_COMPLETED))
err(lambda: list(as_completed([p, f], timeout=0)))
err(lambda: ThreadPoolExecutor(max_workers=0))
e = ThreadPoolExecutor(max_workers=1); e.shutdown()
err(lambda: e.submit(pow, 2, 8))
show(ThreadPoolExecutor(max_workers=1).submit(pow, 2, 8).result())
print(FIRST_COMPLETED, cf.FIRST_EXCEPTION, cf.ALL_COMPLETED)
`;

async function typescriptTwin(): Promise<string> {
  const out: string[] = [];
  const show = (x: unknown) => out.push(repr(x));
  const err = async (fn: () => unknown) => {
    try {
      await fn();
    } catch (e) {
      out.push(`${(e as Error).name}: ${str(e)}`);
    }
  };
  const f = new Future<number>(); show(f);
  f.set_running_or_notify_cancel(); show(f);
  f.set_result(256); show(f); show(f.cancelled); out.push([f.done(), f.running(), f.cancelled()].map(str).join(' '));
  await err(() => f.set_result(1));
  await err(() => f.set_exception(new RangeError('late')));
  const g = new Future(); g.set_exception(new (require('../../../runtime/python').ValueError)('bad')); show(g); show(await g.exception());
  const h = new Future(); out.push(str(h.cancel())); show(h); out.push([h.cancelled(), h.done()].map(str).join(' '));
  await err(() => h.result());
  await err(() => new Future().result(0));
  const p = new Future();
  show(await wait([f], { timeout: 0 })); show(await wait([p], { timeout: 0 })); show(await wait([f, p], { timeout: 0, return_when: FIRST_COMPLETED }));
  await err(async () => { for await (const _ of as_completed([p, f], 0)) void _; });
  await err(() => new ThreadPoolExecutor({ max_workers: 0 }));
  const e = new ThreadPoolExecutor({ max_workers: 1 }); await e.shutdown();
  await err(() => e.submit(Math.pow, 2, 8));
  const pool = new ThreadPoolExecutor({ max_workers: 1 });
  show(await pool.submit(Math.pow, 2, 8).result());
  await pool.shutdown();
  out.push(['FIRST_COMPLETED', 'FIRST_EXCEPTION', 'ALL_COMPLETED'].join(' '));
  return out.join('\n') + '\n';
}

const mask = (s: string) => s.replace(/0x[0-9a-f]+/g, '0x…');

test('Future reprs, wait/as_completed results and error messages print as CPython prints them', async () => {
  const python = execFileSync('/usr/bin/python3', ['-c', PYTHON], { encoding: 'utf8' });
  expect(mask(await typescriptTwin())).toBe(mask(python));
  // The twin's own classes are the ones the messages name.
  expect(new InvalidStateError('x').name).toBe('InvalidStateError');
  expect(new CancelledError().name).toBe('CancelledError');
});

/**
 * What pickle sends to a process pool: a builtin, a class with its instances, an exception with an attribute, and
 * functions as results (a builtin and a module function by reference; a lambda made in the worker cannot travel).
 */
const PYTHON_PROCESS_POOL = `
import math
from concurrent.futures import ProcessPoolExecutor
class Vec:
    def __init__(self, x, y): self.x = x; self.y = y
    def norm(self): return (self.x ** 2 + self.y ** 2) ** 0.5
class NeedMore(Exception): pass
def doubled(v): return Vec(v.x * 2, v.y * 2)
def demand(n):
    # The field is set outside __init__: unpickling calls NeedMore(*e.args), which a custom __init__ would see.
    e = NeedMore(f'need {n} more')
    e.need = n
    raise e
def give_functions(): return [math.hypot, doubled]
def give_lambda(): return lambda x: x
if __name__ == '__main__':
    with ProcessPoolExecutor(max_workers=2) as pool:
        print(pool.submit(pow, 2, 5).result())
        print(list(pool.map(pow, [2, 3, 4], [5, 2, 0])))
        v = pool.submit(doubled, Vec(3, 4)).result()
        print(type(v).__name__, isinstance(v, Vec), v.x, v.y, int(v.norm()))
        e = pool.submit(demand, 7).exception()
        print(type(e).__name__, isinstance(e, NeedMore), e.need, str(e))
        fs = pool.submit(give_functions).result()
        print(fs[0] is math.hypot, fs[1] is doubled, fs[1](Vec(1, 2)).x)
        print(type(pool.submit(give_lambda).exception()).__name__)
`;

async function processPoolTwin(): Promise<string> {
  const out: string[] = [];
  const print = (...xs: unknown[]) => out.push(xs.map(str).join(' '));
  const pool = new ProcessPoolExecutor({ max_workers: 2 });
  try {
    print(await pool.submit(pow, 2, 5).result());
    const powers: unknown[] = [];
    for await (const r of pool.map(pow, [2, 3, 4], [5, 2, 0])) powers.push(r);
    print(repr(powers));
    const v = await pool.submit(doubled, new Vec(3, 4)).result();
    print(v.constructor.name, v instanceof Vec, v.x, v.y, Math.trunc(v.norm()));
    const e = (await pool.submit(demand, 7).exception()) as NeedMore;
    print(e.constructor.name, e instanceof NeedMore, e.need, e.message);
    const fs = await pool.submit(giveFunctions).result();
    print(fs[0] === Math.hypot, fs[1] === doubled, (fs[1] as typeof doubled)(new Vec(1, 2)).x);
    print(((await pool.submit(giveLambda).exception()) as Error).constructor.name);
  } finally {
    await pool.shutdown();
  }
  return out.join('\n') + '\n';
}

test('a process pool takes what CPython\'s pickles: pow by reference, class instances both ways, an exception with an attribute, functions as results', async () => {
  const python = execFileSync('/usr/bin/python3', ['-c', PYTHON_PROCESS_POOL], { encoding: 'utf8' });
  expect(await processPoolTwin()).toBe(python);
}, 30_000);
