#!/usr/bin/env python3
"""Checks of what hack/ci-ship ships (chart, rules, dashboard, images). One subcommand a check;
each prints what is wrong and exits 1, or exits 0 silently.

  crd-drift RENDERED          chart's CRD copy == crds/generated/ (bytes), rendered == generated
                              (apart from the chart's labels/annotations), keep policy present
  rbac-sync RENDERED          rendered ClusterRole/Role rules == operator/src/main/k8s/rbac.yaml's
  pss RENDERED                every pod template meets Pod Security "restricted" (and more)
  labels RENDERED             every object carries app.kubernetes.io/* and helm.sh/chart labels
  rules-extract RENDERED OUT  the PrometheusRule's spec as a plain Prometheus rules file
  dashboard-rules JSON OUT    every dashboard query as a recording rule (for promtool's parser)
  metrics-check RULES JSON SCRAPE...
                              every metric the rules and dashboard name is in some scrape
  selftest                    the PromQL metric-name extractor on known expressions
"""
import json
import pathlib
import re
import sys

import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
CHART = REPO / "helm/starling"
CRD_NAME = "modeldeployments.serving.starling.dev-v1.yml"


def docs(path):
    return [d for d in yaml.safe_load_all(pathlib.Path(path).read_text()) if d]


def find(objs, kind, name=None):
    return [o for o in objs if o.get("kind") == kind and (name is None or o["metadata"]["name"] == name)]


def fail(problems):
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


# ------------------------------------------------------------------------------------- chart
def crd_drift(rendered):
    problems = []
    generated = REPO / "crds/generated" / CRD_NAME
    copy = CHART / "files/crds" / CRD_NAME
    if generated.read_bytes() != copy.read_bytes():
        problems.append(f"{copy.relative_to(REPO)} differs from {generated.relative_to(REPO)}: "
                        f"cp {generated.relative_to(REPO)} {copy.relative_to(REPO)}")
    crds = find(docs(rendered), "CustomResourceDefinition")
    if len(crds) != 1:
        return fail(problems + [f"expected 1 rendered CRD, found {len(crds)}"])
    crd = crds[0]
    meta = crd["metadata"]
    if meta.get("annotations", {}).get("helm.sh/resource-policy") != "keep":
        problems.append("rendered CRD lacks annotation helm.sh/resource-policy: keep")
    want = yaml.safe_load(generated.read_text())
    for o in (crd, want):
        o["metadata"].pop("labels", None)
        o["metadata"].pop("annotations", None)
    # Helm's fromYaml/toYaml writes 100.0 as 100: the same number to the API server.
    same = lambda o: json.dumps(integral(o), sort_keys=True)
    if same(crd) != same(want):
        problems.append("rendered CRD differs from crds/generated/ in more than labels/annotations")
    return fail(problems)


SCIENTIFIC = re.compile(r"^[-+]?[0-9]+(\.[0-9]*)?[eE][-+]?[0-9]+$")


def integral(o):
    """100.0 -> 100 throughout; and 1.0E8 -> 100000000: the generated CRD writes big bounds in
    Java's notation, which YAML 1.2 (Helm, the API server) reads as a number but PyYAML (YAML 1.1,
    which wants 1.0e+8) as a string."""
    if isinstance(o, dict):
        return {k: integral(v) for k, v in o.items()}
    if isinstance(o, list):
        return [integral(v) for v in o]
    if isinstance(o, str) and SCIENTIFIC.match(o):
        o = float(o)
    return int(o) if isinstance(o, float) and o.is_integer() else o


def norm_rules(rules):
    return sorted(json.dumps({k: sorted(v) if isinstance(v, list) else v for k, v in r.items()},
                             sort_keys=True) for r in rules)


def rbac_sync(rendered):
    """The ClusterRole must equal the operator's committed one. The leader-election Role must
    grant at least what the committed one does (the chart's adds `patch`, which Lease renewals
    need; the world test proves it by running the operator with leader election on)."""
    objs = docs(rendered)
    source = docs(REPO / "operator/src/main/k8s/rbac.yaml")
    problems = []
    for kind in ("ClusterRole", "Role"):
        got, want = find(objs, kind), find(source, kind)
        if len(got) != 1 or len(want) != 1:
            problems.append(f"{kind}: rendered {len(got)}, operator/src/main/k8s/rbac.yaml {len(want)}")
            continue
        g, w = norm_rules(got[0]["rules"]), norm_rules(want[0]["rules"])
        if kind == "ClusterRole" and g != w:
            problems.append(f"{kind} rules differ from operator/src/main/k8s/rbac.yaml:\n  chart:    "
                            + "\n            ".join(g) + "\n  operator: " + "\n            ".join(w))
        if kind == "Role":
            granted = lambda rules: {(a, r, v) for x in rules for a in x["apiGroups"]
                                     for r in x["resources"] for v in x["verbs"]}
            missing = granted(want[0]["rules"]) - granted(got[0]["rules"])
            extra = granted(got[0]["rules"]) - granted(want[0]["rules"])
            if missing:
                problems.append(f"Role lacks {sorted(missing)} that operator/src/main/k8s/rbac.yaml grants")
            if extra:
                print(f"note: the chart's Role also grants {sorted(extra)} "
                      "(operator/src/main/k8s/rbac.yaml should too)")
        for r in got[0]["rules"]:
            if "*" in r.get("verbs", []) + r.get("resources", []) + r.get("apiGroups", []):
                problems.append(f"{kind} has a wildcard: {r}")
            # Secrets: only `get` (the operator checks the API-key Secret a ModelDeployment names)
            if "secrets" in r.get("resources", []) and set(r.get("verbs", [])) - {"get"}:
                problems.append(f"{kind} grants more than get on Secrets: {r}")
            if set(r.get("verbs", [])) & {"escalate", "bind", "impersonate"}:
                problems.append(f"{kind} grants escalate/bind/impersonate: {r}")
    return fail(problems)


