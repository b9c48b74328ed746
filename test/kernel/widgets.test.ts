/**
 * Widgets over the kernel's wire with the real engine: every widget message checked against ipywidgets' schema
 * (helpers/widget-schema.ts); progress() as text until the frontend shows a widget manager, then as a widget bar
 * with a Cancel button that reaches an awaiting cell; show_executor's counts moving.
 */
import { KernelClient, content, result } from './helpers/kernel-client';
import { checkMessage, checkOpenMetadata, checkState, checkView } from './helpers/widget-schema';
import type { Message } from '../../kernel/transport/wire';

const VIEW = 'application/vnd.jupyter.widget-view+json';
let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start({ engine: 'real' });
  // The first cell naming a Node global loads the full @types/node (seconds on a busy machine): not in a timed test.
  await k.execute('await new Promise((r) => setTimeout(r, 1));');
}, 60000);
afterAll(async () => {
  await k?.close();
});

const parentId = (m: Message) => (m.parent_header as { msg_id?: string }).msg_id;
const type = (m: Message) => m.header.msg_type;
const data = (m: Message) => content(m).data as Record<string, any>;
/** The widget comm_opens published for a cell, each checked against the schema. */
function widgetOpens(cell: string): Message[] {
  const opens = k.iopubLog.filter((m) => type(m) === 'comm_open' && parentId(m) === cell && content(m).target_name === 'jupyter.widget');
  for (const m of opens) {
    checkMessage('open', data(m));
    checkOpenMetadata(m.metadata);
    checkState(data(m).state._model_name, data(m).state, true);
  }
  return opens;
}
const modelOf = (open: Message) => data(open).state._model_name as string;
const idOf = (open: Message) => content(open).comm_id as string;
/** comm_msgs the kernel sent on a comm, each checked against the schema. */
function sentOn(commId: string): Array<Record<string, any>> {
  return k.iopubLog
    .filter((m) => type(m) === 'comm_msg' && content(m).comm_id === commId)
    .map((m) => {
      const d = data(m);
      checkMessage(d.method === 'echo_update' ? 'update' : d.method, d);
      return { ...d, parent: parentId(m), buffers: m.buffers };
    });
}
const stream = (cell: string) => k.iopubLog.filter((m) => type(m) === 'stream' && parentId(m) === cell).map((m) => content(m).text).join('');

async function run(code: string): Promise<{ msgId: string; iopub: Message[] }> {
  const { reply, msgId, iopub } = await k.execute(code);
  expect([content(reply).status, content(reply).evalue]).toEqual(['ok', undefined]);
  return { msgId, iopub };
}

let barId = '';
let barCell = '';

test('before the frontend shows a widget manager, progress() is today\'s text and HTML meter, with no comm', async () => {
  const { msgId, iopub } = await run("for (const _ of progress([1, 2, 3], { desc: 'plain', mininterval: 0 })) {}");
  const displays = iopub.filter((m) => type(m) === 'display_data' || type(m) === 'update_display_data');
  expect(displays.length).toBeGreaterThan(0);
  for (const d of displays) expect(Object.keys(data(d)).sort()).toEqual(['text/html', 'text/plain']);
  expect(data(displays[displays.length - 1])['text/plain']).toMatch(/^plain: 100%\|█{10}\| 3\/3 \[00:00<00:00, +[\d.]+it\/s\]$/);
  expect(k.iopubLog.filter((m) => type(m) === 'comm_open' && parentId(m) === msgId)).toEqual([]);
});

test('a widget opens with its full state after the Layout and style it references; display sends the view with text/plain', async () => {
  const { msgId, iopub } = await run("const bar = new widgets.IntProgress({ value: 3, max: 8, description: 'work' });\ndisplay(bar);");
  const opens = widgetOpens(msgId);
  expect(opens.map(modelOf)).toEqual(['LayoutModel', 'ProgressStyleModel', 'IntProgressModel']);
  const state = data(opens[2]).state;
  expect(state).toMatchObject({ value: 3, max: 8, min: 0, description: 'work', layout: `IPY_MODEL_${idOf(opens[0])}`, style: `IPY_MODEL_${idOf(opens[1])}` });
  barId = idOf(opens[2]);
  barCell = msgId;
  const shown = iopub.find((m) => type(m) === 'display_data')!;
  checkView(data(shown)[VIEW]);
  expect(data(shown)).toEqual({ 'text/plain': "IntProgress(description='work', max=8, value=3)", [VIEW]: { version_major: 2, version_minor: 0, model_id: barId } });
});

