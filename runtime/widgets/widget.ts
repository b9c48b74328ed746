/**
 * The widget model layer (ipywidgets message protocol 2.1): a Widget is a bag of state mirrored by a model in the
 * frontend's widget manager over one `jupyter.widget` comm. Setting a trait sends `update`; the frontend's `update`
 * is applied, echoed back as `echo_update` (parent: the frontend's message, as the protocol asks) and reported to
 * observers; `request_state` gets the whole state; `custom` messages go to on_msg handlers. Without a kernel a widget
 * keeps its state locally and displays as text.
 */
import { randomUUID } from 'node:crypto';
import { comms } from '../comm/manager';
import type { Comm, CommMessage } from '../comm/comm';
import { REPR, repr } from '../python/repr';
import { AttributeError } from '../python/errors';
import { putBuffers, removeBuffers } from './buffers';

export const PROTOCOL_VERSION = '2.1.0';
export const WIDGET_TARGET = 'jupyter.widget';
export const VIEW_MIMETYPE = 'application/vnd.jupyter.widget-view+json';
const REF = 'IPY_MODEL_';

export interface Change<T = unknown> {
  name: string;
  old: T;
  new: T;
  owner: Widget;
  type: 'change';
}
export type ChangeHandler = (change: Change<any>) => unknown;
export type CustomHandler = (widget: Widget, content: any, buffers: Uint8Array[]) => unknown;

type State = Record<string, unknown>;

/** Open widgets by model id: the frontend names them in references (`IPY_MODEL_<id>`) and asks for all their states. */
const instances = new Map<string, Widget>();

export function openWidgets(): Iterable<Widget> {
  return instances.values();
}

/** Declares get/set accessors for the traits a widget class syncs (fields stay `declare`d in the class). */
export function defineTraits(cls: { prototype: object }, names: readonly string[]): void {
  for (const name of names) {
    Object.defineProperty(cls.prototype, name, {
      get(this: Widget) {
        return this.get(name);
      },
      set(this: Widget, value: unknown) {
        this.set(name, value);
      },
      configurable: true,
    });
  }
}

function toJson(value: unknown): unknown {
  if (value instanceof Widget) return REF + value.model_id;
  if (Array.isArray(value)) return value.map(toJson);
  return value;
}

function fromJson(value: unknown): unknown {
  if (typeof value === 'string' && value.startsWith(REF)) return instances.get(value.slice(REF.length)) ?? value;
  if (Array.isArray(value)) return value.map(fromJson);
  return value;
}

const same = (a: unknown, b: unknown) => a === b || (Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i]));

export class Widget {
  /** The comm id, which the frontend uses as the model id. */
  readonly model_id: string;
  /** The comm to the frontend's model; undefined without a kernel or once closed. */
  comm: Comm | undefined;
  private readonly state: State;
  private readonly defaults: State;
  private readonly observers: Array<{ handler: ChangeHandler; names: ReadonlySet<string> | undefined }> = [];
  private readonly customHandlers: CustomHandler[] = [];
  /** Keys changed inside hold_sync, sent as one update when it ends. */
  private held: Set<string> | undefined;

  /**
   * `defaults`: every synced key with its default (model and view names included); `options`: the caller's values
   * for public keys; `children`: factories for widget-valued defaults (layout, style) not given in options.
   */
  protected constructor(defaults: State, options: object = {}, children: Record<string, () => Widget> = {}) {
    this.defaults = defaults;
    this.state = { ...defaults };
    for (const [key, value] of Object.entries(options)) {
      if (!Object.hasOwn(defaults, key) || key.startsWith('_')) throw new TypeError(`${this.constructor.name}() got an unexpected keyword argument '${key}'`);
      this.state[key] = value;
    }
    for (const [key, make] of Object.entries(children)) if (!Object.hasOwn(options, key)) this.state[key] = make();
    this.validateAll();
    if (comms.connected) {
      const { state, buffer_paths, buffers } = this.wireState();
      this.comm = comms.open(WIDGET_TARGET, { state, buffer_paths }, { version: PROTOCOL_VERSION }, buffers);
      this.model_id = this.comm.comm_id;
      this.comm.on_msg((msg) => this.receive(msg));
      this.comm.on_close(() => this.forget());
      instances.set(this.model_id, this);
    } else {
      this.model_id = randomUUID().replace(/-/g, '');
    }
  }

  /** Subclasses keep their invariants here (a progress bar's value within [min, max]); called after every change. */
  protected validateAll(): void {}

  get(key: string): any {
    return this.state[key];
  }

  /** Sets one trait: sent to the frontend as `update` and reported to observers, if it changed. */
  set(key: string, value: unknown): void {
    if (!Object.hasOwn(this.defaults, key)) throw new AttributeError(`'${this.constructor.name}' object has no trait '${key}'`);
    const changed = this.change(() => (this.state[key] = value));
    if (!changed.length) return;
    if (this.held) for (const [k] of changed) this.held.add(k);
    else this.sendState(changed.map(([k]) => k));
    this.notifyAll(changed);
  }

  /** For validateAll: writes a trait without sending or notifying (the change it is part of does both). */
  protected setQuietly(key: string, value: unknown): void {
    this.state[key] = value;
  }

  /** Applies `mutate` and the invariants; returns the keys whose value changed, with their old values. */
  private change(mutate: () => void): Array<[string, unknown]> {
    const before = { ...this.state };
    mutate();
    this.validateAll();
    return Object.keys(this.state).filter((k) => !same(before[k], this.state[k])).map((k) => [k, before[k]]);
  }

