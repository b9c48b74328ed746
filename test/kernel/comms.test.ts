/** Comms over the kernel's wire (fake engine): both directions with buffers, comm_info, errors, cells that await. */
import { KernelClient, content } from './helpers/kernel-client';
import type { Message } from '../../kernel/transport/wire';

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
});
afterAll(async () => {
  await k?.close();
});

const parentId = (m: Message) => (m.parent_header as { msg_id?: string }).msg_id;
const bytes = (m: Message, i: number) => [...new Uint8Array((m.buffers as ArrayBufferView[])[i].buffer, (m.buffers as ArrayBufferView[])[i].byteOffset, (m.buffers as ArrayBufferView[])[i].byteLength)];
const commMsgs = (commId: string, type = 'comm_msg') => k.iopubLog.filter((m) => m.header.msg_type === type && content(m).comm_id === commId);
/** stream text published with `msgId` as parent, of the given stream name. */
const streamOf = (msgId: string, name: string) =>
  k.iopubLog.filter((m) => m.header.msg_type === 'stream' && parentId(m) === msgId && content(m).name === name).map((m) => content(m).text).join('');

async function ok(code: string): Promise<string> {
  const { reply, msgId } = await k.execute(code);
  expect(content(reply)).toMatchObject({ status: 'ok' });
  return msgId;
}

test('a cell opens a comm with data, metadata and buffers; the frontend answers with a buffer and gets it back', async () => {
  const cell = await ok(`
    globalThis.c1 = comms.open('my.target', {hello: 'frontend'}, {m: 1}, [new Uint8Array([1, 2, 3])]);
    c1.on_msg((m) => c1.send({echo: m.content.data, n: m.buffers.length}, {}, [m.buffers[0]]));
    undefined`);
  const open = k.iopubLog.find((m) => m.header.msg_type === 'comm_open' && parentId(m) === cell)!;
  expect(content(open)).toMatchObject({ target_name: 'my.target', data: { hello: 'frontend' } });
  expect(open.metadata).toEqual({ m: 1 });
  expect(bytes(open, 0)).toEqual([1, 2, 3]);
  const commId = content(open).comm_id;
  expect(commId).toMatch(/^[0-9a-f]{32}$/);

  k.send('shell', 'comm_msg', { comm_id: commId, data: { x: 42 } }, {}, [Buffer.from([9, 8, 7, 6])]);
  const echoed = await k.waitFor(() => commMsgs(commId)[0], 'the echo');
  expect(content(echoed).data).toEqual({ echo: { x: 42 }, n: 1 });
  expect(bytes(echoed, 0)).toEqual([9, 8, 7, 6]);

  await ok('c1.close({bye: true})');
  expect(content(await k.waitFor(() => commMsgs(commId, 'comm_close')[0], 'comm_close')).data).toEqual({ bye: true });
});

test('the frontend opens a comm to a target registered in a cell; messages, buffers and close reach its handlers, output goes to that cell', async () => {
  const cell = await ok(`
    comms.register_target('echo', (comm, open) => {
      console.log('opened with', JSON.stringify(open.content.data));
      comm.on_msg((m) => comm.send(m.content.data, {}, m.buffers));
      comm.on_close((m) => console.log('closed', JSON.stringify(m.content.data)));
    })`);
  await ok('1 + 1'); // a later cell: the handlers' output must still go to the registering one
  k.send('shell', 'comm_open', { comm_id: 'front-1', target_name: 'echo', data: { v: 1 } });
  k.send('shell', 'comm_msg', { comm_id: 'front-1', data: { ping: 'pong' } }, {}, [Buffer.from('abc'), Buffer.from([0, 255])]);
  const echoed = await k.waitFor(() => commMsgs('front-1')[0], 'echo');
  expect(content(echoed).data).toEqual({ ping: 'pong' });
  expect([bytes(echoed, 0), bytes(echoed, 1)]).toEqual([[97, 98, 99], [0, 255]]);
  k.send('shell', 'comm_close', { comm_id: 'front-1', data: { why: 'done' } });
  await k.waitFor(() => (streamOf(cell, 'stdout').includes('closed') ? true : undefined), 'on_close output');
  expect(streamOf(cell, 'stdout')).toBe('opened with {"v":1}\nclosed {"why":"done"}\n');
});