test('kernel changes go out as update; a frontend update is applied, echoed (parent = its message) and observed; request_state gets everything', async () => {
  await run('bar.value = 5;');
  expect(sentOn(barId).at(-1)).toMatchObject({ method: 'update', state: { value: 5 }, buffer_paths: [] });
  checkState('IntProgressModel', sentOn(barId).at(-1)!.state, false);

  await run("bar.observe((change) => print(`observed ${change.name}: ${change.old} -> ${change.new}`), 'value');");
  const update = k.send('shell', 'comm_msg', { comm_id: barId, data: { method: 'update', state: { value: 7 }, buffer_paths: [] } });
  const echo = await k.waitFor(() => sentOn(barId).find((d) => d.method === 'echo_update'), 'echo_update');
  expect(echo).toMatchObject({ state: { value: 7 }, buffer_paths: [], parent: update });
  // The widget's handlers print where the widget was made.
  await k.waitFor(() => (stream(barCell).includes('observed') ? true : undefined), 'the observer');
  expect(stream(barCell)).toBe('observed value: 5 -> 7\n');
  const { iopub } = await run('bar.value');
  expect(content(iopub.find((m) => type(m) === 'execute_result')!).data['text/plain']).toBe('7');

  // Out of range: echoed as sent, then the clamped value as an update (ipywidgets' order).
  const tooBig = k.send('shell', 'comm_msg', { comm_id: barId, data: { method: 'update', state: { value: 99 }, buffer_paths: [] } });
  await k.waitFor(() => sentOn(barId).find((d) => d.parent === tooBig), 'the echo of 99');
  await k.waitFor(() => (sentOn(barId).at(-1)?.state?.value === 8 ? true : undefined), 'the clamped value');
  const afterEcho = sentOn(barId).slice(sentOn(barId).findIndex((d) => d.parent === tooBig));
  expect(afterEcho.map((d) => [d.method, d.state])).toEqual([['echo_update', { value: 99 }], ['update', { value: 8 }]]);
  await run('bar.value = 7;');

  const before = sentOn(barId).length;
  k.send('shell', 'comm_msg', { comm_id: barId, data: { method: 'request_state' } });
  const full = await k.waitFor(() => sentOn(barId)[before], 'the full state');
  expect(full.method).toBe('update');
  checkState('IntProgressModel', full.state, true);
  expect(full.state).toMatchObject({ value: 7, max: 8 });
});

test("a Button's click (custom event) runs its on_click in the button's cell; custom messages carry buffers", async () => {
  const { msgId } = await run("const go = new widgets.Button({ description: 'Go' });\ngo.on_click((b) => print('clicked', b.description));\ndisplay(go);");
  const button = widgetOpens(msgId).find((m) => modelOf(m) === 'ButtonModel')!;
  const click = { method: 'custom', content: { event: 'click' } };
  checkMessage('custom', click);
  k.send('shell', 'comm_msg', { comm_id: idOf(button), data: click });
  await k.waitFor(() => (stream(msgId) ? true : undefined), 'the click handler');
  expect(stream(msgId)).toBe('clicked Go\n');
  await run('go.send({ hello: 1 }, [new Uint8Array([4, 5])]);');
  const custom = sentOn(idOf(button)).at(-1)!;
  expect(custom).toMatchObject({ method: 'custom', content: { hello: 1 } });
  expect([...(custom.buffers as Buffer[])[0]]).toEqual([4, 5]);
});

test('HBox, VBox, HTML, Label and FloatProgress open with schema-valid states and children as references', async () => {
  const { msgId } = await run("const box = new widgets.VBox([new widgets.HBox([new widgets.Label({ value: 'a' }), new widgets.HTML({ value: '<b>b</b>' })]), new widgets.FloatProgress({ value: 0.5, max: 1 })]);");
  const opens = widgetOpens(msgId);
  const byModel = (name: string) => opens.filter((m) => modelOf(m) === name);
  for (const name of ['LabelModel', 'LabelStyleModel', 'HTMLModel', 'HTMLStyleModel', 'HBoxModel', 'VBoxModel', 'FloatProgressModel']) expect(byModel(name)).toHaveLength(1);
  const ref = (m: Message) => `IPY_MODEL_${idOf(m)}`;
  expect(data(byModel('HBoxModel')[0]).state.children).toEqual([ref(byModel('LabelModel')[0]), ref(byModel('HTMLModel')[0])]);
  expect(data(byModel('VBoxModel')[0]).state.children).toEqual([ref(byModel('HBoxModel')[0]), ref(byModel('FloatProgressModel')[0])]);
  // Referenced models are opened before the model that references them.
  const order = opens.map(idOf);
  expect(order.indexOf(idOf(byModel('HBoxModel')[0]))).toBeGreaterThan(order.indexOf(idOf(byModel('HTMLModel')[0])));
});

