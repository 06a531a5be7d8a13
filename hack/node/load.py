"""Bounded OIP v2 load for hack/node-e2e: a few threads POST one request body to one loopback URL
until STOP_FILE exists, MAX_SECONDS pass or MAX_REQUESTS are sent; prints one JSON summary line:
sent, ok (HTTP 200), failures by kind (and the UTC time of the first 20, with the answering
version's header and the start of the body for HTTP errors), the distinct outputs seen (in order of first sight) and
served_by: per phase, how many answers each version gave (the router's x-starling-served-by).
The phase is the content of PHASE_FILE (optional 4th argument) when the request was sent, so the
test can tell which versions answered while the weights were split. LOAD_THREADS: how many
requests at once (default 3). Every request opens a new connection, so each one passes kube-proxy's
NodePort rules afresh. LOAD_DISTINCT=N (optional): the requests cycle through N bodies that differ
in their first input value, so a prediction cache in front of the model misses and every request
costs an inference (the distinct outputs are not recorded then)."""

import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request

url, body_file, stop_file = sys.argv[1], sys.argv[2], sys.argv[3]
phase_file = sys.argv[4] if len(sys.argv) > 4 else None
assert url.startswith("http://127."), "loopback only: " + url
THREADS = int(os.environ.get("LOAD_THREADS", "3"))
# Bounded by time: the steps stop it with STOP_FILE once what they wait for happened, within their
# own deadlines (at most 300 s). The count is only a second bound, above what 300 s can send here:
# 60,000 ran out after ~70 s at the canary-HPA step's ~860 requests/s, and its CPU load with it,
# before a warm version's HPA had scaled (a clean-clone CI failure of session 13).
MAX_SECONDS, MAX_REQUESTS = 300, 500000
assert 1 <= THREADS <= 16, THREADS
body = open(body_file, "rb").read()
DISTINCT = int(os.environ.get("LOAD_DISTINCT", "0"))
assert 0 <= DISTINCT <= 100000, DISTINCT
bodies = [body]
if DISTINCT:
    template = json.loads(body)
    first = template["inputs"][0]["data"][0]
    bodies = []
    for k in range(DISTINCT):  # k = 0: the file's own values
        template["inputs"][0]["data"][0] = round(first + k * 1e-4, 4)
        bodies.append(json.dumps(template, separators=(",", ":")).encode())
lock = threading.Lock()
stats = {"sent": 0, "ok": 0, "failures": {}, "failed_at": [], "outputs": [], "served_by": {}}
deadline = time.monotonic() + MAX_SECONDS


def take():
    with lock:
        if stats["sent"] >= MAX_REQUESTS:
            return None
        stats["sent"] += 1
        return bodies[stats["sent"] % len(bodies)]


def phase():
    if phase_file is None:
        return "-"
    try:
        with open(phase_file) as f:
            return f.read().strip() or "-"
    except OSError:
        return "-"


def worker():
    while time.monotonic() < deadline and not os.path.exists(stop_file):
        request_body = take()
        if request_body is None:
            break
        kind = detail = None
        sent_in = phase()
        try:
            req = urllib.request.Request(url, request_body, {"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=10) as r:
                answer = json.load(r)
                served_by = r.headers.get("x-starling-served-by", "?")
            outputs = json.dumps(answer["outputs"], sort_keys=True)
        except urllib.error.HTTPError as e:
            kind = "http %d" % e.code
            try:  # who answered and why: the router's header and the {"error"} body
                detail = "%s %s" % (e.headers.get("x-starling-served-by", "-"), e.read(200).decode("utf-8", "replace"))
            except Exception:
                detail = "-"
        except Exception as e:  # refused, reset, timeout: all count against zero downtime
            kind = type(e).__name__ + ": " + str(e)[:80]
        with lock:
            if kind is None:
                stats["ok"] += 1
                if not DISTINCT and outputs not in stats["outputs"]:
                    stats["outputs"].append(outputs)
                counts = stats["served_by"].setdefault(sent_in, {})
                counts[served_by] = counts.get(served_by, 0) + 1
            else:
                stats["failures"][kind] = stats["failures"].get(kind, 0) + 1
                if len(stats["failed_at"]) < 20:  # wall-clock times, to match with the logs
                    stats["failed_at"].append(time.strftime("%H:%M:%S", time.gmtime()) + " " + sent_in
                                              + ("" if detail is None else " " + detail))


threads = [threading.Thread(target=worker) for _ in range(THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
stats["stopped_by"] = "stop file" if os.path.exists(stop_file) else "limit"
print(json.dumps(stats))
