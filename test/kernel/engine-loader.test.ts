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

  test('a kernel without requests runs the steps after the warm-up, one a turn, as many as asked', async () => {
    process.env.TSFUTURES_IDLE_WARM_UP = '5';
    await preloadEngine(dir);
    expect(calls()).toEqual(['warmUp']);
    await sleep(IDLE_WARM_UP_DELAY_MS + 200);
    expect(calls()).toEqual(['warmUp', 0, 1, 2, 3, 4]);
    new EngineLoader(dir).get(); // ends this preload
  });

  test('a request that takes the engine before the first step means no step at all', async () => {
    process.env.TSFUTURES_IDLE_WARM_UP = '5';
    await preloadEngine(dir);
    const engine = new EngineLoader(dir).get();
    await sleep(IDLE_WARM_UP_DELAY_MS + 200);
    expect(engine.languageVersion).toBe('test');
    expect(calls()).toEqual(['warmUp']);
  });

  test('steps end when the engine says no more, and when a request comes between two', async () => {
    process.env.TSFUTURES_IDLE_WARM_UP = '1000';
    process.env.FAKE_LAST_STEP = '2';
    await preloadEngine(dir);
    await sleep(IDLE_WARM_UP_DELAY_MS + 200);
    expect(calls()).toEqual(['warmUp', 0, 1, 2]);
    new EngineLoader(dir).get();

    delete process.env.FAKE_LAST_STEP;
    await preloadEngine(dir);
    await sleep(IDLE_WARM_UP_DELAY_MS + 20);
    new EngineLoader(dir).get();
    const seen = calls().length;
    await sleep(100);
    expect(calls().length).toBe(seen);
    expect(seen).toBeLessThan(1001);
  });

  test('TSFUTURES_IDLE_WARM_UP=0 turns the steps off', async () => {
    process.env.TSFUTURES_IDLE_WARM_UP = '0';
    await preloadEngine(dir);
    await sleep(IDLE_WARM_UP_DELAY_MS + 200);
    expect(calls()).toEqual(['warmUp']);
    new EngineLoader(dir).get();
  });
});
