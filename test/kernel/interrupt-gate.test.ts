/**
 * The interrupt gate's handshake on its own (kernel/process/interrupt-gate.ts), on one thread. Interrupts landing at random
 * moments are tested on a kernel (test/reliability/lifecycle.test.ts), where the gate has the SIGINT watchdog held:
 * in a process like this one (jest's, with SIGINT listeners) another thread asking every millisecond under load
 * still killed it in 1 of 3 runs, so the handshake alone is not what the kernel relies on.
 */
import { InterruptGate, requestStamp } from '../../kernel/process/interrupt-gate';

test('an interrupt asked before the run stops it at its first line; one asked for an earlier cell does not', () => {
  const gate = new InterruptGate();
  let ran = false;
  gate.cellStarted();
  expect(gate.ask()).toBe(1);
  expect(() => gate.runWatched(() => (ran = true))).toThrow(expect.objectContaining({ code: 'ERR_SCRIPT_EXECUTION_INTERRUPTED' }));
  expect(ran).toBe(false);
  gate.cellEnded();
  expect(gate.ask()).toBeUndefined(); // idle: nothing to interrupt
  gate.cellStarted();
  expect(gate.asked()).toBe(false);
  expect(gate.runWatched(() => 42)).toBe(42);
  gate.cellEnded();
});

test("an interrupt_request its client sent before the running cell's request is not that cell's", () => {
  const gate = new InterruptGate();
  const stamp = (session: string, date: string) => requestStamp({ session, date });
  // jupyter_client's dates carry µs, @jupyterlab/services' ms: both order one client's requests.
  expect(stamp('a', '2026-11-26T04:00:00.000002Z')!.sentAt - stamp('a', '2026-11-26T04:00:00.000001Z')!.sentAt).toBe(1);
  expect(stamp('a', '2026-11-26T04:00:00.002Z')!.sentAt - stamp('a', '2026-11-26T04:00:00.001Z')!.sentAt).toBe(1000);
  expect(stamp('a', 'not a date')).toBeUndefined();
  expect(requestStamp({})).toBeUndefined();

  gate.cellStarted(stamp('a', '2026-11-26T04:00:00.500000Z'));
  expect(gate.ask(stamp('a', '2026-11-26T04:00:00.400000Z'))).toBeUndefined(); // meant for an earlier cell
  expect(gate.asked()).toBe(false);
  expect(gate.ask(stamp('b', '2026-11-26T04:00:00.400000Z'))).toBe(1); // another client's clock: not compared
  gate.cellEnded();
  gate.cellStarted(stamp('a', '2026-11-26T04:00:01.000000Z'));
  expect(gate.ask(stamp('a', '2026-11-26T04:00:01.000001Z'))).toBe(2); // sent after the cell's request
  gate.cellEnded();
  gate.cellStarted(); // a request without a stamp: every interrupt is its own
  expect(gate.ask(stamp('a', '2000-01-01T00:00:00Z'))).toBe(3);
  gate.cellEnded();
});

test('an interrupt asked for one cell (the memory guard) is dropped once that cell has ended', () => {
  const gate = new InterruptGate();
  gate.cellStarted();
  const first = gate.currentCell();
  gate.cellEnded();
  gate.cellStarted();
  expect(gate.ask(undefined, first)).toBeUndefined(); // the guard saw cell 1 grow, cell 2 runs now
  expect(gate.asked()).toBe(false);
  expect(gate.runWatched(() => 42)).toBe(42);
  expect(gate.ask(undefined, gate.currentCell())).toBe(first + 1);
  gate.cellEnded();
});
