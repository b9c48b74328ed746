/** The kernel's protocol side against a fake (vm) engine: replies, iopub traffic, ordering, robustness. */
import { KernelClient, content } from './helpers/kernel-client';
import { DELIMITER } from '../../kernel/transport/wire';

type C = Record<string, any>;
const types = (ms: { header: { msg_type: string } }[]) => ms.map((m) => m.header.msg_type);

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
});
afterAll(async () => {
  await k?.close();
});

test('kernel_info_reply describes a TypeScript kernel, with busy/idle around it', async () => {
  const id = k.send('shell', 'kernel_info_request', {});
  const reply = await k.reply(id);
  const c = content(reply);
  expect(c).toMatchObject({ status: 'ok', protocol_version: '5.3', implementation: 'tsfutures', implementation_version: '0.1.0' });
  // Before the engine is loaded the version comes from the typescript package, after that from the engine.
  expect([require('typescript').version, 'fake-1.0']).toContain(c.language_info.version);
  expect(c.language_info).toMatchObject({ name: 'typescript', mimetype: 'text/typescript', file_extension: '.ts', pygments_lexer: 'typescript' });
  expect(typeof c.banner).toBe('string');
  const iopub = await k.iopubFor(id);
  expect(iopub.map((m) => content(m).execution_state)).toEqual(['busy']);
});

test('execute: execute_input, stream, execute_result with a Python repr, then the reply', async () => {
  const { reply, iopub } = await k.execute('console.log("hello, world"); [1, "a", true, null]');
  expect(content(reply)).toMatchObject({ status: 'ok', execution_count: 1, user_expressions: {}, payload: [] });
  expect(types(iopub)).toEqual(['status', 'execute_input', 'stream', 'execute_result']);
  expect(content(iopub[1])).toEqual({ code: 'console.log("hello, world"); [1, "a", true, null]', execution_count: 1 });
  expect(content(iopub[2])).toEqual({ name: 'stdout', text: 'hello, world\n' });
  expect(content(iopub[3])).toEqual({ execution_count: 1, data: { 'text/plain': "[1, 'a', True, None]" }, metadata: {} });
});

test('stdout and stderr keep their order; undefined shows no result', async () => {
  const { iopub } = await k.execute('process.stdout.write("a\\n"); process.stderr.write("b\\n"); console.log("c")');
  const streams = iopub.filter((m) => m.header.msg_type === 'stream').map((m) => [content(m).name, content(m).text]);
  expect(streams).toEqual([['stdout', 'a\n'], ['stderr', 'b\n'], ['stdout', 'c\n']]);
  expect(types(iopub)).not.toContain('execute_result');
});

test('an error gives an error message and an error reply', async () => {
  const { reply, iopub } = await k.execute('null.x');
  expect(content(reply)).toMatchObject({ status: 'error', ename: 'TypeError' });
  expect(content(reply).traceback.length).toBeGreaterThan(0);
  const errors = iopub.filter((m) => m.header.msg_type === 'error');
  expect(errors).toHaveLength(1);
  expect(content(errors[0]).ename).toBe('TypeError');
});

test('silent runs without execute_input, result or count; store_history=false keeps the count', async () => {
  const before = content((await k.execute('1')).reply).execution_count;
  const silent = await k.execute('2', { silent: true, store_history: false });
  expect(types(silent.iopub)).toEqual(['status']);
  expect(content(silent.reply).execution_count).toBe(before);
  const unstored = await k.execute('3', { store_history: false });
  expect(content(unstored.reply).execution_count).toBe(before);
  expect(content((await k.execute('4')).reply).execution_count).toBe(before + 1);
});

test('user_expressions are evaluated after the cell, errors reported per expression', async () => {
  const { reply } = await k.execute('var ux = 20', { user_expressions: { a: 'ux + 1', b: 'nope.x' } });
  const ue = content(reply).user_expressions;
  expect(ue.a).toEqual({ status: 'ok', data: { 'text/plain': '21' }, metadata: {} });
  expect(ue.b).toMatchObject({ status: 'error', ename: 'ReferenceError' });
});

