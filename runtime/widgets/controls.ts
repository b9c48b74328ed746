/**
 * The widgets of @jupyter-widgets/controls 2.0 and @jupyter-widgets/base 2.0 that tsfutures uses, with the model and
 * view names and the state keys and defaults of ipywidgets 8 (packages/schema/jupyterwidgetmodels.latest.md).
 */
import { defineTraits, Widget } from './widget';

const BASE = '@jupyter-widgets/base';
const CONTROLS = '@jupyter-widgets/controls';
const VERSION = '2.0.0';

function names(model: string, view: string, viewModule = CONTROLS, modelModule = CONTROLS) {
  return {
    _model_module: modelModule,
    _model_module_version: VERSION,
    _model_name: model,
    _view_module: viewModule,
    _view_module_version: VERSION,
    _view_name: view,
  };
}

/** Traits of every DOMWidget (base 2.0). */
const DOM = { _dom_classes: [] as string[], tabbable: null as boolean | null, tooltip: null as string | null };
const DESCRIPTION = { description: '', description_allow_html: false };

const LAYOUT_KEYS = [
  'align_content', 'align_items', 'align_self', 'border_bottom', 'border_left', 'border_right', 'border_top', 'bottom', 'display', 'flex',
  'flex_flow', 'grid_area', 'grid_auto_columns', 'grid_auto_flow', 'grid_auto_rows', 'grid_column', 'grid_gap', 'grid_row',
  'grid_template_areas', 'grid_template_columns', 'grid_template_rows', 'height', 'justify_content', 'justify_items', 'left', 'margin',
  'max_height', 'max_width', 'min_height', 'min_width', 'object_fit', 'object_position', 'order', 'overflow', 'padding', 'right', 'top',
  'visibility', 'width',
] as const;

export type LayoutOptions = Partial<Record<(typeof LAYOUT_KEYS)[number], string | null>>;

/** CSS layout of a widget (all keys null = the browser's default). */
export class Layout extends Widget {
  constructor(options: LayoutOptions = {}) {
    super({ ...names('LayoutModel', 'LayoutView', BASE, BASE), ...Object.fromEntries(LAYOUT_KEYS.map((k) => [k, null])) }, options);
  }
}
export interface Layout extends Required<LayoutOptions> {}
defineTraits(Layout, LAYOUT_KEYS);

export interface ProgressStyleOptions { bar_color?: string | null; description_width?: string }
export class ProgressStyle extends Widget {
  constructor(options: ProgressStyleOptions = {}) {
    super({ ...names('ProgressStyleModel', 'StyleView', BASE), bar_color: null, description_width: '' }, options);
  }
}
export interface ProgressStyle extends Required<ProgressStyleOptions> {}
defineTraits(ProgressStyle, ['bar_color', 'description_width']);

const TEXT_STYLE = { font_family: null, font_size: null, font_style: null, font_variant: null, font_weight: null, text_color: null, text_decoration: null };

export interface LabelStyleOptions { background?: string | null; description_width?: string; font_family?: string | null; font_size?: string | null; font_style?: string | null; font_variant?: string | null; font_weight?: string | null; text_color?: string | null; text_decoration?: string | null }
export class LabelStyle extends Widget {
  constructor(options: LabelStyleOptions = {}) {
    super({ ...names('LabelStyleModel', 'StyleView', BASE), background: null, description_width: '', ...TEXT_STYLE }, options);
  }
}
export interface LabelStyle extends Required<LabelStyleOptions> {}
defineTraits(LabelStyle, ['background', 'description_width', ...Object.keys(TEXT_STYLE)]);

export interface HTMLStyleOptions { background?: string | null; description_width?: string; font_size?: string | null; text_color?: string | null }
export class HTMLStyle extends Widget {
  constructor(options: HTMLStyleOptions = {}) {
    super({ ...names('HTMLStyleModel', 'StyleView', BASE), background: null, description_width: '', font_size: null, text_color: null }, options);
  }
}
export interface HTMLStyle extends Required<HTMLStyleOptions> {}
defineTraits(HTMLStyle, ['background', 'description_width', 'font_size', 'text_color']);

export interface ButtonStyleOptions { button_color?: string | null; font_family?: string | null; font_size?: string | null; font_style?: string | null; font_variant?: string | null; font_weight?: string | null; text_color?: string | null; text_decoration?: string | null }
export class ButtonStyle extends Widget {
  constructor(options: ButtonStyleOptions = {}) {
    super({ ...names('ButtonStyleModel', 'StyleView', BASE), button_color: null, ...TEXT_STYLE }, options);
  }
}
export interface ButtonStyle extends Required<ButtonStyleOptions> {}
defineTraits(ButtonStyle, ['button_color', ...Object.keys(TEXT_STYLE)]);

interface DomOptions { layout?: Layout; tooltip?: string | null; tabbable?: boolean | null }

export type BarStyle = 'success' | 'info' | 'warning' | 'danger' | '';
export interface ProgressOptions extends DomOptions {
  value?: number; min?: number; max?: number; description?: string; description_allow_html?: boolean;
  bar_style?: BarStyle; orientation?: 'horizontal' | 'vertical'; style?: ProgressStyle;
}

abstract class Progress extends Widget {
  declare value: number;
  declare min: number;
  declare max: number;
  declare description: string;
  declare description_allow_html: boolean;
  declare bar_style: BarStyle;
  declare orientation: 'horizontal' | 'vertical';
  declare layout: Layout;
  declare style: ProgressStyle;
  declare tooltip: string | null;
  declare tabbable: boolean | null;

