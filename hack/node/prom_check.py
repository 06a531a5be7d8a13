"""Checks for hack/node-e2e against the node's Prometheus (HTTP API on 127.0.0.1).

  prom_check.py targets URL NAMESPACE POD...   every POD is a target of job "pods" with up == 1
  prom_check.py router-weights URL NAMESPACE VERSION=WEIGHT...
      every router pod scraped in NAMESPACE reports these effective weights (its
      starling_router_version_effective_weight gauge), e.g. v1=50 v2=50
  prom_check.py dashboard URL NAMESPACE DASHBOARD.json
      every query of the Grafana dashboard (panels and template variables), with the variables
      set to NAMESPACE and "all", returns data - except the queries listed in NO_DATA, which
      must return none (they need something this test does not do); prints one line per query.
"""

import json
import re
import sys
import urllib.parse
import urllib.request

# Panel title -> why its queries have no data in this test. A query that should be empty but is
# not, or the other way round, fails the check: the list stays true.
NO_DATA = {
    "Error ratio (5xx)": "no request failed (node-e2e asserts sent == answered)",
    "Feature drift (PSI)": "needs spec.drift.reference (a training profile)",
    "Prediction distribution (PSI vs reference)": "needs spec.drift.reference",
    "Feature values outside the reference": "needs spec.drift.reference",
    "Accuracy from feedback": "needs labelled feedback requests",
    "Rejected requests by reason": "needs a rate limit, queue limit or auth refusal",
    "Prediction distribution by class": "needs spec.signature.labels (class names)",
}
# Queries (not panels) that must be empty: the 5xx half of the "Error rate" panel, the shed line
# of the latency panel.
NO_DATA_QUERIES = {'status=~"5.."': "no request failed (node-e2e asserts sent == answered)",
                   'outcome="shed"': "needs requests shed at maxInflight (503); none here"}
# Queries that may or may not have data (reported, not asserted).
EITHER = {"operator_sdk_reconciliations_failed_total": "only when a reconciliation failed "
          "(e.g. a 409 on a status write) in the last minute"}


def query(base, expr):
    url = base + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    assert url.startswith("http://127."), "loopback only: " + url
    with urllib.request.urlopen(url, timeout=10) as r:
        answer = json.load(r)
    if answer.get("status") != "success":
        raise RuntimeError("%s: %s" % (expr, answer))
    return answer["data"]["result"]


def targets(base, namespace, pods):
    up = {s["metric"].get("pod"): s["value"][1]
          for s in query(base, 'up{job="pods", namespace="%s"}' % namespace)}
    bad = [p for p in pods if up.get(p) != "1"]
    print("prom_check: targets in %s: %s" % (namespace, json.dumps(up, sort_keys=True)))
    if not pods or bad:
        print("prom_check: not up == 1: %s" % (bad or "no pods given"))
        return 1
    return 0


def router_weights(base, namespace, want):
    want = dict(w.split("=") for w in want)
    routers = {s["metric"]["pod"] for s in query(
        base, 'up{job="pods", namespace="%s", component="router"} == 1' % namespace)}
    seen = {}
    for s in query(base, 'starling_router_version_effective_weight{namespace="%s"}' % namespace):
        m = s["metric"]
        seen.setdefault(m["pod"], {})[m["version"]] = str(int(float(s["value"][1])))
    print("prom_check: router pods %s, effective weights %s" % (sorted(routers), json.dumps(seen, sort_keys=True)))
    return 0 if routers and all(seen.get(p) == want for p in routers) else 1


def substitute(expr, namespace):
    for var, value in (("$namespace", namespace), ("$model", ".*"), ("$version", ".*"),
                       ("$__rate_interval", "1m")):
        expr = expr.replace(var, value)
    return expr


def dashboard_queries(path):
    board = json.load(open(path))
    found = []

    def walk(panels):
        for p in panels:
            for t in p.get("targets", []):
                found.append((p.get("title", "?"), t["expr"]))
            walk(p.get("panels", []))

    walk(board["panels"])
    for v in board.get("templating", {}).get("list", []):
        q = v.get("query")
        if isinstance(q, dict):
            q = q.get("query")
        if v.get("type") == "query" and q:
            found.append(("variable " + v["name"], q))
    return found


def dashboard(base, namespace, path):
    failed = 0
    queries = dashboard_queries(path)
    for title, expr in queries:
        expr = substitute(expr, namespace)
        m = re.fullmatch(r"label_values\((.*), *(\w+)\)", expr)
        if m:  # a Grafana template variable: the values of one label of a series selector
            result = [s for s in query(base, m.group(1)) if m.group(2) in s["metric"]]
        else:
            result = query(base, expr)
        why_empty = NO_DATA.get(title) or next(
            (why for frag, why in NO_DATA_QUERIES.items() if frag in expr), None)
        either = next((why for frag, why in EITHER.items() if frag in expr), None)
        ok = True if either else (not result) if why_empty else bool(result)
        failed += not ok
        state = "%d series" % len(result) if result else "no data"
        expect = ("either: " + either if either else
                  "expected no data: " + why_empty if why_empty else "expected data")
        print("prom_check: %-4s %-42s %-10s (%s)  %s" % ("ok" if ok else "FAIL", title[:42], state,
                                                         expect, expr[:110]))
    print("prom_check: %d dashboard queries, %d as expected, %d not" % (
        len(queries), len(queries) - failed, failed))
    return 1 if failed or not queries else 0


if __name__ == "__main__":
    mode, base, ns = sys.argv[1], sys.argv[2].rstrip("/"), sys.argv[3]
    assert base.startswith("http://127."), "loopback only: " + base
    if mode == "targets":
        sys.exit(targets(base, ns, sys.argv[4:]))
    if mode == "router-weights":
        sys.exit(router_weights(base, ns, sys.argv[4:]))
    if mode == "dashboard":
        sys.exit(dashboard(base, ns, sys.argv[4]))
    sys.exit("unknown mode " + mode)
