"""CPython's side of bench:futures' start-up rows: POOLS fresh ProcessPoolExecutor(2) with one start method, each timed
from construction to its first result, GAP_MS apart, in this one interpreter (so the first pool pays for a forkserver's
start, the next ones find it running). Prints a JSON list of milliseconds. Usage: python3 startup.py METHOD POOLS GAP_MS"""
import json
import multiprocessing
import sys
import time
from concurrent.futures import ProcessPoolExecutor


def tiny(x):
    return x + 1


def main():
    method, pools, gap_ms = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    context = multiprocessing.get_context(method)
    out = []
    for _ in range(pools):
        t0 = time.perf_counter()
        executor = ProcessPoolExecutor(max_workers=2, mp_context=context)
        if executor.submit(tiny, 0).result() != 1:
            raise SystemExit("wrong result")
        out.append((time.perf_counter() - t0) * 1000)
        executor.shutdown()
        time.sleep(gap_ms / 1000)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