  /** As ipywidgets: max never below min, value clamped into [min, max]. */
  protected override validateAll(): void {
    const min = this.get('min') as number;
    if ((this.get('max') as number) < min) this.setQuietly('max', min);
    const value = this.get('value') as number;
    const clamped = Math.min(Math.max(value, min), this.get('max') as number);
    if (clamped !== value) this.setQuietly('value', clamped);
  }
}
const PROGRESS_KEYS = ['value', 'min', 'max', 'description', 'description_allow_html', 'bar_style', 'orientation', 'layout', 'style', 'tooltip', 'tabbable', '_dom_classes'];
defineTraits(Progress, PROGRESS_KEYS);

const progressDefaults = (model: string) => ({ ...names(model, 'ProgressView'), ...DOM, ...DESCRIPTION, bar_style: '', max: 100, min: 0, orientation: 'horizontal', value: 0, layout: null, style: null });

export class IntProgress extends Progress {
  constructor(options: ProgressOptions = {}) {
    super(progressDefaults('IntProgressModel'), options, { layout: () => new Layout(), style: () => new ProgressStyle() });
  }
}

export class FloatProgress extends Progress {
  constructor(options: ProgressOptions = {}) {
    super(progressDefaults('FloatProgressModel'), options, { layout: () => new Layout(), style: () => new ProgressStyle() });
  }
}

export interface LabelOptions extends DomOptions { value?: string; placeholder?: string; description?: string; description_allow_html?: boolean; style?: LabelStyle }
export class Label extends Widget {
  declare value: string;
  declare placeholder: string;
  declare description: string;
  declare layout: Layout;
  declare style: LabelStyle;
  constructor(options: LabelOptions = {}) {
    super({ ...names('LabelModel', 'LabelView'), ...DOM, ...DESCRIPTION, layout: null, placeholder: '\u200b', style: null, value: '' }, options, {
      layout: () => new Layout(),
      style: () => new LabelStyle(),
    });
  }
}
defineTraits(Label, ['value', 'placeholder', 'description', 'description_allow_html', 'layout', 'style', 'tooltip', 'tabbable', '_dom_classes']);

export interface HTMLOptions extends DomOptions { value?: string; placeholder?: string; description?: string; description_allow_html?: boolean; style?: HTMLStyle }
export class HTML extends Widget {
  declare value: string;
  declare placeholder: string;
  declare description: string;
  declare layout: Layout;
  declare style: HTMLStyle;
  constructor(options: HTMLOptions = {}) {
    super({ ...names('HTMLModel', 'HTMLView'), ...DOM, ...DESCRIPTION, layout: null, placeholder: '\u200b', style: null, value: '' }, options, {
      layout: () => new Layout(),
      style: () => new HTMLStyle(),
    });
  }
}
defineTraits(HTML, ['value', 'placeholder', 'description', 'description_allow_html', 'layout', 'style', 'tooltip', 'tabbable', '_dom_classes']);

export type ButtonStyleName = 'primary' | 'success' | 'info' | 'warning' | 'danger' | '';
export interface ButtonOptions extends DomOptions { description?: string; disabled?: boolean; icon?: string; button_style?: ButtonStyleName; style?: ButtonStyle }
export class Button extends Widget {
  declare description: string;
  declare disabled: boolean;
  declare icon: string;
  declare button_style: ButtonStyleName;
  declare layout: Layout;
  declare style: ButtonStyle;
  private readonly clickHandlers: Array<(button: Button) => unknown> = [];
  constructor(options: ButtonOptions = {}) {
    super({ ...names('ButtonModel', 'ButtonView'), ...DOM, button_style: '', description: '', disabled: false, icon: '', layout: null, style: null }, options, {
      layout: () => new Layout(),
      style: () => new ButtonStyle(),
    });
  }

  /** `handler(button)` when the button is clicked in the frontend. */
  on_click(handler: (button: Button) => unknown, remove = false): void {
    const i = this.clickHandlers.indexOf(handler);
    if (remove) {
      if (i >= 0) this.clickHandlers.splice(i, 1);
    } else if (i < 0) this.clickHandlers.push(handler);
  }

  /** What a click in the frontend does (also callable from code, as in ipywidgets). */
  click(): void {
    for (const handler of [...this.clickHandlers]) handler(this);
  }

  protected override handleCustom(content: unknown, buffers: Uint8Array[]): void {
    if ((content as { event?: unknown })?.event === 'click') this.click();
    super.handleCustom(content, buffers);
  }
}
defineTraits(Button, ['description', 'disabled', 'icon', 'button_style', 'layout', 'style', 'tooltip', 'tabbable', '_dom_classes']);

export type BoxStyle = 'success' | 'info' | 'warning' | 'danger' | '';
export interface BoxOptions extends DomOptions { children?: Widget[]; box_style?: BoxStyle }
abstract class Box extends Widget {
  declare children: Widget[];
  declare box_style: BoxStyle;
  declare layout: Layout;
}
defineTraits(Box, ['children', 'box_style', 'layout', 'tooltip', 'tabbable', '_dom_classes']);

/** `new HBox([a, b])` as ipywidgets' positional children, or `new HBox({children, ...})`. */
const boxOptions = (o: Widget[] | BoxOptions): BoxOptions => (Array.isArray(o) ? { children: o } : o);

export class HBox extends Box {
  constructor(options: Widget[] | BoxOptions = {}) {
    super({ ...names('HBoxModel', 'HBoxView'), ...DOM, box_style: '', children: [], layout: null }, boxOptions(options), { layout: () => new Layout() });
  }
}

export class VBox extends Box {
  constructor(options: Widget[] | BoxOptions = {}) {
    super({ ...names('VBoxModel', 'VBoxView'), ...DOM, box_style: '', children: [], layout: null }, boxOptions(options), { layout: () => new Layout() });
  }
}
