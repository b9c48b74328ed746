import { setDisplayHook, terminalDisplayHook, type DisplayOptions } from '../../../runtime/display-hook';
import { TIMES, noteSubmit, noteStart, noteEnd, historyOf, type TaskTimes } from '../../../runtime/timeline/record';
import { Timeline, show_timeline, timeline } from '../../../runtime/timeline/timeline';
import { COLORS } from '../../../runtime/timeline/svg';
import { repr } from '../../../runtime/python/repr';
import { assertWellFormedXml, withClass } from './svg-check';

type State = 'pending' | 'running' | 'returned' | 'raised' | 'cancelled';

/** Just the Future surface a timeline reads, with timestamps we choose (ms). */
class FakeFuture {
  _result: unknown = undefined;
  _exception: unknown = undefined;
  [TIMES]: TaskTimes;
  constructor(private state: State, t: Partial<TaskTimes> & { submit: number }) {
    this[TIMES] = { start: NaN, end: NaN, worker: undefined, label: undefined, ...t };
    if (state === 'returned') this._result = 42;
    if (state === 'raised') this._exception = new RangeError('bad');
  }
  cancelled() {
    return this.state === 'cancelled';
  }
  done() {
    return this.state === 'returned' || this.state === 'raised' || this.state === 'cancelled';
  }
  running() {
    return this.state === 'running';
  }
}

const T0 = 10_000;
/** Two workers; #0 and #1 start at once, #2 waits for a slot, #3 is still running, #4 was cancelled while queued, #5 is queued. */
function knownSchedule(): FakeFuture[] {
  return [
    new FakeFuture('returned', { submit: T0, start: T0 + 1, end: T0 + 1000, worker: 0, label: 'pow' }),
    new FakeFuture('raised', { submit: T0 + 2, start: T0 + 3, end: T0 + 500, worker: 1 }),
    new FakeFuture('returned', { submit: T0 + 4, start: T0 + 500, end: T0 + 1500, worker: 1 }),
    new FakeFuture('running', { submit: T0 + 5, start: T0 + 1000, worker: 0 }),
    new FakeFuture('cancelled', { submit: T0 + 6, end: T0 + 800 }),
    new FakeFuture('pending', { submit: T0 + 7 }),
  ];
}

afterEach(() => setDisplayHook(undefined));