test('stop_on_error aborts the execute_requests queued behind a failing cell, then resumes', async () => {
  // The failing cell is still running when the next two arrive, so they are queued behind it.
  const failing = k.send('shell', 'execute_request', { code: 'new Promise((_, reject) => setTimeout(() => reject(new RangeError("boom")), 300))', silent: false, stop_on_error: true });
  const queued = [k.send('shell', 'execute_request', { code: '1', silent: false }), k.send('shell', 'execute_request', { code: '2', silent: false })];
  expect(content(await k.reply(failing))).toMatchObject({ status: 'error', ename: 'RangeError', evalue: 'boom' });
  for (const id of queued) {
    expect(content(await k.reply(id)).status).toBe('aborted');
    expect(types(await k.iopubFor(id))).toEqual(['status']); // busy only: nothing ran
  }
  expect(content((await k.execute('3')).reply).status).toBe('ok');
});

test('stop_on_error=false does not abort what follows', async () => {
  const failing = k.send('shell', 'execute_request', { code: 'throw new Error("x")', silent: false, stop_on_error: false });
  const next = k.send('shell', 'execute_request', { code: '5', silent: false });
  expect(content(await k.reply(failing)).status).toBe('error');
  expect(content(await k.reply(next)).status).toBe('ok');
});

test('output of a timer started by a cell goes to that cell after it finished', async () => {
  const first = await k.execute('setTimeout(() => console.log("late"), 300); "started"');
  const second = await k.execute('new Promise(r => setTimeout(r, 600)).then(() => "second done")');
  const late = k.iopubLog.filter((m) => m.header.msg_type === 'stream' && content(m).text === 'late\n');
  expect(late).toHaveLength(1);
  expect((late[0].parent_header as C).msg_id).toBe(first.msgId);
  expect(KernelClient.streamText(second.iopub)).toBe('');
});

test('display, update_display_data and clear_output reach iopub with the cell as parent', async () => {
  const { iopub, reply } = await k.execute(`
    const h = display({ _repr_html_: () => "<b>x</b>" }, { display_id: "d1" });
    h.update({ 'text/plain': 'raw' }, { raw: true });
    display({ 'text/markdown': '# hi' }, { raw: true });
    clear_output({ wait: true });
  `);
  expect(content(reply).status).toBe('ok');
  const shown = iopub.filter((m) => m.header.msg_type !== 'status' && m.header.msg_type !== 'execute_input');
  expect(types(shown)).toEqual(['display_data', 'update_display_data', 'display_data', 'clear_output']);
  expect(content(shown[0]).data['text/html']).toBe('<b>x</b>');
  expect(content(shown[0]).transient).toEqual({ display_id: 'd1' });
  expect(content(shown[1])).toMatchObject({ data: { 'text/plain': 'raw' }, transient: { display_id: 'd1' } });
  expect(content(shown[2]).data).toEqual({ 'text/markdown': '# hi' });
  expect(content(shown[3])).toEqual({ wait: true });
});

test('2000 displays in one synchronous loop all reach iopub, and the cell its reply', async () => {
  // The main thread sends them inside the loop (channels.ts: sendTimeout 0). With zeromq.js's default, sends after
  // the 512th in one turn wait for the event loop, and the next one threw "Socket is busy writing": no reply came.
  const { iopub, reply } = await k.execute('for (let i = 0; i < 2000; i++) display({ "text/plain": String(i) }, { raw: true });');
  expect(content(reply).status).toBe('ok');
  const shown = iopub.filter((m) => m.header.msg_type === 'display_data').map((m) => content(m).data['text/plain']);
  expect(shown).toEqual(Array.from({ length: 2000 }, (_, i) => String(i)));
});

test('input() asks on stdin when allowed and resolves with the reply', async () => {
  const id = k.send('shell', 'execute_request', { code: 'input("name? ").then(v => "got " + v)', silent: false, allow_stdin: true });
  const request = await k.waitFor(() => [...(k as any).replies.values()].find((m: any) => m.header.msg_type === 'input_request' && m.parent_header.msg_id === id), 'input_request');
  expect(content(request)).toEqual({ prompt: 'name? ', password: false });
  k.send('stdin', 'input_reply', { value: 'Kim' });
  await k.reply(id);
  const result = (await k.iopubFor(id)).find((m) => m.header.msg_type === 'execute_result')!;
  expect(content(result).data['text/plain']).toBe("'got Kim'");
});

