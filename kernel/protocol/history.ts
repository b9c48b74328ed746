/**
 * Input history, answering history_request like ipykernel (tail, range, search) with (session, line, input)
 * tuples. Sessions are numbered across kernel runs: each entry is appended to a JSON-lines file in the Jupyter
 * data dir, and a new kernel takes the next session number (read from the file's end). Earlier sessions are read
 * only for a history_request, so start-up stays fast however long the file grows.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { jupyterDataDir } from '../install/jupyter-paths';
import { log } from '../process/log';

export interface Entry {
  session: number;
  line: number;
  source: string;
}

/** A history tuple: [session, line, input] or, with output=true, [session, line, [input, output]]. */
export type HistoryItem = [number, number, string | [string, string | null]];

export function defaultHistoryFile(): string {
  return path.join(jupyterDataDir(), 'tsfutures', 'history.jsonl');
}

/** sqlite GLOB (what IPython searches with): `*`, `?`, `[abc]`, `[^abc]`, case-sensitive, whole string. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let body = glob.slice(i + 1, end);
        const negate = body.startsWith('^');
        if (negate) body = body.slice(1);
        re += `[${negate ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
        i = end;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** How much of the file's end is read for the last session number (many entries; a torn line costs one). */
const TAIL_BYTES = 64 * 1024;

export class History {
  /** Earlier sessions' entries, read from the file only when a history_request needs them. */
  private earlier?: Entry[];
  /** This session's entries: kept here too, so a history file that cannot be written loses nothing now. */
  private readonly own: Entry[] = [];
  private sessionNumber?: number;
  /**
   * The file, opened for appending at the first entry and kept open: making its folder, opening, writing and closing
   * it for every cell cost each execute_request several times one write, before the cell ran (docs/performance.md,
   * "Input history"). A history file deleted during the session is not made again (the entries stay in `own`).
   */
  private fd?: number;

  constructor(private readonly file: string = defaultHistoryFile()) {}

  private entries(): Entry[] {
    this.earlier ??= parseEntries(readOrEmpty(this.file)).filter((e) => e.session !== this.session);
    return [...this.earlier, ...this.own];
  }

  /**
   * The session number: one more than the last one in the file, read from its end only. The file grows by every
   * cell of every session, and reading all of it would delay the first execute_request (docs/performance.md).
   */
  get session(): number {
    if (this.sessionNumber === undefined) {
      const tail = parseEntries(readTail(this.file, TAIL_BYTES));
      this.sessionNumber = tail.reduce((max, e) => Math.max(max, e.session), 0) + 1;
    }
    return this.sessionNumber;
  }

  append(line: number, source: string): void {
    const entry: Entry = { session: this.session, line, source };
    this.own.push(entry);
    try {
      this.fd ??= openForAppending(this.file);
      writeSync(this.fd, JSON.stringify(entry) + '\n');
    } catch (e) {
      // Opened again for the next entry (the folder may be writable by then).
      if (this.fd !== undefined) closeQuietly(this.fd);
      this.fd = undefined;
      log('warning', `cannot write history to ${this.file}: ${(e as Error).message}`);
    }
  }

  /** The last n entries over all sessions, oldest first (IPython's get_tail). */
  tail(n: number, output = false): HistoryItem[] {
    const all = this.entries();
    return all.slice(Math.max(0, all.length - n)).map((e) => item(e, output));
  }

  /** Lines start <= line < stop of one session; session <= 0 counts back from this one (IPython's get_range). */
  range(session = 0, start = 1, stop?: number | null, output = false): HistoryItem[] {
    const absolute = session <= 0 ? session + this.session : session;
    return this.entries()
      .filter((e) => e.session === absolute && e.line >= start && (stop == null || e.line < stop))
      .map((e) => item({ ...e, session }, output));
  }

  /** Entries whose input matches the glob; unique keeps the newest of equal inputs; n keeps the newest n. */
  search(pattern = '*', n?: number | null, unique = false, output = false): HistoryItem[] {
    const re = globToRegExp(pattern);
    let found = this.entries().filter((e) => re.test(e.source));
    if (unique) {
      const newest = new Map<string, Entry>();
      for (const e of found) {
        newest.delete(e.source); // re-insert so the map's order is by the newest occurrence
        newest.set(e.source, e);
      }
      found = [...newest.values()];
    }
    if (n != null) found = found.slice(Math.max(0, found.length - n));
    return found.map((e) => item(e, output));
  }
}

function parseEntries(text: string): Entry[] {
  const entries: Entry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const e = JSON.parse(line) as Entry;
      if (Number.isInteger(e.session) && Number.isInteger(e.line) && typeof e.source === 'string') entries.push(e);
    } catch {
      // A torn line (two kernels appending at once, a crash, the cut of readTail) costs that line only.
    }
  }
  return entries;
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return ''; // no history yet
  }
}

/** The last `bytes` bytes of the file (all of it when shorter); '' when there is none. */
function readTail(file: string, bytes: number): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Outputs are not kept (ipykernel's default db_log_output=False), so with output=true the output is null. */
function item(e: Entry, output: boolean): HistoryItem {
  return [e.session, e.line, output ? [e.source, null] : e.source];
}

function openForAppending(file: string): number {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  return openSync(file, 'a', 0o600);
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already unusable: nothing to release
  }
}
