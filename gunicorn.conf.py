"""gunicorn for a portal that mostly waits on 9Pic: few processes, many threads each.

Every setting can be overridden from the environment (WEB_CONCURRENCY, GUNICORN_THREADS,
PORT) or the command line.
"""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104
worker_class = "gthread"
# One process per core for the CPU work (templates, previews); threads for the waiting.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
# 9Pic answers in ~0.3 s: 32 threads per process keep ~100 pages/s/process in flight.
threads = int(os.environ.get("GUNICORN_THREADS", 32))
# Above NINEPIC_TIME_BUDGET (15 s) plus rendering; streaming downloads are not cut by it
# with gthread, which only checks that the worker process is alive.
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that slow leaks cannot build up over a race day.
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
