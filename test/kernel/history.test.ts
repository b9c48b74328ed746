/**
 * History: the session number comes from the file's end (start-up must not read a long history), earlier sessions
 * from the whole file when asked, and this session's entries survive a file that cannot be written.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { History } from '../../kernel/protocol/history';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tsfutures-history-'));

function writeSessions(file: string, sessions: number, linesEach: number): void {
  const lines: string[] = [];
  for (let s = 1; s <= sessions; s++) for (let l = 1; l <= linesEach; l++) lines.push(JSON.stringify({ session: s, line: l, source: `x${s}_${l} = ${'1'.repeat(40)}` }));
  writeFileSync(file, lines.join('\n') + '\n');
}

test('a long file: the next session number, and every earlier entry for tail and search', () => {
  const file = path.join(dir, 'long.jsonl');
  writeSessions(file, 30, 100); // ~200 KB: more than the tail that is read for the session number
  const h = new History(file);
  expect(h.session).toBe(31);
  h.append(1, 'mine = 1');
  expect(h.tail(2)).toEqual([[30, 100, `x30_100 = ${'1'.repeat(40)}`], [31, 1, 'mine = 1']]);
  expect(h.search('x1_1 *')).toEqual([[1, 1, `x1_1 = ${'1'.repeat(40)}`]]);
  expect(h.range(0, 1)).toEqual([[0, 1, 'mine = 1']]);
  // Appended to the file once, and read back once by the next kernel.
  expect(readFileSync(file, 'utf8').match(/mine = 1/g)).toHaveLength(1);
  const next = new History(file);
  expect(next.session).toBe(32);
  expect(next.range(-1, 1)).toEqual([[-1, 1, 'mine = 1']]);
});

test('a torn last line costs that line only', () => {
  const file = path.join(dir, 'torn.jsonl');
  writeSessions(file, 3, 2);
  writeFileSync(file, readFileSync(file, 'utf8') + '{"session": 9, "li');
  expect(new History(file).session).toBe(4);
});

test('no file yet: session 1; an unwritable file keeps this session in memory', () => {
  expect(new History(path.join(dir, 'none.jsonl')).session).toBe(1);
  const h = new History(path.join(dir, 'long.jsonl', 'not-a-dir', 'history.jsonl')) // under a file: ENOTDIR;
  h.append(1, 'a = 1');
  h.append(2, 'b = 2');
  expect(h.tail(5)).toEqual([[1, 1, 'a = 1'], [1, 2, 'b = 2']]);
});
