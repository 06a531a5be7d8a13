"""API requests between two scrapes of kube-apiserver /metrics, by verb and resource.

    apiserver-requests.py BEFORE AFTER

Prints count, mean and total server-side time per verb/resource (watches left out), then the
ClusterIP allocator's allocations and the time spent in them, then requests by API Priority and
Fairness flow schema (roughly: by client).
"""
import collections
import re
import sys

SAMPLE = re.compile(r'^([a-z_]+)\{(.*)\} (\S+)$')
LABEL = re.compile(r'(\w+)="([^"]*)"')


def load(path):
    sums, counts, alloc = collections.Counter(), collections.Counter(), collections.Counter()
    flows = collections.Counter()
    for line in open(path):
        m = SAMPLE.match(line.strip())
        if not m:
            continue
        name, labels, value = m.group(1), dict(LABEL.findall(m.group(2))), float(m.group(3))
        key = (labels.get('verb', ''), labels.get('resource', ''), labels.get('subresource', ''))
        if name == 'apiserver_request_duration_seconds_sum':
            sums[key] += value
        elif name == 'apiserver_request_duration_seconds_count':
            counts[key] += value
        elif name == 'apiserver_flowcontrol_dispatched_requests_total':
            flows[labels.get('flow_schema', '')] += value
        elif name.startswith('kube_apiserver_clusterip_allocator_allocation_duration_seconds_'):
            alloc[name.rsplit('_', 1)[1]] += value
    return sums, counts, alloc, flows


s1, c1, a1, f1 = load(sys.argv[1])
s2, c2, a2, f2 = load(sys.argv[2])
rows = []
for key in c2:
    n, t = c2[key] - c1[key], s2[key] - s1[key]
    if n > 0 and key[0] not in ('WATCH', 'CONNECT'):
        rows.append((key, n, t))
for (verb, resource, sub), n, t in sorted(rows, key=lambda r: -r[2])[:25]:
    name = resource + ('/' + sub if sub else '')
    print(f'{verb:7} {name:36} n={int(n):6} mean={t / n * 1000:7.1f} ms total={t:7.1f} s')
n, t = a2['count'] - a1['count'], a2['sum'] - a1['sum']
if n:
    print(f'ClusterIP allocations: {int(n)}, {t / n * 1000:.1f} ms each, {t:.1f} s in all')
# who sent them: API Priority and Fairness flow schemas (kcm's controllers use their service
# accounts, the operator and the driver run as admin: exempt)
for schema in sorted(f2, key=lambda k: -(f2[k] - f1[k])):
    if f2[schema] - f1[schema] > 0:
        print(f'flow schema {schema:28} {int(f2[schema] - f1[schema]):6} requests')
