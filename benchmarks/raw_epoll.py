#!/usr/bin/env python3
"""CPython's side of the raw-epoll micro-benchmark (benchmarks/raw-epoll.ts runs it).

The same loop as the TypeScript side, with select.epoll and os.eventfd
(Python 3.10+): N eventfds, each written once and never read, registered
level-triggered for EPOLLIN, so every poll(0) returns all N of them; each call
is followed by

    for fd, ev in ep.poll(0, maxevents): acc += fd + ev

The empty case polls an epoll set with no ready fd. Each case is warmed up, then
timed `repeats` times; a repeat runs `iterations` calls (calibrated to about
--target-ms unless --iterations is given). The checksum is compared with the
expected one, so a wrong event count fails loudly. Prints one JSON object on
stdout; progress goes to stderr.

    python3 benchmarks/raw_epoll.py --n 100,1000 --repeats 7 --target-ms 250
"""
import argparse
import json
import os
import platform
import select
import statistics
import sys
import time


def timed(ep, maxevents, iterations):
    """ns for `iterations` calls of the loop, and the checksum."""
    poll = ep.poll
    acc = 0
    t0 = time.perf_counter_ns()
    for _ in range(iterations):
        for fd, ev in poll(0, maxevents):
            acc += fd + ev
    return time.perf_counter_ns() - t0, acc


def calibrate(ep, maxevents, target_ns, warmup_ns):
    """Warm up for about warmup_ns, and return the iterations that take about target_ns."""
    iterations = 1
    spent = 0
    while True:
        ns, _ = timed(ep, maxevents, iterations)
        spent += ns
        if ns >= 10_000_000 or (ns > 0 and spent >= warmup_ns and ns >= 1_000_000):
            per_call = ns / iterations
            # keep warming up until warmup_ns is spent
            if spent < warmup_ns:
                timed(ep, maxevents, max(1, int((warmup_ns - spent) / per_call)))
            return max(1, int(target_ns / per_call))
        iterations *= 2


def run_case(n, args):
    ep = select.epoll()
    fds = []
    try:
        expected_per_call = 0
        for _ in range(n):
            fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
            fds.append(fd)
            os.eventfd_write(fd, 1)  # counter > 0: readable until read, which never happens
            ep.register(fd, select.EPOLLIN)  # level-triggered
            expected_per_call += fd + select.EPOLLIN
        maxevents = n if n > 0 else args.empty_max_events
        got = ep.poll(0, maxevents)
        if len(got) != n:
            raise SystemExit(f"raw_epoll.py: N={n}: poll(0) returned {len(got)} events, expected {n}")

        if args.iterations:
            iterations = args.iterations
            timed(ep, maxevents, max(1, iterations // 4))  # warm-up
        else:
            iterations = calibrate(ep, maxevents, args.target_ms * 1e6, args.warmup_ms * 1e6)

        ns_per_call = []
        for _ in range(args.repeats):
            ns, acc = timed(ep, maxevents, iterations)
            if acc != expected_per_call * iterations:
                raise SystemExit(f"raw_epoll.py: N={n}: checksum {acc} != {expected_per_call * iterations}")
            ns_per_call.append(ns / iterations)
        med = statistics.median(ns_per_call)
        result = {
            "n": n,
            "maxEvents": maxevents,
            "iterations": iterations,
            "repeats": args.repeats,
            "nsPerCall": {"median": med, "min": min(ns_per_call), "max": max(ns_per_call), "all": ns_per_call},
            "checksum": acc,
        }
        if n > 0:
            result["nsPerEvent"] = {"median": med / n, "min": min(ns_per_call) / n, "max": max(ns_per_call) / n}
            result["eventsPerSec"] = 1e9 * n / med
        print(
            f"  cpython  N={n:<5} {med:10.1f} ns/call"
            + (f"  {med / n:7.2f} ns/event" if n else "")
            + f"  ({iterations} calls x {args.repeats})",
            file=sys.stderr,
        )
        return result
    finally:
        ep.close()
        for fd in fds:
            os.close(fd)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", default="100,1000", help="comma-separated ready-fd counts (0 = empty set)")
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--iterations", type=int, default=0, help="calls per repeat (default: calibrated)")
    p.add_argument("--target-ms", type=float, default=250.0, help="duration of one repeat when calibrating")
    p.add_argument("--warmup-ms", type=float, default=250.0)
    p.add_argument("--empty-max-events", type=int, default=1024, help="maxevents for the empty set")
    args = p.parse_args()
    if not hasattr(os, "eventfd"):
        print(json.dumps({"error": f"os.eventfd needs Python 3.10+, this is {platform.python_version()}"}))
        sys.exit(2)
    ns = [int(x) for x in args.n.split(",") if x.strip() != ""]
    results = [run_case(n, args) for n in ns]
    print(
        json.dumps(
            {
                "python": platform.python_version(),
                "implementation": platform.python_implementation(),
                "executable": sys.executable,
                "results": results,
            }
        )
    )


if __name__ == "__main__":
    main()
