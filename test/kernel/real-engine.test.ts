/** The kernel with the real TypeScript cell engine: results, type errors, interrupts keeping earlier state. */
import { KernelClient, content, result } from './helpers/kernel-client';

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start({ engine: 'real' });
});
afterAll(async () => {
  await k?.close();
});

/** Runs a cell that must succeed; its shown result. */
async function run(code: string): Promise<unknown> {
  const { reply, iopub } = await k.execute(code);
  expect([code, content(reply).status, content(reply).evalue]).toEqual([code, 'ok', undefined]);
  return result(iopub);
}

test('kernel_info reports the TypeScript version', async () => {
  const reply = await k.reply(k.send('shell', 'kernel_info_request', {}));
  expect(content(reply).language_info.version).toBe(require('typescript').version);
});

test('a typed cell runs and its value is shown with a Python repr', async () => {
  const { reply, iopub } = await k.execute('const kept: number[] = [1, 2, 3];\nconsole.log("sum", kept.reduce((a, b) => a + b));\nkept');
  expect(content(reply).status).toBe('ok');
  expect(KernelClient.streamText(iopub)).toBe('sum 6\n');
  expect(result(iopub)).toBe('[1, 2, 3]');
});

test('a type error is an error reply', async () => {
  const { reply } = await k.execute('const s: string = 1;');
  expect(content(reply).status).toBe('error');
});

test('display and clear_output are available in cells', async () => {
  const { reply, iopub } = await k.execute("display({'text/html': '<i>x</i>'}, {raw: true}); clear_output({wait: true});");
  expect([content(reply).status, content(reply).evalue]).toEqual(['ok', undefined]);
  expect(iopub.map((m) => m.header.msg_type)).toEqual(expect.arrayContaining(['display_data', 'clear_output']));
});

test('interrupt_request ends a synchronous loop, SIGINT an awaiting cell; earlier variables survive', async () => {
  const loop = k.send('shell', 'execute_request', { code: 'while (true) {}', silent: false });
  await k.waitForIopub(loop, 'execute_input');
  k.send('control', 'interrupt_request', {});
  expect(content(await k.reply(loop))).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });

  // Printed after the first await, so the signal finds the cell awaiting (a SIGINT at the very end of a cell's
  // synchronous part can be consumed by vm's breakOnSigint watchdog as it is torn down).
  const wait = k.send('shell', 'execute_request', { code: 'await null;\nconsole.log("waiting");\nawait new Promise(() => {});', silent: false });
  await k.waitForIopub(wait, 'stream');
  k.process.kill('SIGINT');
  expect(content(await k.reply(wait))).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });

  expect(result((await k.execute('kept.length')).iopub)).toBe('3');
});

test('output printed before a blocking loop reaches the client while the loop runs', async () => {
  const busy = k.send('shell', 'execute_request', { code: 'print("started");\nwhile (true) {}', silent: false });
  // The stream must arrive while the cell is still blocked: nothing but the interrupt below ends it.
  await k.waitForIopub(busy, 'stream');
  k.send('control', 'interrupt_request', {});
  expect(content(await k.reply(busy))).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });
});

test('cells import like modules: import() of node: modules and an ES-module-only package, shadowed globals', async () => {
  // The kernel's notebook folder is its cwd (k.dir): the package is installed there.
  const { cpSync } = await import('node:fs');
  const path = await import('node:path');
  cpSync(path.join(__dirname, '..', 'fixtures', 'notebook', 'node_modules', 'esm-only'), path.join(k.dir, 'node_modules', 'esm-only'), { recursive: true });
  expect(await run('const { setTimeout: sleep } = await import("node:timers/promises");\nawait sleep(1, "slept")')).toBe("'slept'");
  expect(await run('import shout, { greet } from "esm-only";\nshout(greet("static"))')).toBe("'HELLO, STATIC'");
  expect(await run('const esm = await import("esm-only");\nesm.greet("dynamic")')).toBe("'hello, dynamic'");
  expect(await run('import * as crypto from "node:crypto";\ntypeof crypto.createHash')).toBe("'function'");
  expect(await run('crypto.createHash("sha256").update("abc").digest("hex").slice(0, 8)')).toBe("'ba7816bf'");
});

test('a cell\'s declaration of a native global\'s name binds it for the cells; packages keep calling the realm\'s', async () => {
  const { cpSync } = await import('node:fs');
  const path = await import('node:path');
  cpSync(path.join(__dirname, '..', 'fixtures', 'notebook', 'node_modules', 'callback-timer'), path.join(k.dir, 'node_modules', 'callback-timer'), { recursive: true });
  expect(await run('const { setTimeout } = await import("node:timers/promises");\nawait setTimeout(1, "promise")')).toBe("'promise'");
  expect(await run('await setTimeout(1, "next cell")')).toBe("'next cell'");
  // The package's `setTimeout(callback, ms)` is the realm's: it calls back.
  expect(await run('import { later } from "callback-timer";\nawait later("called back", 1)')).toBe("'called back'");
  expect(await run('function setTimeout(ms: number) { return `mine ${ms}`; }\n[setTimeout(3), await later("again", 1)]')).toBe("['mine 3', 'again']");
  expect(await run('let fetch = (url: string) => `fetched ${url}`;\nfetch("a")')).toBe("'fetched a'");
  expect(await run('[fetch("b"), (globalThis.fetch as unknown) === fetch, setTimeout(4), await later("still", 1)]')).toBe("['fetched b', False, 'mine 4', 'still']");
});

test('the JavaScript kernel (tsfutures-js) says javascript and runs what only JavaScript accepts', async () => {
  const js = await KernelClient.start({ engine: 'real', env: { TSFUTURES_LANGUAGE: 'javascript' } });
  try {
    const reply = await js.reply(js.send('shell', 'kernel_info_request', {}));
    expect(content(reply).language_info).toMatchObject({ name: 'javascript', file_extension: '.js', mimetype: 'text/javascript' });
    const { reply: ran, iopub } = await js.execute('class P {\n  constructor(x) { this.x = x; }\n}\nnew P(2).x');
    expect([content(ran).status, result(iopub)]).toEqual(['ok', '2']);
  } finally {
    await js.close();
  }
});

test('a cell that rebinds setTimeout (the issue\'s `const { setTimeout } = await import(...)`) leaves the kernel and runtime node\'s own', async () => {
  expect(await run('const { setTimeout } = await import("node:timers/promises");\nawait setTimeout(1, "rebound")')).toBe("'rebound'");
  // A process pool's spare worker and idle timers, and the kernel's own output and watchdog timers, run after it.
  expect(await run('const pool17 = new ProcessPoolExecutor({ max_workers: 1 });\nconst max17 = await pool17.submit(Math.max, 1, 9).result();\nawait time.sleep(0.2);\nawait pool17.shutdown();\nmax17')).toBe('9');
  expect(await run('print("later");\nawait setTimeout(1, "still the cell\'s")')).toBe('"still the cell\'s"');
});