test('complete, inspect, is_complete, comm_info and unknown requests are all answered', async () => {
  await k.execute('var myVariable = 1');
  const comp = content(await k.reply(k.send('shell', 'complete_request', { code: 'myVar', cursor_pos: 5 })));
  expect(comp).toMatchObject({ status: 'ok', matches: ['myVariable'], cursor_start: 0, cursor_end: 5 });
  const insp = content(await k.reply(k.send('shell', 'inspect_request', { code: 'myVariable', cursor_pos: 10, detail_level: 0 })));
  expect(insp).toMatchObject({ status: 'ok', found: true });
  expect(content(await k.reply(k.send('shell', 'is_complete_request', { code: 'function f() {' })))).toMatchObject({ status: 'incomplete' });
  expect(content(await k.reply(k.send('shell', 'comm_info_request', {})))).toEqual({ status: 'ok', comms: {} });
  k.send('shell', 'comm_open', { comm_id: 'c', target_name: 't', data: {} });
  expect(content(await k.reply(k.send('shell', 'frobnicate_request', {})))).toMatchObject({ status: 'error' });
  expect(content(await k.reply(k.send('control', 'kernel_info_request', {}), 'control')).status).toBe('ok');
});

test('history: tail, range and glob search with unique and n', async () => {
  const codes = ['var h1 = 1', 'var h2 = 2', 'var h1 = 1'];
  for (const c of codes) await k.execute(c);
  const tail = content(await k.reply(k.send('shell', 'history_request', { hist_access_type: 'tail', n: 3, output: false, raw: true })));
  expect(tail.history.map((h: unknown[]) => h[2])).toEqual(codes);
  const [session, line] = tail.history[0];
  const range = content(await k.reply(k.send('shell', 'history_request', { hist_access_type: 'range', session, start: line, stop: line + 1, output: false, raw: true })));
  expect(range.history).toEqual([[session, line, 'var h1 = 1']]);
  const search = (extra: object) => k.send('shell', 'history_request', { hist_access_type: 'search', pattern: 'var h? = *', output: false, raw: true, ...extra });
  expect(content(await k.reply(search({}))).history).toHaveLength(3);
  expect(content(await k.reply(search({ unique: true }))).history.map((h: unknown[]) => h[2])).toEqual(['var h2 = 2', 'var h1 = 1']);
  expect(content(await k.reply(search({ n: 1 }))).history).toEqual([[session, line + 2, 'var h1 = 1']]);
  const withOutput = content(await k.reply(k.send('shell', 'history_request', { hist_access_type: 'tail', n: 1, output: true, raw: true })));
  expect(withOutput.history[0][2]).toEqual(['var h1 = 1', null]);
});

test('bad signatures, bad JSON and missing header fields are dropped, and the kernel keeps answering', async () => {
  const good = (msgType: string) => {
    const id = k.send('shell', msgType, {});
    return id;
  };
  await k.sendFrames('shell', [Buffer.from(DELIMITER), Buffer.from('deadbeef'), Buffer.from('{}'), Buffer.from('{}'), Buffer.from('{}'), Buffer.from('{}')]);
  const json = ['{not json', '{}', '{}', '{}'].map((s) => Buffer.from(s));
  await k.sendFrames('shell', [Buffer.from(DELIMITER), Buffer.from(k.signer.sign(json)), ...json]);
  const noType = [JSON.stringify({ msg_id: 'x' }), '{}', '{}', '{}'].map((s) => Buffer.from(s));
  await k.sendFrames('shell', [Buffer.from(DELIMITER), Buffer.from(k.signer.sign(noType)), ...noType]);
  await k.sendFrames('control', [Buffer.from('garbage')]);
  expect(content(await k.reply(good('kernel_info_request'))).status).toBe('ok');
  // stderr is a pipe apart from the zmq sockets: the warnings may reach us just after the reply does.
  const warned = [/invalid signature/, /invalid JSON/, /lacks msg_id or msg_type/];
  await k.waitFor(() => (warned.every((w) => w.test(k.stderr)) ? true : undefined), 'the warnings on stderr');
  expect(k.stderr).toMatch(/invalid signature/);
  expect(k.stderr).toMatch(/invalid JSON/);
  expect(k.stderr).toMatch(/lacks msg_id or msg_type/);
  expect(k.process.exitCode).toBeNull();
});

test('an error thrown by a timer after its cell finished is shown in that cell and the kernel lives on', async () => {
  const first = await k.execute('setTimeout(() => { throw new Error("late boom"); }, 50); 1');
  await k.waitFor(() => (k.iopubLog.some((m) => (m.parent_header as C).msg_id === first.msgId && m.header.msg_type === 'stream' && /late boom/.test(content(m).text)) ? true : undefined), 'late error');
  expect(content((await k.execute('2')).reply).status).toBe('ok');
});
