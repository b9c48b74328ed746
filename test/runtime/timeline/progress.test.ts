import { setDisplayHook, terminalDisplayHook, type DisplayOptions } from '../../../runtime/display-hook';
import { progress } from '../../../runtime/timeline/progress';
import { formatMeter, formatInterval, unicodeBar } from '../../../runtime/timeline/progress-format';

type Call = { bundle: Record<string, unknown>; opts: DisplayOptions };

function recordingHook(): Call[] {
  const calls: Call[] = [];
  setDisplayHook({ display: (bundle, opts) => calls.push({ bundle, opts }) });
  return calls;
}

afterEach(() => setDisplayHook(undefined));

describe('tqdm text layout (values measured with tqdm 4.70 format_meter)', () => {
  test('known total', () => {
    expect(formatMeter({ n: 4, total: 10, desc: 'desc', elapsed: 1.3 })).toBe('desc:  40%|████      | 4/10 [00:01<00:01,  3.08it/s]');
    expect(formatMeter({ n: 0, total: 10, desc: 'desc', elapsed: 0 })).toBe('desc:   0%|          | 0/10 [00:00<?, ?it/s]');
    expect(formatMeter({ n: 10, total: 10, elapsed: 3 })).toBe('100%|██████████| 10/10 [00:03<00:00,  3.33it/s]');
  });
  test('slow rate flips to s/it; unknown total shows a count', () => {
    expect(formatMeter({ n: 3, total: 10, elapsed: 3.7 })).toBe(' 30%|███       | 3/10 [00:03<00:08,  1.23s/it]');
    expect(formatMeter({ n: 4, desc: 'desc', elapsed: 1.3 })).toBe('desc: 4it [00:01,  3.08it/s]');
  });
  test('eighth blocks, intervals', () => {
    expect(unicodeBar(0.4, 18)).toBe('███████▏          ');
    expect(formatInterval(3725)).toBe('1:02:05');
  });
});

describe('progress through a custom hook (as the kernel installs it)', () => {
  test('100 000 items: bounded number of updates, one display_id, final state shown', () => {
    const calls = recordingHook();
    const items = Array.from({ length: 100_000 }, (_, i) => i);
    const t0 = performance.now();
    let sum = 0;
    for (const x of progress(items, { desc: 'sum' })) sum += x;
    const seconds = (performance.now() - t0) / 1000;
    expect(sum).toBe(4_999_950_000);
    // initial + at most one per 0.1s + final
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.length).toBeLessThanOrEqual(Math.ceil(seconds / 0.1) + 2);
    const ids = new Set(calls.map((c) => c.opts.display_id));
    expect(ids.size).toBe(1);
    expect(calls[0].opts.update).toBe(false);
    expect(calls.slice(1).every((c) => c.opts.update === true)).toBe(true);
    const last = calls[calls.length - 1];
    expect(last.opts.final).toBe(true);
    expect(last.bundle['text/plain']).toMatch(/^sum: 100%\|██████████\| 100000\/100000 \[00:0\d<00:00, +[\d.]+it\/s\]$/);
    expect(last.bundle['text/html']).toContain('<progress value="100000" max="100000"');
    expect(calls.slice(0, -1).every((c) => c.opts.final === false)).toBe(true);
  });

  test('async source (for await) with total from the input length; updates when items are slow', async () => {
    const calls = recordingHook();
    async function* slow() {
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setTimeout(r, 30));
        yield i;
      }
    }
    const seen: number[] = [];
    for await (const x of progress(slow(), { total: 4, mininterval: 0.01 })) seen.push(x);
    expect(seen).toEqual([0, 1, 2, 3]);
    const texts = calls.map((c) => c.bundle['text/plain'] as string);
    expect(texts[0]).toMatch(/^ {2}0%\|/);
    expect(texts.some((t) => t.includes(' 2/4 '))).toBe(true);
    expect(texts[texts.length - 1]).toMatch(/^100%\|██████████\| 4\/4 /);
  });

  test('total from length/size; early break shows the stopped state', () => {
    const calls = recordingHook();
    for (const x of progress(new Set([1, 2, 3, 4, 5]))) if (x === 2) break;
    const last = calls[calls.length - 1];
    expect(last.opts.final).toBe(true);
    // tqdm counts an item when the next one is asked for: breaking at the 2nd leaves 1 counted.
    expect(last.bundle['text/plain']).toMatch(/^ 20%\|██        \| 1\/5 /);
    expect(last.bundle['text/html']).toContain('(stopped)');
  });

  test('a throwing async source closes the bar in the error state and rethrows', async () => {
    const calls = recordingHook();
    async function* bad() {
      yield 1;
      throw new RangeError('boom');
    }
    await expect(async () => {
      for await (const _ of progress(bad(), { desc: 'x' })) void _;
    }).rejects.toThrow('boom');
    expect(calls[calls.length - 1].bundle['text/html']).toContain('(error)');
    expect(calls[calls.length - 1].bundle['text/plain']).toMatch(/^x: 1it \[/);
  });
});

describe('progress with the plain-Node default hook', () => {
  function sink(isTTY: boolean) {
    const s = { isTTY, out: '', write: (t: string) => ((s.out += t), true) };
    return s;
  }
  test('non-TTY prints only the final state', () => {
    const s = sink(false);
    setDisplayHook(terminalDisplayHook(s));
    for (const _ of progress(Array(1000).fill(0), { desc: 'log', mininterval: 0 })) void _;
    expect(s.out.split('\n')).toEqual([expect.stringMatching(/^log: 100%\|██████████\| 1000\/1000 \[/), '']);
  });
  test('TTY redraws one line with \\r and ends it with a newline', () => {
    const s = sink(true);
    setDisplayHook(terminalDisplayHook(s));
    for (const _ of progress([1, 2, 3], { mininterval: 0 })) void _;
    expect(s.out.startsWith('  0%|')).toBe(true);
    expect(s.out.split('\r').length).toBe(5); // initial, then 3 ticks and the final state, each redrawn after a \r
    expect(s.out.endsWith('\x1b[K\n')).toBe(true);
    expect(s.out.split('\n').length).toBe(2);
  });
  test('the real default (no hook installed) writes to process.stdout', () => {
    const writes: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (writes.push(String(c)), true));
    try {
      for (const _ of progress([1, 2], { desc: 'plain' })) void _;
    } finally {
      spy.mockRestore();
    }
    expect(writes.join('')).toContain('plain: 100%|██████████| 2/2 [');
  });
});
