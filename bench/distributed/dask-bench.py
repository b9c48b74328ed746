"""dask.distributed's side of `npm run bench:distributed`: LocalCluster(n_workers=2, threads_per_worker=1,
processes=True) and its concurrent.futures executor (Client.get_executor()), on the same workloads as ours.
Prints one JSON object of milliseconds. Usage: dask-bench.py TINY_N REPS LATENCY_N CPU_JOBS CPU_N"""
import json
import logging
import statistics
import sys
import time
import warnings


def tiny(x):
    return x + 1


def sum_loop(n):
    s = 0
    for i in range(1, n + 1):
        s += i
    return s


def main():
    tiny_n, reps, latency_n, cpu_jobs, cpu_n = (int(a) for a in sys.argv[1:6])
    warnings.simplefilter('ignore')
    logging.getLogger('distributed').setLevel(logging.ERROR)
    from distributed import Client, LocalCluster

    out = {}
    t0 = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        ex = client.get_executor(pure=False)
        ex.submit(tiny, 0).result()
        out['startup'] = (time.perf_counter() - t0) * 1000
        runs = []
        for _ in range(reps):
            t = time.perf_counter()
            fs = [ex.submit(tiny, i) for i in range(tiny_n)]
            for f in fs:
                f.result()
            runs.append((time.perf_counter() - t) * 1000)
        out['tiny_all'] = statistics.median(runs)
        lat = []
        for i in range(latency_n):
            t = time.perf_counter()
            ex.submit(tiny, i).result()
            lat.append((time.perf_counter() - t) * 1000)
        out['latency'] = statistics.median(lat)
        # CPU-bound: the same loop count as ours would take minutes in CPython; a tenth, scaled back up.
        t = time.perf_counter()
        for f in [ex.submit(sum_loop, cpu_n // 10) for _ in range(cpu_jobs)]:
            f.result()
        out['cpu_pool_scaled'] = (time.perf_counter() - t) * 1000 * 10
    print(json.dumps(out))


if __name__ == '__main__':
    main()