test('jupyter.widget.control: request_states answers update_states with every open widget (and marks a widget frontend)', async () => {
  // A comm_info_request for jupyter.widget (ipywidgets 6's protocol-1 manager sends one too) is not enough.
  expect(content(await k.reply(k.send('shell', 'comm_info_request', { target_name: 'jupyter.widget' }))).comms).toEqual(
    Object.fromEntries(k.iopubLog.filter((m) => type(m) === 'comm_open' && content(m).target_name === 'jupyter.widget').map((m) => [idOf(m), { target_name: 'jupyter.widget' }])),
  );
  expect(result((await run('widgets.frontend_has_widgets()')).iopub)).toBe('False');
  k.send('shell', 'comm_open', { comm_id: 'control-1', target_name: 'jupyter.widget.control', data: {} }, { version: '1.0.0' });
  const request = { method: 'request_states' };
  checkMessage('request_states', request);
  k.send('shell', 'comm_msg', { comm_id: 'control-1', data: request });
  const answer = await k.waitFor(() => k.iopubLog.find((m) => type(m) === 'comm_msg' && content(m).comm_id === 'control-1'), 'update_states');
  checkMessage('update_states', data(answer));
  const states = data(answer).states as Record<string, { model_name: string; state: Record<string, unknown> }>;
  for (const s of Object.values(states)) checkState(s.model_name, s.state, true);
  expect(states[barId]).toMatchObject({ model_name: 'IntProgressModel', model_module: '@jupyter-widgets/controls', model_module_version: '2.0.0', state: { value: 7 } });
  expect(result((await run('widgets.frontend_has_widgets()')).iopub)).toBe('True');
});

test('with a widget frontend, progress over 8 tasks is a widget bar reaching 8/8 whose output ends as the text meter', async () => {
  const { msgId, iopub } = await run(
    "const exG = new ThreadPoolExecutor(2);\nconst fsG = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => exG.submit(async (x: number) => { await new Promise((r) => setTimeout(r, 100)); return x; }, i));\nfor await (const f of progress(fsG, { desc: 'lecture' })) await f.result();\nawait exG.shutdown();",
  );
  const opens = widgetOpens(msgId);
  const bar = opens.find((m) => modelOf(m) === 'IntProgressModel')!;
  const box = opens.find((m) => modelOf(m) === 'HBoxModel')!;
  expect(data(bar).state).toMatchObject({ min: 0, max: 8 });
  expect(opens.some((m) => modelOf(m) === 'ButtonModel')).toBe(true);
  const shown = iopub.find((m) => type(m) === 'display_data')!;
  checkView(data(shown)[VIEW]);
  expect(data(shown)[VIEW].model_id).toBe(idOf(box));
  expect(data(shown)['text/plain']).toMatch(/^lecture: {3}0%/);
  const updates = sentOn(idOf(bar)).filter((d) => d.method === 'update');
  for (const u of updates) checkState('IntProgressModel', u.state, false);
  expect(Object.assign({}, ...updates.map((u) => u.state))).toMatchObject({ value: 8, bar_style: 'success' });
  const final = iopub.filter((m) => type(m) === 'update_display_data');
  expect(final).toHaveLength(1);
  expect(data(final[0])['text/plain']).toMatch(/^lecture: 100%\|█{10}\| 8\/8 /);
  expect(data(final[0])[VIEW].model_id).toBe(idOf(box));
});

test('a fast loop updates the widget bar at most ~10 times a second', async () => {
  const { msgId } = await run("async function* ticks() { for (let i = 0; i < 500; i++) { await new Promise((r) => setTimeout(r, 2)); yield i; } }\nfor await (const _ of progress(ticks(), { total: 500, desc: 'fast' })) {}");
  const bar = widgetOpens(msgId).find((m) => modelOf(m) === 'IntProgressModel')!;
  const valueUpdates = k.iopubLog.filter((m) => type(m) === 'comm_msg' && content(m).comm_id === idOf(bar) && data(m).method === 'update' && 'value' in data(m).state);
  const times = valueUpdates.map((m) => Date.parse(m.header.date));
  const seconds = (times.at(-1)! - times[0]) / 1000;
  expect(data(valueUpdates.at(-1)!).state.value).toBe(500);
  expect(valueUpdates.length).toBeGreaterThan(2);
  expect(valueUpdates.length).toBeLessThanOrEqual(Math.floor(seconds * 10) + 2);
});

