import { stampNow, tickerAwake } from '../../../runtime/timeline/clock';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls (yielding to the event loop) until `cond` holds; the cap only keeps a broken clock from hanging the run. */
async function until(cond: () => boolean, capMs = 10_000): Promise<boolean> {
  const end = performance.now() + capMs;
  while (!cond()) {
    if (performance.now() > end) return false;
    await sleep(5);
  }
  return true;
}

/** A stamp lies between the real clock readings taken just before and just after it. */
function stampBetweenRealReads(): boolean {
  const before = performance.now();
  const s = stampNow();
  const after = performance.now();
  return before <= s && s <= after;
}

test('the first stamps read the real clock; the ticker starts only once stamps come in numbers', () => {
  expect(stampBetweenRealReads()).toBe(true);
  expect(tickerAwake()).toBe(false);
});

test('with the ticker awake a stamp never runs ahead of the real clock, and follows it while this thread is busy', async () => {
  const awake = await until(() => {
    for (let i = 0; i < 300; i++) stampNow();
    return tickerAwake();
  });
  expect(awake).toBe(true);
  // Never ahead of the real clock: the ticker's values are real readings, taken before this one.
  for (let i = 0; i < 1000; i++) expect(stampNow()).toBeLessThanOrEqual(performance.now() + 1e-6);
  // The value moves on while this thread never yields: another thread is writing it.
  const first = stampNow();
  const cap = performance.now() + 10_000;
  let moved = false;
  while (!moved && performance.now() < cap) moved = stampNow() > first;
  expect(moved).toBe(true);
});

test('an idle ticker goes to sleep, and stamps read the real clock again', async () => {
  for (let i = 0; i < 300; i++) stampNow();
  expect(await until(() => !tickerAwake())).toBe(true);
  expect(stampBetweenRealReads()).toBe(true);
});
