"""CPython's side of the data rows of `npm run bench:futures`: `bytes` of each size to a ProcessPoolExecutor worker
and back, timed with perf_counter. Prints one JSON object {MB: [to_ms, back_ms]} (medians) on stdout.
Usage: python3 data.py REPS MB..."""
import json
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor


def size(data):
    return len(data)


def make(n):
    return bytes(n)


def median_ms(reps, fn):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


if __name__ == "__main__":
    reps = int(sys.argv[1])
    out = {}
    with ProcessPoolExecutor(max_workers=1) as pool:
        # As bench/futures/data.ts warms ours: the pool started and each task function called once, with a few bytes.
        pool.submit(size, b"warm").result()
        pool.submit(make, 8).result()
        for mb in map(int, sys.argv[2:]):
            n = mb * 1024 * 1024
            data = bytes(n)
            to = median_ms(reps, lambda: pool.submit(size, data).result() == n or sys.exit("wrong size"))
            back = median_ms(reps, lambda: len(pool.submit(make, n).result()) == n or sys.exit("wrong size"))
            out[mb] = [to, back]
    print(json.dumps(out))