describe('Timeline of a known schedule', () => {
  const tl = new Timeline(timeline(knownSchedule()).spans, T0 + 2000, 'known');
  const svg = tl.svg;

  test('is well-formed XML (parsed by CPython) and an SVG root', () => {
    assertWellFormedXml(svg);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('sans-serif');
  });

  test('one lane per worker slot plus the queue lane, in order', () => {
    const lanes = withClass(svg, 'lane').map((l) => /data-lane="([^"]*)"/.exec(l)![1]);
    expect(lanes).toEqual(['worker 0', 'worker 1', 'queued']);
  });

  test('one bar per started task, coloured by outcome', () => {
    expect(withClass(svg, 'bar')).toHaveLength(4);
    expect(withClass(svg, 'bar', 'returned')).toHaveLength(2);
    expect(withClass(svg, 'bar', 'returned').every((b) => b.includes(`fill="${COLORS.returned}"`))).toBe(true);
    expect(withClass(svg, 'bar', 'raised')[0]).toContain(`fill="${COLORS.raised}"`);
    expect(withClass(svg, 'bar', 'cancelled')).toHaveLength(0); // it never ran: a queued strip and a cross instead
    expect(withClass(svg, 'cancel-mark')).toHaveLength(1);
  });

  test('the running bar is patterned, extends to now and is marked', () => {
    const [bar] = withClass(svg, 'bar', 'running');
    expect(bar).toMatch(/fill="url\(#running-[a-z0-9]+\)"/);
    const x = Number(/ x="([\d.]+)"/.exec(bar)![1]);
    const w = Number(/ width="([\d.]+)"/.exec(bar)![1]);
    const [nowLine] = [...svg.matchAll(/<g class="now"><line x1="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(x + w).toBeCloseTo(nowLine, 0);
    expect(svg).toContain('(still running)');
  });

  test('queued time is drawn apart, submit ticks for every task, an axis in seconds, a legend', () => {
    // #2 waited ~0.5s for a slot, #4 until it was cancelled, #5 until now; #0,#1,#3 waited a few ms (still drawn).
    expect(withClass(svg, 'queued').length).toBeGreaterThanOrEqual(3);
    expect(withClass(svg, 'submit-tick')).toHaveLength(6);
    expect(svg).toMatch(/>0\.0s<.*>2\.0s</s);
    for (const o of ['returned', 'raised', 'cancelled', 'running']) expect(svg).toContain(`>${o}</text>`);
    expect(svg).toContain('queued (submit → start)');
  });

  test('tooltips tell what each task did', () => {
    expect(svg).toContain('<title>#0 pow: returned int, ran 0.999s, queued 0.001s</title>');
    expect(svg).toContain('#1: raised RangeError');
  });

  test('text/plain summary', () => {
    expect(tl.summary()).toBe('Timeline: 6 tasks on 2 workers, 2.00s; 2 returned, 1 raised, 1 cancelled, 1 running, 1 pending');
    expect(repr(tl)).toBe(tl.summary());
    const bundle = tl._repr_mimebundle_();
    expect(Object.keys(bundle).sort()).toEqual(['image/svg+xml', 'text/plain']);
  });

  test('labels escape XML', () => {
    const f = new FakeFuture('returned', { submit: 0, start: 1, end: 2, worker: 'pid <1> & "x"', label: '<lambda>' });
    const s = timeline([f]).svg;
    assertWellFormedXml(s);
    expect(s).toContain('pid &lt;1&gt; &amp; &quot;x&quot;');
  });
});

describe('recording through the executor hooks', () => {
  test('an executor remembers its futures in submission order with their stamps', () => {
    const executor = {};
    const fs = [0, 1, 2].map(() => new FakeFuture('returned', { submit: 0 }));
    for (const f of fs) noteSubmit(executor, f, function work() {});
    fs.forEach((f, i) => noteStart(f, i % 2));
    fs.forEach((f) => noteEnd(f));
    expect(historyOf(executor)).toEqual(fs);
    const tl = timeline(executor);
    expect(tl.spans.map((s) => s.lane)).toEqual(['worker 0', 'worker 1', 'worker 0']);
    expect(tl.spans.every((s) => s.label === 'work' && s.start! >= s.submit && s.end! >= s.start!)).toBe(true);
    expect(tl.summary()).toMatch(/^Timeline: 3 tasks on 2 workers, \d+\.\d\ds; 3 returned$/);
  });

  test('futures without stamps are skipped; an empty timeline still renders', () => {
    const tl = timeline([{ cancelled: () => false, done: () => true, running: () => false }]);
    expect(tl.summary()).toBe('Timeline: 0 tasks on 0 workers, 0.00s');
    assertWellFormedXml(tl.svg);
  });
});

describe('show_timeline', () => {
  test('through a custom hook: one display with SVG and text; as last value only the summary is added', () => {
    const calls: { bundle: Record<string, unknown>; opts: DisplayOptions }[] = [];
    setDisplayHook({ display: (bundle, opts) => calls.push({ bundle, opts }) });
    const tl = show_timeline(knownSchedule(), { title: 'deadlock?' });
    expect(calls).toHaveLength(1);
    expect(calls[0].bundle['image/svg+xml']).toBe(tl.svg);
    expect(calls[0].bundle['text/plain']).toMatch(/^Timeline: 6 tasks on 2 workers/);
    expect(tl.svg).toContain('>deadlock?</text>');
    expect(Object.keys(tl._repr_mimebundle_())).toEqual(['text/plain']);
  });

  test('from plain Node: the summary line on stdout', () => {
    const s = { isTTY: false, out: '', write: (t: string) => ((s.out += t), true) };
    setDisplayHook(terminalDisplayHook(s));
    show_timeline(knownSchedule());
    expect(s.out).toMatch(/^Timeline: 6 tasks on 2 workers, [\d.]+s; 2 returned, 1 raised, 1 cancelled, 1 running, 1 pending\n$/);
  });
});

describe('lanes are serial', () => {
  test('a prefetched task starts when the previous one in its lane ended; behind an unfinished one it waits', () => {
    const fs = [
      new FakeFuture('returned', { submit: 0, start: 1, end: 100, worker: 'pid 7' }),
      new FakeFuture('returned', { submit: 0, start: 2, end: 150, worker: 'pid 7' }), // handed over early
      new FakeFuture('running', { submit: 0, start: 3, worker: 'pid 7' }),
      new FakeFuture('running', { submit: 0, start: 4, worker: 'pid 7' }), // behind a running one
    ];
    const spans = timeline(fs).spans;
    expect(spans.map((s) => s.start)).toEqual([1, 100, 150, undefined]);
    expect(spans[3].lane).toBe('pid 7');
    const svg = timeline(fs).svg;
    expect(withClass(svg, 'bar')).toHaveLength(3);
    assertWellFormedXml(svg);
  });
});