test('comm_info_request lists the open comms, filtered by target_name', async () => {
  await ok(`globalThis.a1 = comms.open('info.a'); globalThis.a2 = comms.open('info.a'); globalThis.b1 = comms.open('info.b'); undefined`);
  const opened = (t: string) => k.iopubLog.filter((m) => m.header.msg_type === 'comm_open' && content(m).target_name === t).map((m) => content(m).comm_id);
  const infoA = content(await k.reply(k.send('shell', 'comm_info_request', { target_name: 'info.a' })));
  expect(infoA.status).toBe('ok');
  expect(infoA.comms).toEqual(Object.fromEntries(opened('info.a').map((id) => [id, { target_name: 'info.a' }])));
  expect(Object.keys(infoA.comms)).toHaveLength(2);
  const all = content(await k.reply(k.send('shell', 'comm_info_request', {})));
  expect(all.comms).toMatchObject({ [opened('info.b')[0]]: { target_name: 'info.b' }, [opened('info.a')[0]]: { target_name: 'info.a' } });
  await ok('b1.close()');
  const afterClose = content(await k.reply(k.send('shell', 'comm_info_request', { target_name: 'info.b' })));
  expect(afterClose.comms).toEqual({});
});

test('a comm_msg for an unknown comm id is logged and the kernel goes on; a comm_open to an unknown target is closed again', async () => {
  k.send('shell', 'comm_msg', { comm_id: 'no-such-comm', data: {} });
  const open = k.send('shell', 'comm_open', { comm_id: 'to-nowhere', target_name: 'nobody.home', data: {} });
  const closed = await k.waitFor(() => k.iopubLog.find((m) => m.header.msg_type === 'comm_close' && parentId(m) === open), 'comm_close');
  expect(content(closed).comm_id).toBe('to-nowhere');
  await ok('1');
  // The kernel's log reaches its stderr pipe on its own schedule, not in order with iopub.
  for (let i = 0; i < 100 && !k.stderr.includes('no-such-comm'); i++) await new Promise((r) => setTimeout(r, 20));
  expect(k.stderr).toContain('comm_msg for unknown comm id no-such-comm: dropped');
  expect(k.stderr).toContain('comm_open for unknown target "nobody.home" (comm to-nowhere): closing it');
});

test("a handler that throws shows its error in the cell that registered it, and the kernel lives on", async () => {
  const cell = await ok(`comms.register_target('boom', (comm) => comm.on_msg(() => { throw new RangeError('kaput'); }))`);
  k.send('shell', 'comm_open', { comm_id: 'boom-1', target_name: 'boom', data: {} });
  k.send('shell', 'comm_msg', { comm_id: 'boom-1', data: {} });
  await k.waitFor(() => (streamOf(cell, 'stderr').includes('kaput') ? true : undefined), 'the error in the registering cell');
  expect(streamOf(cell, 'stderr')).toMatch(/^Exception in comm_msg for comm boom-1 \(target 'boom'\):\nRangeError: kaput\n/);
  await ok(`comms.register_target('boom-async', (comm) => comm.on_msg(async () => { await null; throw new TypeError('later'); }))`);
  k.send('shell', 'comm_open', { comm_id: 'boom-2', target_name: 'boom-async', data: {} });
  k.send('shell', 'comm_msg', { comm_id: 'boom-2', data: {} });
  await k.waitFor(() => (k.iopubLog.some((m) => m.header.msg_type === 'stream' && String(content(m).text).includes('TypeError: later')) ? true : undefined), 'the async error');
  expect(await k.heartbeat()).toBe(true);
  await ok('2');
});

test('a comm message is handled while a cell awaits (it does not wait behind the cell)', async () => {
  await ok(`comms.register_target('release', (comm) => comm.on_msg((m) => globalThis.releaseCell(m.content.data.value)))`);
  const waiting = k.send('shell', 'execute_request', { code: 'new Promise((resolve) => { globalThis.releaseCell = resolve; })', silent: false });
  await k.waitForIopub(waiting, 'execute_input');
  k.send('shell', 'comm_open', { comm_id: 'release-1', target_name: 'release', data: {} });
  k.send('shell', 'comm_msg', { comm_id: 'release-1', data: { value: 'released' } });
  const reply = await k.reply(waiting, 'shell', 10000);
  expect(content(reply).status).toBe('ok');
  const iopub = await k.iopubFor(waiting);
  expect(content(iopub.find((m) => m.header.msg_type === 'execute_result')!).data['text/plain']).toBe("'released'");
  // Handled aside, the comm messages published no idle of their own while the cell ran.
  const statuses = k.iopubLog.filter((m) => m.header.msg_type === 'status' && content(m).execution_state === 'idle' && ['release-1'].includes(String(parentId(m))));
  expect(statuses).toEqual([]);
});

test('comms.open without data sends empty objects; sending on a closed comm is a clear error', async () => {
  const { reply } = await k.execute(`const c9 = comms.open('t9'); c9.close(); c9.send({})`);
  expect(content(reply)).toMatchObject({ status: 'error', ename: 'Error' });
  expect(content(reply).evalue).toMatch(/cannot send on comm [0-9a-f]{32} \(target 't9'\): it is closed/);
});
