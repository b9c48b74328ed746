/** Widgets (ipywidgets protocol 2.1) over comms, and the live views of executors built on them. */
export { Widget, PROTOCOL_VERSION, VIEW_MIMETYPE, type Change, type ChangeHandler, type CustomHandler } from './widget';
export {
  Layout, ProgressStyle, LabelStyle, HTMLStyle, ButtonStyle, IntProgress, FloatProgress, Label, HTML, Button, HBox, VBox,
  type ProgressOptions as ProgressWidgetOptions, type LabelOptions, type HTMLOptions, type ButtonOptions, type BoxOptions, type LayoutOptions,
} from './controls';
export { frontend_has_widgets } from './frontend';
