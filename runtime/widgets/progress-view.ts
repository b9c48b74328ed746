/**
 * progress()'s bar as widgets, laid out as tqdm.notebook's: HBox[HTML(desc and percent), IntProgress, HTML(count,
 * elapsed<ETA, rate)], plus a Cancel button when the bar watches futures. The caller (timeline/progress.ts) decides
 * when to draw (throttled); this only turns a state into widget traits.
 */
import { Button, HBox, HTML, IntProgress, Layout } from './controls';
import { VIEW_MIMETYPE } from './widget';
import { meterParts, type ProgressState } from '../timeline/progress-format';

export type ProgressPhase = 'running' | 'done' | 'stopped' | 'error';

/** What a Cancel click needs of a future (the runtime's Future, or anything with its API). */
export interface Cancellable {
  done(): boolean;
  cancel(): boolean;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export class ProgressView {
  readonly left = new HTML();
  readonly bar: IntProgress;
  readonly right = new HTML();
  readonly cancelButton: Button | undefined;
  readonly box: HBox;
  /** How many watched futures the Cancel button cancelled (running or finished ones cannot be). */
  cancelled = 0;

  constructor(total: number | undefined, watched: readonly Cancellable[] | undefined, private readonly redraw: () => void) {
    // Unknown total: a full bar in 'info' style, as tqdm.notebook shows one.
    this.bar = total === undefined ? new IntProgress({ min: 0, max: 1, value: 1, bar_style: 'info' }) : new IntProgress({ min: 0, max: total });
    const children: Array<HTML | IntProgress | Button> = [this.left, this.bar, this.right];
    if (watched?.length) {
      const button = (this.cancelButton = new Button({ description: 'Cancel', icon: 'stop', button_style: 'warning', tooltip: 'Cancel the futures that have not started', layout: new Layout({ width: 'auto' }) }));
      button.on_click(() => {
        for (const f of watched) if (!f.done() && f.cancel()) this.cancelled++;
        button.disabled = true;
        this.redraw();
      });
      children.push(button);
    }
    this.box = new HBox({ children, layout: new Layout({ display: 'inline-flex', flex_flow: 'row wrap', align_items: 'center' }) });
  }

  /** Sends the state to the frontend's models in one update per widget. */
  show(state: ProgressState, phase: ProgressPhase): void {
    const { prefix, pct, stats } = meterParts(state);
    this.left.value = escapeHtml(prefix + (pct ?? ''));
    this.right.value = escapeHtml(stats + this.cancelledNote());
    this.bar.hold_sync(() => {
      if (state.total !== undefined) this.bar.value = state.n;
      if (phase === 'done' && this.cancelled === 0) this.bar.bar_style = 'success';
      else if (phase === 'error') this.bar.bar_style = 'danger';
      else if (this.cancelled > 0 || phase === 'stopped') this.bar.bar_style = 'warning';
    });
    if (phase !== 'running' && this.cancelButton) this.box.children = this.box.children.filter((c) => c !== this.cancelButton);
  }

  /** ' (3 cancelled)' once the button has cancelled something; the text fallback carries it too. */
  cancelledNote(): string {
    return this.cancelled ? ` (${this.cancelled} cancelled)` : '';
  }

  /** The display bundle: the widget for a widget manager, the text (and HTML) meter for everyone else. */
  bundle(fallback: Record<string, unknown>): Record<string, unknown> {
    return { ...fallback, [VIEW_MIMETYPE]: { version_major: 2, version_minor: 0, model_id: this.box.model_id } };
  }
}
