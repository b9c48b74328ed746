/** The wire format in-process: what encode writes for the kernel's messages, read back by decode. */
import { createMessage, decode, DELIMITER, encode, Signer } from '../../kernel/transport/wire';

const signer = new Signer('a-key');
const session = 'kernel-session';
const request = createMessage({ msgType: 'execute_request', channel: 'shell', session: 'client', content: { code: '1+1', silent: false } });
/** As a request arrives: parsed from its frame, not the object the client made. */
const parent = decode(encode(request, signer), signer).message.header;

/** [<IDS|MSG>, signature, header, parent_header, metadata, content]: the parent's frame. */
const parentFrameOf = (frames: Buffer[]) => frames[frames.findIndex((f) => f.toString() === DELIMITER) + 3];

test("a request's replies share one serialised parent header, and each decodes to its own message", () => {
  const busy = encode(createMessage({ msgType: 'status', channel: 'iopub', session, content: { execution_state: 'busy' }, parent }), signer);
  const input = encode(createMessage({ msgType: 'execute_input', channel: 'iopub', session, content: { code: '1+1', execution_count: 1 }, parent }), signer);
  const reply = encode(
    createMessage({ msgType: 'execute_reply', channel: 'shell', session, content: { status: 'ok', execution_count: 1, user_expressions: {}, payload: [] }, parent, metadata: { status: 'ok' } }),
    signer,
    [Buffer.from('peer')],
  );
  // Serialised once for all three (the same frame), not once per message.
  expect(parentFrameOf(input)).toBe(parentFrameOf(busy));
  expect(parentFrameOf(reply)).toBe(parentFrameOf(busy));

  for (const [frames, type] of [
    [busy, 'status'],
    [input, 'execute_input'],
    [reply, 'execute_reply'],
  ] as const) {
    const { message } = decode(frames, signer);
    expect(message.header.msg_type).toBe(type);
    expect(message.parent_header).toEqual(request.header);
  }
  expect(decode(reply, signer).message.metadata).toEqual({ status: 'ok' });
  expect(decode(busy, signer).message.metadata).toEqual({});
  expect(decode(reply, signer).identities.map(String)).toEqual(['peer']);

  // Another request's messages carry that request's header.
  const other = decode(encode(createMessage({ msgType: 'kernel_info_request', channel: 'shell', session: 'client', content: {} }), signer), signer).message.header;
  const info = encode(createMessage({ msgType: 'status', channel: 'iopub', session, content: { execution_state: 'idle' }, parent: other }), signer);
  expect(JSON.parse(parentFrameOf(info).toString())).toEqual(other);
  expect(JSON.parse(parentFrameOf(info).toString()).msg_id).not.toBe(parent.msg_id);
  // No parent, and metadata that only looks empty, are still written as JSON does.
  const orphan = encode({ ...createMessage({ msgType: 'status', channel: 'iopub', session, content: { execution_state: 'idle' } }), parent_header: undefined, metadata: { toJSON: () => ({ x: 1 }) } } as never, signer);
  expect(decode(orphan, signer).message.parent_header).toEqual({});
  expect(decode(orphan, signer).message.metadata).toEqual({ x: 1 });
});

test('header dates are UTC with microseconds, as jupyter_client writes them, and follow the clock', () => {
  const before = Date.now();
  const dates = Array.from({ length: 50 }, () => createMessage({ msgType: 'status', channel: 'iopub', session, content: { execution_state: 'idle' } }).header.date);
  const after = Date.now();
  for (const date of dates) {
    expect(date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const ms = Date.parse(date);
    expect(ms).toBeGreaterThanOrEqual(before - 1);
    expect(ms).toBeLessThanOrEqual(after + 1);
  }
  expect([...dates].sort()).toEqual(dates);
});