def pss(rendered):
    problems = []
    for o in docs(rendered):
        spec = (o.get("spec") or {}).get("template", {}).get("spec")
        if spec is None:
            continue
        where = f"{o['kind']}/{o['metadata']['name']}"
        psc = spec.get("securityContext", {})
        for flag in ("hostNetwork", "hostPID", "hostIPC"):
            if spec.get(flag):
                problems.append(f"{where}: {flag}")
        for v in spec.get("volumes", []):
            if "hostPath" in v:
                problems.append(f"{where}: hostPath volume {v['name']}")
        for c in spec.get("initContainers", []) + spec.get("containers", []):
            sc = c.get("securityContext", {})
            w = f"{where} container {c['name']}"
            if not (sc.get("runAsNonRoot", psc.get("runAsNonRoot")) is True):
                problems.append(f"{w}: runAsNonRoot is not true")
            if sc.get("runAsUser", psc.get("runAsUser")) in (0, None):
                problems.append(f"{w}: no numeric non-root runAsUser")
            if sc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{w}: allowPrivilegeEscalation is not false")
            if sc.get("privileged"):
                problems.append(f"{w}: privileged")
            if sc.get("capabilities", {}).get("drop") != ["ALL"] or sc.get("capabilities", {}).get("add"):
                problems.append(f"{w}: capabilities must drop [ALL] and add nothing")
            seccomp = sc.get("seccompProfile", psc.get("seccompProfile", {})).get("type")
            if seccomp not in ("RuntimeDefault", "Localhost"):
                problems.append(f"{w}: seccompProfile {seccomp}")
            if sc.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{w}: readOnlyRootFilesystem is not true")
            for port in c.get("ports", []):
                if "hostPort" in port:
                    problems.append(f"{w}: hostPort")
    return fail(problems)


REQUIRED_LABELS = ["helm.sh/chart", "app.kubernetes.io/name", "app.kubernetes.io/instance",
                   "app.kubernetes.io/version", "app.kubernetes.io/managed-by"]


def labels(rendered):
    problems = []
    for o in docs(rendered):
        have = o["metadata"].get("labels", {})
        missing = [l for l in REQUIRED_LABELS if l not in have]
        if missing:
            problems.append(f"{o['kind']}/{o['metadata']['name']}: missing labels {missing}")
        pod = (o.get("spec") or {}).get("template", {}).get("metadata", {}).get("labels")
        if pod is not None and "app.kubernetes.io/instance" not in pod:
            problems.append(f"{o['kind']}/{o['metadata']['name']}: pod template lacks instance label")
    return fail(problems)


# ------------------------------------------------------------------------------- monitoring
def rules_extract(rendered, out):
    rules = find(docs(rendered), "PrometheusRule")
    if len(rules) != 1:
        return fail([f"expected 1 PrometheusRule, found {len(rules)}"])
    pathlib.Path(out).write_text(yaml.safe_dump(rules[0]["spec"], sort_keys=False))
    return 0


# Grafana's variables, replaced the way Grafana would before a query reaches Prometheus.
GRAFANA_VARS = [("$__rate_interval", "1m"), ("$__interval", "30s"), ("$__range", "1h")]


def grafana_queries(dashboard):
    out = []
    def walk(panels):
        for p in panels:
            for t in p.get("targets", []):
                out.append((p.get("title", "?"), t["expr"]))
            walk(p.get("panels", []))
    walk(dashboard["panels"])
    for v in dashboard.get("templating", {}).get("list", []):
        q = v.get("query")
        if isinstance(q, dict):
            q = q.get("query")
        if v.get("type") == "query" and q:
            out.append((f"variable {v['name']}", q))
    return out