test('Cancel, clicked while the cell awaits, cancels the pending futures; the bar says how many; the kernel goes idle', async () => {
  const cell = k.send('shell', 'execute_request', {
    code:
      "const exH = new ThreadPoolExecutor(1);\nconst fsH = [0, 1, 2, 3, 4, 5].map((i) => exH.submit(async (x: number) => { await new Promise((r) => setTimeout(r, 300)); return x; }, i));\nlet okH = 0, cancelledH = 0;\nfor await (const f of progress(fsH, { desc: 'cancel me' })) { if (f.cancelled()) cancelledH++; else okH++; }\nprint(`ok ${okH} cancelled ${cancelledH}`);\nawait exH.shutdown();",
    silent: false,
  });
  const button = await k.waitFor(() => k.iopubLog.find((m) => type(m) === 'comm_open' && parentId(m) === cell && data(m).state?._model_name === 'ButtonModel'), 'the Cancel button');
  expect(data(button).state.description).toBe('Cancel');
  k.send('shell', 'comm_msg', { comm_id: idOf(button), data: { method: 'custom', content: { event: 'click' } } });
  expect(content(await k.reply(cell, 'shell', 20000)).status).toBe('ok');
  const iopub = await k.iopubFor(cell); // status idle arrived
  const [, ok, cancelled] = /ok (\d+) cancelled (\d+)/.exec(stream(cell))!.map(Number);
  expect(ok + cancelled).toBe(6);
  expect(cancelled).toBeGreaterThanOrEqual(3);
  expect(sentOn(idOf(button)).some((d) => d.method === 'update' && d.state.disabled === true)).toBe(true);
  const final = iopub.filter((m) => type(m) === 'update_display_data').at(-1)!;
  expect(data(final)['text/plain']).toContain(`6/6 `);
  expect(data(final)['text/plain']).toMatch(new RegExp(`\\(${cancelled} cancelled\\)$`));
  expect(content(await k.reply(k.send('shell', 'kernel_info_request', {}))).status).toBe('ok');
});

test('show_executor shows the counts moving and one row per worker until the executor is shut down', async () => {
  const { msgId } = await run(
    "const exI = new ThreadPoolExecutor(2);\nshow_executor(exI);\nconst fsI = [1, 2, 3, 4, 5, 6].map((i) => exI.submit(async function step(x: number) { await new Promise((r) => setTimeout(r, 250)); return x; }, i));\nawait exI.shutdown();",
  );
  const final = await k.waitFor(() => k.iopubLog.find((m) => type(m) === 'update_display_data' && parentId(m) === msgId && String(data(m)['text/plain']).includes('shut down')), 'the final view');
  expect(data(final)['text/plain']).toMatch(/^ThreadPoolExecutor \(shut down\): pending 0, running 0, finished 6, cancelled 0, raised 0\n {2}worker 0: idle, \d done\n {2}worker 1: idle, \d done$/);
  const opens = widgetOpens(msgId);
  const counts = opens.filter((m) => modelOf(m) === 'HTMLModel')[0];
  const finished = sentOn(idOf(counts)).filter((d) => typeof d.state.value === 'string').map((d) => Number(/<b>(\d+)<\/b> finished/.exec(d.state.value)![1]));
  expect(finished[0]).toBeLessThan(6);
  expect(finished.at(-1)).toBe(6);
  expect(new Set(finished).size).toBeGreaterThanOrEqual(3); // it moved through intermediate counts
  const rows = sentOn(idOf(opens.filter((m) => modelOf(m) === 'HTMLModel')[1])).map((d) => String(d.state.value));
  expect(rows.some((v) => /step #\d/.test(v))).toBe(true);
});

test('comms and widgets are typed in cells', async () => {
  const bad = await k.execute("comms.register_target(1, () => {});");
  expect(content(bad.reply)).toMatchObject({ status: 'error', ename: 'TSError' });
  expect(content(bad.reply).evalue).toMatch(/^TS2345: /);
  const wrong = await k.execute('const typedBar: widgets.IntProgress = new widgets.IntProgress();\nconst notText: string = typedBar.value;');
  expect(content(wrong.reply).evalue).toMatch(/^TS2322: Type 'number' is not assignable to type 'string'/);
  await run("const typedComm: Comm = comms.open('typed.target', { n: 1 });\nconst target: string = typedComm.target_name;");
});
