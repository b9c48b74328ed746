import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineLoader, IDLE_WARM_UP_DELAY_MS, preloadEngine } from '../../kernel/protocol/engine-loader';

/** An engine module that records its warm-up calls in globalThis.__engineLoaderCalls; warmUpIdle says no at step FAKE_LAST_STEP. */
const ENGINE_SOURCE = `
exports.createEngine = () => {
  const calls = (globalThis.__engineLoaderCalls = []);
  return {
    languageVersion: 'test',
    warmUp() { calls.push('warmUp'); },
    warmUpIdle(step) {
      calls.push(step);
      for (const end = performance.now() + 1; performance.now() < end; ); // a step takes time, as a real one does
      return step !== Number(process.env.FAKE_LAST_STEP ?? -1);
    },
  };
};
`;

const calls = () => (globalThis as { __engineLoaderCalls?: unknown[] }).__engineLoaderCalls ?? [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('engine preload: idle warm-up', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsf-engine-loader-'));
  const saved = { engine: process.env.TSFUTURES_ENGINE, steps: process.env.TSFUTURES_IDLE_WARM_UP, last: process.env.FAKE_LAST_STEP };
  beforeAll(() => {
    fs.writeFileSync(path.join(dir, 'engine.js'), ENGINE_SOURCE);
    process.env.TSFUTURES_ENGINE = path.join(dir, 'engine.js');
  });
  afterEach(() => {
    for (const [key, value] of [['TSFUTURES_IDLE_WARM_UP', saved.steps], ['FAKE_LAST_STEP', saved.last]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  afterAll(() => {
    if (saved.engine === undefined) delete process.env.TSFUTURES_ENGINE;
    else process.env.TSFUTURES_ENGINE = saved.engine;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a kernel without cells runs the steps after the warm-up, one a turn, as many as asked, taken by get() or not', async () => {
    process.env.TSFUTURES_IDLE_WARM_UP = '5';
    await preloadEngine(dir);
    expect(calls()).toEqual(['warmUp']);
    await sleep(IDLE_WARM_UP_DELAY_MS + 200);
    expect(calls()).toEqual(['warmUp', 0, 1, 2, 3, 4]);

    // The kernel takes the engine right after its first kernel_info (loadEngineSoon): not a sign of a cell coming.
    await preloadEngine(dir);
    const engine = new EngineLoader(dir).get();
    expect(engine.languageVersion).toBe('test');
    await sleep(IDLE_WARM_UP_DELAY_MS + 200);
    expect(calls()).toEqual(['warmUp', 0, 1, 2, 3, 4]);
  });

  test('steps end when the engine says no more (it has run a cell)', async () => {
    process.env.TSFUTURES_IDLE_WARM_UP = '1000';
    process.env.FAKE_LAST_STEP = '2';
    await preloadEngine(dir);
    new EngineLoader(dir).get();
    await sleep(IDLE_WARM_UP_DELAY_MS + 200);
    expect(calls()).toEqual(['warmUp', 0, 1, 2]);
  });

  test('an engine dropped for another one (get() from another directory) is not warmed', async () => {
    process.env.TSFUTURES_IDLE_WARM_UP = '1000';
    await preloadEngine(dir);
    const before = calls();
    new EngineLoader(os.tmpdir()).get(); // creates a new engine (and a new calls list)
    await sleep(IDLE_WARM_UP_DELAY_MS + 200);
    expect(before).toEqual(['warmUp']);
    expect(calls()).toEqual([]);
  });

  test('TSFUTURES_IDLE_WARM_UP=0 turns the steps off', async () => {
    process.env.TSFUTURES_IDLE_WARM_UP = '0';
    await preloadEngine(dir);
    await sleep(IDLE_WARM_UP_DELAY_MS + 200);
    expect(calls()).toEqual(['warmUp']);
  });
});
