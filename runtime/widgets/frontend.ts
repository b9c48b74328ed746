/**
 * Whether the frontend renders widgets, and the `jupyter.widget.control` target (control protocol 1.0).
 *
 * The rule: a frontend has a widget manager once it has opened a comm to `jupyter.widget.control`, which the
 * managers of ipywidgets 7.7 and later (JupyterLab's jupyterlab-manager, Notebook 7, Voila, VS Code) do as soon as they
 * connect, to fetch all widget states. Those speak the protocol 2.1 these widgets need. A comm_info_request for
 * `jupyter.widget` does not count: older managers send it too, among them ipywidgets 6's (protocol 1, Debian's classic
 * Notebook extension), which cannot render these models; a `jupyter.widget.version` comm (protocol 1) is closed.
 * nbclient, nbval and `tsfutures run` do neither, and get text. TSFUTURES_WIDGETS=1 / 0 overrides the rule.
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
  if (seen || target !== CONTROL_TARGET) return;
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
