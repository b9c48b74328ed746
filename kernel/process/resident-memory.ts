/**
 * The process's resident set size in bytes, as process.memoryUsage.rss() reports it, read more cheaply.
 *
 * Why: the memory guard reads it twice a cell on the main thread (arming the cell's threshold, and the pressure check
 * after its reply), and rss() opens, reads and closes /proc/self/stat, whose ~50 fields the kernel formats on every
 * read. /proc/self/statm holds the same resident page count (both are the mm's rss counters) in a short line, and a
 * descriptor kept open reads it with one pread (figures: docs/performance.md, "The cell engine").
 *
 * Opened at the first read (a start-up snapshot cannot hold a descriptor), by the main thread only: a worker's
 * descriptor would outlive the worker (descriptors belong to the process). Where /proc is not there, rss() as before.
 */
import { openSync, readSync } from 'node:fs';

const STATM = '/proc/self/statm';
/** statm is seven numbers of pages: its line is far shorter than this. Made at the first read, as the descriptor. */
let buffer: Buffer;
/** The open statm, null where it cannot be read (then rss()), undefined before the first read. */
let statm: number | null | undefined;
/** The process that opened it: one started from a snapshot must not use a number the snapshot's builder opened. */
let openedBy = 0;
let pageBytes = 0;

/** Resident pages, the second field of statm; undefined if the read fails. */
function residentPages(fd: number): number | undefined {
  const length = readSync(fd, buffer, 0, buffer.length, 0);
  const line = buffer.toString('latin1', 0, length);
  const start = line.indexOf(' ') + 1;
  const end = line.indexOf(' ', start);
  const pages = start > 0 && end > start ? Number(line.slice(start, end)) : NaN;
  return Number.isInteger(pages) && pages > 0 ? pages : undefined;
}

/**
 * Opens statm and learns the page size from rss() (Node does not expose it): read side by side, the two counts
 * differ by a few pages at most, so the ratio rounded to a power of two is the page size.
 */
function openStatm(): number | null {
  try {
    const fd = openSync(STATM, 'r');
    buffer = Buffer.alloc(256);
    const pages = residentPages(fd);
    const ratio = pages === undefined ? NaN : process.memoryUsage.rss() / pages;
    if (!(ratio >= 1)) return null;
    pageBytes = 2 ** Math.round(Math.log2(ratio));
    return fd;
  } catch {
    return null;
  }
}

export function residentBytes(): number {
  if (statm === undefined || openedBy !== process.pid) {
    statm = openStatm();
    openedBy = process.pid;
  }
  if (statm !== null) {
    try {
      const pages = residentPages(statm);
      if (pages !== undefined) return pages * pageBytes;
    } catch {
      // a read that failed once: rss() from now on
    }
    statm = null;
  }
  return process.memoryUsage.rss();
}
