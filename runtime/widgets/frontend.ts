/**
 * Whether the frontend renders widgets, and the `jupyter.widget.control` target (control protocol 1.0).
 *
 * The rule: a frontend has a widget manager once it has shown it speaks the widget protocol, i.e. it opened a comm
 * to `jupyter.widget.control` (JupyterLab's and Notebook 7's manager do so as soon as they connect, to fetch all
 * widget states) or sent a comm_info_request for `jupyter.widget` (older managers, and the newer ones' fallback).
 * nbclient, nbval, `tsfutures run` and the classic Notebook without ipywidgets do neither, and get text.
 * TSFUTURES_WIDGETS=1 / 0 overrides the rule either way.
 */
import { comms } from '../comm/manager';
import type { Comm } from '../comm/comm';
import { openWidgets } from './widget';
import { removeBuffers } from './buffers';

export const CONTROL_TARGET = 'jupyter.widget.control';

let seen = false;
const listeners: Array<() => void> = [];

/** True when widgets will be rendered: see the rule above. */
export function frontend_has_widgets(): boolean {
  const forced = process.env.TSFUTURES_WIDGETS;
  if (forced === '1' || forced === '0') return forced === '1' && comms.connected;
  return seen && comms.connected;
}

/** `listener()` once the frontend turns out to have a widget manager (a progress bar switches to its widget). */
export function onWidgetFrontend(listener: () => void): () => void {
  listeners.push(listener);
  return () => {
    const i = listeners.indexOf(listener);
    if (i >= 0) listeners.splice(i, 1);
  };
}

comms._onFrontendTarget((target) => {
  if (seen || (target !== CONTROL_TARGET && target !== 'jupyter.widget')) return;
  seen = true;
  for (const listener of listeners.splice(0)) listener();
});

/** request_states: every open widget's state in one `update_states` message, buffers gathered over all of them. */
function answerControl(comm: Comm): void {
  comm.on_msg((msg) => {
    if ((msg.content.data as { method?: unknown })?.method !== 'request_states') return;
    const states: Record<string, unknown> = {};
    for (const w of openWidgets()) {
      const state = w._json_state();
      states[w.model_id] = { model_name: state._model_name, model_module: state._model_module, model_module_version: state._model_module_version, state };
    }
    const { state, buffer_paths, buffers } = removeBuffers(states);
    comm.send({ method: 'update_states', states: state, buffer_paths }, {}, buffers, msg.header);
  });
}

comms.register_target(CONTROL_TARGET, answerControl);