  private notifyAll(changed: Array<[string, unknown]>): void {
    for (const [key, old] of changed) this.notify(key, old, this.state[key]);
  }

  /** Every synced key and its value (references as widgets). */
  get_state(keys?: readonly string[]): State {
    const out: State = {};
    for (const key of keys ?? Object.keys(this.state)) out[key] = this.state[key];
    return out;
  }

  /** Runs fn, sending the changes it makes as one update message (ipywidgets' hold_sync). */
  hold_sync<T>(fn: () => T): T {
    if (this.held) return fn();
    const held = (this.held = new Set());
    try {
      return fn();
    } finally {
      this.held = undefined;
      if (held.size) this.sendState([...held]);
    }
  }

  /** `handler(change)` after a trait in `names` (all when omitted) changes, here or in the frontend. */
  observe(handler: ChangeHandler, names?: string | readonly string[]): void {
    this.observers.push({ handler, names: names === undefined ? undefined : new Set(typeof names === 'string' ? [names] : names) });
  }

  unobserve(handler: ChangeHandler): void {
    const i = this.observers.findIndex((o) => o.handler === handler);
    if (i >= 0) this.observers.splice(i, 1);
  }

  /** A custom message to the frontend's model. */
  send(content: unknown, buffers: ArrayBufferView[] = []): void {
    this.comm?.send({ method: 'custom', content }, {}, buffers);
  }

  /** `handler(widget, content, buffers)` for the frontend's custom messages. */
  on_msg(handler: CustomHandler): void {
    this.customHandlers.push(handler);
  }

  /** Closes the comm: the frontend's views of this widget go away. */
  close(): void {
    const comm = this.comm;
    this.forget();
    comm?.close();
  }

  /** How display() shows a widget: the view for a widget manager, ipywidgets' text repr for everyone else. */
  _repr_mimebundle_(): Record<string, unknown> {
    let text = this[REPR]();
    if (text.length > 110) text = text.slice(0, 110) + '…';
    const data: Record<string, unknown> = { 'text/plain': text };
    if (this.comm) data[VIEW_MIMETYPE] = { version_major: 2, version_minor: 0, model_id: this.model_id };
    return data;
  }

  /** ipywidgets' repr: the public traits that differ from their defaults, sorted (a default layout or style left out). */
  [REPR](): string {
    const keys = Object.keys(this.state)
      .filter((k) => !k.startsWith('_') && !same(this.state[k], this.defaults[k]))
      .filter((k) => !(this.state[k] instanceof Widget && (this.state[k] as Widget)[REPR]() === `${(this.state[k] as Widget).constructor.name}()`))
      .sort();
    return `${this.constructor.name}(${keys.map((k) => `${k}=${repr(this.state[k])}`).join(', ')})`;
  }

  /** @internal The state as the wire has it: references as `IPY_MODEL_<id>`, binary values still in place. */
  _json_state(keys?: readonly string[]): State {
    const json: State = {};
    for (const key of keys ?? Object.keys(this.state)) json[key] = toJson(this.state[key]);
    return json;
  }

  private wireState(keys?: readonly string[]): { state: State; buffer_paths: Array<Array<string | number>>; buffers: Uint8Array[] } {
    return removeBuffers(this._json_state(keys));
  }

  private sendState(keys?: readonly string[]): void {
    if (!this.comm || this.comm.closed) return;
    const { state, buffer_paths, buffers } = this.wireState(keys);
    this.comm.send({ method: 'update', state, buffer_paths }, {}, buffers);
  }

  private notify(name: string, old: unknown, now: unknown): void {
    for (const { handler, names } of [...this.observers]) {
      if (!names || names.has(name)) handler({ name, old, new: now, owner: this, type: 'change' });
    }
  }

  private receive(msg: CommMessage): void {
    const data = (msg.content.data ?? {}) as { method?: string; state?: State; buffer_paths?: unknown; content?: unknown };
    if (data.method === 'update' && data.state && typeof data.state === 'object') {
      const incoming = { ...data.state };
      putBuffers(incoming, data.buffer_paths, msg.buffers);
      const keys = Object.keys(incoming).filter((k) => Object.hasOwn(this.defaults, k));
      const changed = this.change(() => {
        for (const key of keys) this.state[key] = fromJson(incoming[key]);
      });
      // Echoed as received, as ipywidgets does, so every frontend learns the order of this change among the kernel's;
      // what the invariants made of it (a value clamped into range) follows as a plain update.
      if (this.comm && !this.comm.closed && keys.length) {
        const echo = removeBuffers(Object.fromEntries(keys.map((k) => [k, incoming[k]])));
        this.comm.send({ method: 'echo_update', state: echo.state, buffer_paths: echo.buffer_paths }, {}, echo.buffers, msg.header);
      }
      const corrected = changed.map(([k]) => k).filter((k) => !keys.includes(k) || !same(fromJson(incoming[k]), this.state[k]));
      if (corrected.length) this.sendState(corrected);
      this.notifyAll(changed);
    } else if (data.method === 'request_state') {
      this.sendState();
    } else if (data.method === 'custom') {
      this.handleCustom(data.content, msg.buffers);
    }
  }

  /** Custom content from the frontend (Button overrides it for clicks). */
  protected handleCustom(content: unknown, buffers: Uint8Array[]): void {
    for (const handler of [...this.customHandlers]) handler(this, content, buffers);
  }

  private forget(): void {
    instances.delete(this.model_id);
    this.comm = undefined;
  }
}
