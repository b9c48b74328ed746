/**
 * The interrupt gate's handshake on its own (kernel/interrupt-gate.ts), on one thread. Interrupts landing at random
 * moments are tested on a kernel (test/reliability/lifecycle.test.ts), where the gate has the SIGINT watchdog held:
 * in a process like this one (jest's, with SIGINT listeners) another thread asking every millisecond under load
 * still killed it in 1 of 3 runs, so the handshake alone is not what the kernel relies on.
 */
import { InterruptGate } from '../../kernel/interrupt-gate';

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
