/**
 * The output of a value: Deno's `Symbol.for('Jupyter.display')` bundle when the object has one, else IPython's
 * display formatter (the Python repr as text/plain, richer mimetypes from _repr_*_ methods).
 */
import type { KernelMessage } from '@jupyterlab/services';
import { repr } from '../../runtime/python/repr';

/**
 * A display's data and metadata as the protocol types them (JSON). What user formatters return is taken as it is:
 * the wire's JSON.stringify is what makes it JSON, as json.dumps does in ipykernel.
 */
export type MimeBundle = KernelMessage.IDisplayDataMsg['content']['data'];
export type MimeMetadata = KernelMessage.IDisplayDataMsg['content']['metadata'];

const REPR_METHODS: Array<[string, string]> = [
  ['_repr_html_', 'text/html'],
  ['_repr_markdown_', 'text/markdown'],
  ['_repr_svg_', 'image/svg+xml'],
  ['_repr_png_', 'image/png'],
  ['_repr_jpeg_', 'image/jpeg'],
  ['_repr_latex_', 'text/latex'],
  ['_repr_json_', 'application/json'],
];

export interface Formatted {
  data: MimeBundle;
  metadata: MimeMetadata;
}

/** Deno's display convention: `obj[Symbol.for('Jupyter.display')]()` returns the whole mime bundle, or a promise of it. */
const JUPYTER_DISPLAY = Symbol.for('Jupyter.display');

function reportFailure(what: string, e: unknown): void {
  process.stderr.write(`${what} failed: ${(e as Error)?.stack ?? String(e)}\n`);
}

function isBundle(x: unknown): x is MimeBundle {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * The bundle of an object following Deno's convention (as Deno, it replaces the other formatters), undefined
 * when the object does not follow it or its method fails (reported, then the usual formatting applies).
 */
function denoBundle(obj: unknown): Formatted | Promise<Formatted | undefined> | undefined {
  if ((typeof obj !== 'object' && typeof obj !== 'function') || obj === null) return undefined;
  const method = (obj as Record<symbol, unknown>)[JUPYTER_DISPLAY];
  if (typeof method !== 'function') return undefined;
  const checked = (bundle: unknown): Formatted | undefined => {
    if (isBundle(bundle)) return { data: bundle, metadata: {} };
    reportFailure('[Symbol.for("Jupyter.display")]', new TypeError(`it must return a mime bundle object, not ${repr(bundle)}`));
    return undefined;
  };
  try {
    const bundle: unknown = method.call(obj);
    if (bundle instanceof Promise) return bundle.then(checked, (e) => void reportFailure('[Symbol.for("Jupyter.display")]', e));
    return checked(bundle);
  } catch (e) {
    reportFailure('[Symbol.for("Jupyter.display")]', e);
    return undefined;
  }
}

/**
 * The output of a value: Deno's Jupyter.display bundle when the object has one (a promise when that method is
 * async), else IPython's formatting (formatBundle).
 */
export function formatOutput(obj: unknown): Formatted | Promise<Formatted> {
  const deno = denoBundle(obj);
  if (deno instanceof Promise) return deno.then((f) => f ?? formatBundle(obj));
  return deno ?? formatBundle(obj);
}

/**
 * IPython's display formatter: text/plain is the Python repr, and objects add richer mimetypes through
 * _repr_mimebundle_() (returning data or [data, metadata]) or the _repr_*_() methods. A failing formatter is
 * reported on stderr and skipped, as IPython does, so one bad method does not lose the whole output.
 */
export function formatBundle(obj: unknown): Formatted {
  const data: MimeBundle = {};
  const metadata: MimeMetadata = {};
  const attempt = (what: string, f: () => void) => {
    try {
      f();
    } catch (e) {
      reportFailure(what, e);
    }
  };
  attempt('repr', () => (data['text/plain'] = repr(obj)));
  if ((typeof obj === 'object' && obj !== null) || typeof obj === 'function') {
    const o = obj as Record<string, unknown>;
    for (const [method, mime] of REPR_METHODS) {
      if (typeof o[method] === 'function') {
        attempt(method, () => {
          const v = (o[method] as () => unknown).call(obj);
          if (v !== undefined && v !== null) data[mime] = v as MimeBundle[string];
        });
      }
    }
    if (typeof o._repr_mimebundle_ === 'function') {
      attempt('_repr_mimebundle_', () => {
        const r = (o._repr_mimebundle_ as () => unknown).call(obj);
        const [d, md] = Array.isArray(r) ? r : [r, undefined];
        if (d) Object.assign(data, d);
        if (md) Object.assign(metadata, md);
      });
    }
  }
  return { data, metadata };
}
