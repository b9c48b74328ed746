/**
 * The peers' display conventions work in our kernel (issue 24, item 7): Deno's `[Symbol.for("Jupyter.display")]()`
 * (sync and async) and tslab's `import * as tslab from "tslab"`, provided by the kernel itself; also the
 * content-keeping repr of item 6 as an execute_result.
 */
import type { Message } from '../../kernel/transport/wire';
import { KernelClient, content, result } from './helpers/kernel-client';

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start({ engine: 'real' });
});
afterAll(async () => {
  await k?.close();
});

function ofType(iopub: Message[], type: string): Array<Record<string, any>> {
  return iopub.filter((m) => m.header.msg_type === type).map((m) => content(m));
}

test('a value with Symbol.for("Jupyter.display") shows its mime bundle, as Deno does', async () => {
  const { reply, iopub } = await k.execute(
    'const card = { [Symbol.for("Jupyter.display")]() { return { "text/html": "<b>hi</b>", "text/plain": "hi" }; } };\ncard',
  );
  expect(content(reply).status).toBe('ok');
  expect(ofType(iopub, 'execute_result')[0].data).toEqual({ 'text/html': '<b>hi</b>', 'text/plain': 'hi' });
});

test('an async Jupyter.display method is awaited, for results and display()', async () => {
  const code = [
    'class Chart { async [Symbol.for("Jupyter.display")]() { await new Promise((r) => setTimeout(r, 10)); return { "image/svg+xml": "<svg/>" }; } }',
    'display(new Chart());',
    'new Chart()',
  ].join('\n');
  const { reply, iopub } = await k.execute(code);
  expect(content(reply).status).toBe('ok');
  expect(ofType(iopub, 'display_data').map((c) => c.data)).toEqual([{ 'image/svg+xml': '<svg/>' }]);
  expect(ofType(iopub, 'execute_result').map((c) => c.data)).toEqual([{ 'image/svg+xml': '<svg/>' }]);
});

test('a failing Jupyter.display method is reported and the value still shows', async () => {
  const { iopub } = await k.execute('({ a: 1, [Symbol.for("Jupyter.display")]() { throw new Error("nope"); } })');
  expect(KernelClient.streamText(iopub, 'stderr')).toContain('Error: nope');
  expect(result(iopub)).toBe("{'a': 1}");
});

test('tslab.display.* and tslab.newDisplay() from the kernel\'s own "tslab" module', async () => {
  const code = [
    'import * as tslab from "tslab";',
    'tslab.display.html("<i>x</i>");',
    'tslab.display.markdown("**m**");',
    'tslab.display.png(new Uint8Array([1, 2, 3]));',
    'const d = tslab.newDisplay();',
    'd.text("one");',
    'd.text("two");',
  ].join('\n');
  const { reply, iopub } = await k.execute(code);
  expect(content(reply)).toMatchObject({ status: 'ok' });
  const shown = iopub.filter((m) => /display_data$/.test(m.header.msg_type)).map((m) => [m.header.msg_type, content(m).data]);
  expect(shown).toEqual([
    ['display_data', { 'text/html': '<i>x</i>' }],
    ['display_data', { 'text/markdown': '**m**' }],
    ['display_data', { 'image/png': 'AQID' }],
    ['display_data', { 'text/plain': 'one' }],
    ['update_display_data', { 'text/plain': 'two' }],
  ]);
  const ids = ofType(iopub, 'display_data').concat(ofType(iopub, 'update_display_data')).map((c) => c.transient?.display_id);
  expect(ids.slice(3)).toEqual([ids[3], ids[3]]);
  expect(ids[3]).toMatch(/^[0-9a-f]{16}$/);
});

test('"tslab" type-checks: a wrong argument is a type error', async () => {
  const { reply } = await k.execute('import * as tslab from "tslab";\ntslab.display.html(42);');
  expect(content(reply)).toMatchObject({ status: 'error', ename: 'TSError' });
  expect(content(reply).evalue).toMatch(/^TS2345/);
});

test('the last value keeps its content: class instances, URL, typed arrays', async () => {
  const { iopub } = await k.execute('class Vector2D { constructor(public x: number, public y: number) {} }\n[new Vector2D(100, 100), new URL("https://a.example/"), new Uint8Array([1, 2])]');
  expect(result(iopub)).toBe("[Vector2D { x: 100, y: 100 }, URL { href: 'https://a.example/' }, Uint8Array(2) [1, 2]]");
  const pending = await k.execute('new Promise(() => {})');
  expect(result(pending.iopub)).toBe('Promise { <pending> }');
});
