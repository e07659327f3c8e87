# Per policy, phase and runner: runs, median, p90, mean, share of runs over 1.5x the median; then the controller events.
# Usage: python3 runs_by_phase.py <model>_runs.csv.gz
import csv,gzip,sys,collections
rows=list(csv.DictReader(gzip.open(sys.argv[1],'rt')))
g=collections.defaultdict(list)
for r in rows: g[(r['policy'],r['phase'],r['runner'])].append(float(r['latency_ms']))
for k,v in sorted(g.items()):
    v.sort(); n=len(v)
    print('%-10s %-8s %-5s n=%5d med %.3f p90 %.3f mean %.3f >1.5med %.1f%%'%(k+(n,v[n//2],v[int(n*.9)],sum(v)/n,100*sum(x>1.5*v[n//2] for x in v)/n)))
ev=[ (r['policy'],r['run'],r['events']) for r in rows if r['events']]
print(len(ev),'events'); [print(e) for e in ev[:30]]
