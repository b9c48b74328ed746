/**
 * tslab's display module, `import * as tslab from "tslab"`, provided by the kernel itself (the cells' require and
 * the type checker map the name here, kernel/cells/runtime-location.ts) so notebooks written for tslab render
 * unchanged without tslab installed. Same surface as tslab's public.d.ts: display, newDisplay(), versions.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { display as publish } from '../../runtime/display-hook';
import { PACKAGE_ROOT } from '../install/package-root';

/** Shows one mimetype; on a display from newDisplay(), each call after the first replaces the shown output. */
export interface Display {
  javascript(s: string): void;
  html(s: string): void;
  markdown(s: string): void;
  latex(s: string): void;
  svg(s: string): void;
  png(b: Uint8Array): void;
  jpeg(b: Uint8Array): void;
  gif(b: Uint8Array): void;
  pdf(b: Uint8Array): void;
  text(s: string): void;
  raw(contentType: string, b: string | Uint8Array): void;
}

class MimeDisplay implements Display {
  private shown = false;

  constructor(private readonly displayId?: string) {}

  javascript(s: string): void { this.raw('text/javascript', s); }
  html(s: string): void { this.raw('text/html', s); }
  markdown(s: string): void { this.raw('text/markdown', s); }
  latex(s: string): void { this.raw('text/latex', s); }
  svg(s: string): void { this.raw('image/svg+xml', s); }
  png(b: Uint8Array): void { this.raw('image/png', b); }
  jpeg(b: Uint8Array): void { this.raw('image/jpeg', b); }
  gif(b: Uint8Array): void { this.raw('image/gif', b); }
  pdf(b: Uint8Array): void { this.raw('application/pdf', b); }
  text(s: string): void { this.raw('text/plain', s); }

  raw(contentType: string, b: string | Uint8Array): void {
    if (typeof contentType !== 'string') throw new TypeError(`contentType must be a string, not ${typeof contentType}`);
    // Binary mimetypes travel base64-encoded in Jupyter messages.
    const data = b instanceof Uint8Array ? Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64') : b;
    publish({ [contentType]: data }, this.displayId ? { display_id: this.displayId, update: this.shown } : {});
    this.shown = true;
  }
}

/** Displays rich content as a new output each call. */
export const display: Display = new MimeDisplay();

/** A display that shows once and then overwrites that one output in place. */
export function newDisplay(): Display {
  return new MimeDisplay(randomBytes(8).toString('hex'));
}

/** tslab reports its own version here; this kernel reports tsfutures' (notebooks only print it). */
export const versions: { tslab: string; typescript: string; node: string } = {
  tslab: `tsfutures ${(require(path.join(PACKAGE_ROOT, 'package.json')) as { version: string }).version}`,
  typescript: (require('typescript/package.json') as { version: string }).version,
  node: process.version,
};
