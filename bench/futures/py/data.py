"""CPython's side of the data rows of `npm run bench:futures`: `bytes` of each size to a ProcessPoolExecutor worker
and back, timed with perf_counter. Prints one JSON object {"first": {MB: [to_ms, back_ms]}, "next": {MB: [to_ms,
back_ms]}} on stdout: "first" is the first round trip at each size in this fresh process, "next" the median of REPS
round trips after it, each with the garbage of the one before freed (bench/futures/data.ts does the same for ours).
Usage: python3 data.py REPS MB..."""
import gc
import json
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor


def size(data):
    return len(data)


_kept = {}


def make(n):
    # As ours (bench/futures/tasks.ts residentBytes): bytes the worker already holds, written once and kept, so that
    # "back" times the result's travel, not a never-written bytes(n) faulting in fresh pages as it is pickled.
    if n not in _kept:
        _kept[n] = b"\x07" * n
    return _kept[n]


def timed_ms(fn):
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def checked(got, n):
    if got != n:
        sys.exit("wrong size")


if __name__ == "__main__":
    reps = int(sys.argv[1])
    first, after = {}, {}
    with ProcessPoolExecutor(max_workers=1) as pool:
        # As bench/futures/data.ts warms ours: the pool started and each task function called once, with a few bytes.
        pool.submit(size, b"warm").result()
        pool.submit(make, 8).result()

        def free_garbage():
            # Refcounting has already freed the last transfer's bytes on both sides; ours needs a gc for that.
            gc.collect()
            pool.submit(gc.collect).result()

        for mb in map(int, sys.argv[2:]):
            n = mb * 1024 * 1024
            data = bytes(n)
            to = lambda: checked(pool.submit(size, data).result(), n)
            back = lambda: checked(len(pool.submit(make, n).result()), n)
            first[mb] = [timed_ms(to), timed_ms(back)]
            times = []
            for _ in range(reps):
                free_garbage()
                t = timed_ms(to)
                free_garbage()
                times.append([t, timed_ms(back)])
            after[mb] = [statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)]
    print(json.dumps({"first": first, "next": after}))