def promql_of(query):
    """A Grafana query as plain PromQL: variables substituted, label_values() unwrapped."""
    for k, v in GRAFANA_VARS:
        query = query.replace(k, v)
    query = re.sub(r"\$\{?\w+\}?", ".*", query)
    m = re.fullmatch(r"\s*label_values\((.*),\s*\w+\)\s*", query, re.S)
    if m:
        query = m.group(1)
    return query


def dashboard_rules(path, out):
    queries = grafana_queries(json.loads(pathlib.Path(path).read_text()))
    rules = [{"record": f"dashboard:query:{i}", "expr": promql_of(q)} for i, (_, q) in enumerate(queries)]
    pathlib.Path(out).write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    return 0


FUNCTIONS_AND_KEYWORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
    "offset", "inf", "nan", "atan2", "start", "end",
}
IDENT = r"[a-zA-Z_:][a-zA-Z0-9_:]*"


def metric_names(expr):
    """Metric names a PromQL expression reads: identifiers that are not functions (followed by
    '('), keywords, label names (in {...} or in by/on/ignoring/without/group_*(...) lists),
    strings, numbers or durations."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)  # strings
    e = re.sub(r"\{[^}]*\}", "{}", e)                                          # label matchers
    e = re.sub(r"\[[^\]]*\]", "[]", e)                                         # ranges
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    names = set()
    for m in re.finditer(rf"(?<![\w:.$]){IDENT}", e):
        name, rest = m.group(0), e[m.end():]
        if re.match(r"\s*\(", rest) or name in FUNCTIONS_AND_KEYWORDS:
            continue
        if re.fullmatch(r"[0-9].*", name):
            continue
        if re.match(r"\s*(\{|\[|\s|$|\)|,|[-+*/%^=!<>])", rest) or rest == "":
            names.add(name)
    return names


# Series Prometheus writes itself for every target; neither process can export them.
PROMETHEUS_MADE = {"up"}


def exported(scrapes):
    names = set()
    for s in scrapes:
        for line in pathlib.Path(s).read_text().splitlines():
            if line.startswith("#") or not line.strip():
                continue
            names.add(re.match(IDENT, line).group(0))
    return names


def metrics_check(rules_file, dashboard, *scrapes):
    have = exported(scrapes)
    wanted = {}
    for g in yaml.safe_load(pathlib.Path(rules_file).read_text())["groups"]:
        for r in g["rules"]:
            for n in metric_names(r["expr"]):
                wanted.setdefault(n, []).append(f"alert {r.get('alert') or r.get('record')}")
    for title, q in grafana_queries(json.loads(pathlib.Path(dashboard).read_text())):
        for n in metric_names(promql_of(q)):
            wanted.setdefault(n, []).append(f"panel '{title}'")
    missing = {n: w for n, w in wanted.items() if n not in have and n not in PROMETHEUS_MADE}
    print(f"{len(wanted)} metric names referenced, {len(have)} exported, {len(missing)} missing")
    return fail([f"{n} is exported by neither the runtime nor the operator (used by "
                 f"{', '.join(sorted(set(w)))})" for n, w in sorted(missing.items())])


def selftest():
    cases = [
        ('sum by (model, version) (rate(starling_requests_total{status=~"5..", x="a b"}[5m]))',
         {"starling_requests_total"}),
        ("histogram_quantile(0.99, sum by (le) (rate(a_bucket{}[1m]))) > 0.5", {"a_bucket"}),
        ("max by (ns) (x) == 0 and on (ns, version) (max by (ns) (y) > 0)", {"x", "y"}),
        ('absent(up{job=~".*op.*"} == 1)', {"up"}),
        ("sum(rate(a_sum[1m])) / sum(rate(a_count[1m]))", {"a_sum", "a_count"}),
        ('jvm_memory_used_bytes{area="heap"} and on (namespace, pod) starling_model_ready{}',
         {"jvm_memory_used_bytes", "starling_model_ready"}),
        ("process_cpu_usage * on (pod) group_left () system_cpu_count", {"process_cpu_usage", "system_cpu_count"}),
        ("rate(x_total[5m] offset 1h) > bool 3", {"x_total"}),
        (promql_of('label_values(starling_model_ready{namespace=~"$namespace"}, model)'), {"starling_model_ready"}),
        (promql_of("sum(rate(a_total{m=~\"$model\"}[$__rate_interval]))"), {"a_total"}),
        ("vector(1)", set()),
    ]
    problems = [f"metric_names({e!r}) = {sorted(metric_names(e))}, want {sorted(w)}"
                for e, w in cases if metric_names(e) != w]
    print(f"{len(cases) - len(problems)} of {len(cases)} extractor cases pass")
    return fail(problems)


COMMANDS = {
    "crd-drift": crd_drift, "rbac-sync": rbac_sync, "pss": pss, "labels": labels,
    "rules-extract": rules_extract, "dashboard-rules": dashboard_rules,
    "metrics-check": metrics_check, "selftest": selftest,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(COMMANDS[sys.argv[1]](*sys.argv[2:]))
