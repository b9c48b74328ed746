"""CPython's side of `npm run bench:futures`: the same workloads as bench/futures/*.ts, timed with perf_counter.
Prints one JSON object (milliseconds) on stdout. Usage: python3 bench.py THREAD_N SEQ_N PROC_N CHUNKSIZE REPS MAP_REPS"""
import json
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor


def tiny(x):
    return x + 1


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def median_of(reps, fn):
    return statistics.median(timed(fn) for _ in range(reps))


def check(got, want):
    if got != want:
        raise SystemExit(f"wrong result: {got} != {want}")


def submit_all(executor, n):
    futures = [executor.submit(tiny, i) for i in range(n)]
    check(sum(f.result() for f in futures), n * (n + 1) // 2)


def submit_sequential(executor, n):
    for i in range(n):
        executor.submit(tiny, i).result()


def map_chunked(executor, n, chunksize):
    check(sum(executor.map(tiny, range(n), chunksize=chunksize)), n * (n + 1) // 2)


def main():
    thread_n, seq_n, proc_n, chunksize, reps, map_reps = map(int, sys.argv[1:7])
    out = {}
    with ThreadPoolExecutor() as executor:
        submit_all(executor, 1000)  # warm-up: threads started
        out["thread_submit_all"] = median_of(reps, lambda: submit_all(executor, thread_n))
        out["thread_sequential"] = median_of(reps, lambda: submit_sequential(executor, seq_n))

    with ProcessPoolExecutor() as executor:
        submit_all(executor, proc_n)  # warm-up: every worker started
        out["process_submit_all"] = median_of(reps, lambda: submit_all(executor, proc_n))
        out["process_map_chunked"] = median_of(map_reps, lambda: map_chunked(executor, proc_n, chunksize))

    # The lecture's generator form, once (it is the slow one), then the builtin fast path for comparison.
    out["sum_generator"] = timed(lambda: check(sum(n for n in range(1, 10**8 + 1)), 5000000050000000))
    out["sum_range"] = timed(lambda: check(sum(range(1, 10**8 + 1)), 5000000050000000))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
