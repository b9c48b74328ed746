#!/usr/bin/env python3
"""Rebuilds notebooks/lecture.py.ipynb from the lecture seed and executes it on Debian's ipykernel.

Run with /usr/bin/python3 (it has nbformat/nbclient/ipykernel; the pyenv python3 on PATH does not):
    /usr/bin/python3 notebooks/build_lecture_py.py [SEED] [OUT]

The seed is a text dump of a notebook: markdown runs, then `In [N]:` + code + printed output. The dump does not
mark where code ends and output begins, so the lecture's known output openings are listed in OUTPUT_START.
"""
import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
SEED = Path(sys.argv[1]) if len(sys.argv) > 1 else Path('/work/shared/seeds/000_c7eafdd6d3beabd3.txt')
OUT = Path(sys.argv[2]) if len(sys.argv) > 2 else HERE / 'lecture.py.ipynb'

IN_PROMPT = re.compile(r'^In \[\d+\]:\s*$')
# First line of each printed output in the seed (the map cell's output starts with a blank line: msg = '\n Result...').
OUTPUT_START = re.compile(r'^(256$|DoneAndNotDoneFutures\(| Result -> |Scheduled for |NameError: )')
# The as_completed cell (seed In[18]) is the one whose loop is live code, not commented out as in In[17].
AS_COMPLETED_LOOP = re.compile(r'^\s*for future in as_completed\(', re.M)
# Output lines never start like markdown does, so this ends an output run.
MARKDOWN_START = re.compile(r'^(#|참고자료)')

# The seed's In[18] shows a NameError left over from a stale kernel; a fresh run prints the real results.
FRESH_RUN_NOTE = (
    '> 참고: 원본 강의 노트북의 이 셀(In [18])에는 커널 상태가 꼬여서 생긴 `NameError: name \'worker\' is not defined`가 '
    '기록되어 있었다. 이 노트북의 출력은 위에서 아래로 새로 실행(fresh run)했을 때 실제로 출력되는 값이다.\n'
    '>\n'
    "> (English: the original recording of the next cell shows a stale-kernel `NameError`; "
    'the outputs here are from a fresh top-to-bottom run.)'
)


def strip_blank_edges(lines):
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def parse_seed(text):
    """Returns [('markdown'|'code', source)] in seed order; seed outputs are dropped (a real run replaces them)."""
    cells = []
    state, buf = 'markdown', []

    def flush(kind):
        lines = strip_blank_edges(buf)
        if lines and kind != 'output':
            cells.append((kind, '\n'.join(lines)))

    for line in text.split('\n'):
        if IN_PROMPT.match(line):
            flush(state)
            state, buf = 'code', []
        elif state == 'code' and OUTPUT_START.match(line):
            # The map cell prints '\n Result...', so blank lines just before the output belong to it, not the code.
            flush('code')
            state, buf = 'output', [line]
        elif state == 'output' and MARKDOWN_START.match(line):
            flush('output')
            state, buf = 'markdown', [line]
        else:
            buf.append(line)
    flush(state)
    return cells


def build(cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'Python 3 (ipykernel)', 'language': 'python'}
    code_seen = 0
    for kind, source in cells:
        if kind == 'markdown':
            nb.cells.append(nbformat.v4.new_markdown_cell(source))
            continue
        code_seen += 1
        if AS_COMPLETED_LOOP.search(source):
            nb.cells.append(nbformat.v4.new_markdown_cell(FRESH_RUN_NOTE))
        nb.cells.append(nbformat.v4.new_code_cell(source))
    if code_seen != 7:
        raise SystemExit(f'expected 7 code cells in the seed, found {code_seen}')
    return nb


def main():
    nb = build(parse_seed(SEED.read_text(encoding='utf-8')))
    # The deadlock cells leave threads blocked forever; the kernel is killed at the end, which is what we want.
    client = NotebookClient(nb, timeout=600, kernel_name='python3', resources={'metadata': {'path': str(HERE)}})
    client.execute()
    nbformat.write(nb, str(OUT))
    print(f'wrote {OUT}')


if __name__ == '__main__':
    main()
