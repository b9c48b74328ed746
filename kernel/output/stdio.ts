import type { StreamName } from './stream';

/**
 * Routes process.stdout/stderr (and so console.*) of this process to `write`; returns what puts the original
 * writes back. Write callbacks run on the next tick, as a stream's would once the data is handed over.
 */
export function captureStdio(write: (name: StreamName, text: string) => void): () => void {
  const restore: Array<() => void> = [];
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    const original = stream.write;
    stream.write = ((chunk: unknown, encoding?: unknown, cb?: unknown) => {
      const done = typeof encoding === 'function' ? encoding : cb;
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
      write(name, text);
      if (typeof done === 'function') process.nextTick(done as () => void);
      return true;
    }) as typeof stream.write;
    restore.push(() => (stream.write = original));
  }
  return () => {
    for (const r of restore.splice(0)) r();
  };
}
