"""Checks on a paired run's paired-slices.tsv beside the harness's own report (python3 analyze.py paired-slices.tsv):
how much each contender's rate swings from slice to slice, how much the paired ratio swings, what an
unpaired comparison of the same slices would give, whether the order inside a cycle matters, and
whether neighbouring cycles' ratios are correlated (the t-interval assumes independent cycles)."""
import sys, math, collections
import numpy as np
from scipy import stats

rows = collections.defaultdict(dict)  # (unit, threads) -> {(cycle, contender): (rate, position)}
for line in open(sys.argv[1]).read().splitlines()[1:]:
    unit, threads, cycle, position, contender, units, failures, wall, *_ = line.split("\t")
    rows[(unit, int(threads))][(int(cycle), contender)] = (int(units) * 1e9 / int(wall), int(position))

for (unit, threads), block in rows.items():
    cycles = sorted({c for c, _ in block})
    names = sorted({n for _, n in block}, key=["jdbc", "txguard-read-only", "txguard", "txguard-unresolved"].index)
    print(f"== {unit}, {threads} thread(s), {len(cycles)} cycles")
    for n in names:
        r = np.array([block[(c, n)][0] for c in cycles])
        print(f"  {n:20s} rate median {np.median(r):8.0f}/s  slice-to-slice sd of log rate {np.std(np.log(r), ddof=1):.3f}"
              f"  p5..p95 {np.percentile(r, 5):.0f}..{np.percentile(r, 95):.0f}")
    for a, b in [("txguard", "jdbc"), ("txguard-unresolved", "jdbc"), ("txguard", "txguard-unresolved")]:
        if a not in names or b not in names:
            continue
        ra = np.array([block[(c, a)][0] for c in cycles]); rb = np.array([block[(c, b)][0] for c in cycles])
        lr = np.log(ra / rb); n = len(lr)
        t = stats.t.ppf(0.9995, n - 1)
        paired = (math.exp(lr.mean()), math.exp(lr.mean() - t * lr.std(ddof=1) / math.sqrt(n)), math.exp(lr.mean() + t * lr.std(ddof=1) / math.sqrt(n)))
        # unpaired: the same slices as two independent samples (Welch t on log rates)
        la, lb = np.log(ra), np.log(rb)
        se = math.sqrt(la.var(ddof=1) / n + lb.var(ddof=1) / n)
        d = la.mean() - lb.mean()
        unpaired = (math.exp(d), math.exp(d - t * se), math.exp(d + t * se))
        first = np.array([block[(c, a)][1] < block[(c, b)][1] for c in cycles])
        ac = np.corrcoef(lr[:-1], lr[1:])[0, 1]
        half = n // 2
        print(f"  {a} / {b}: paired {paired[0]:.3f} [{paired[1]:.3f}, {paired[2]:.3f}] (sd of log ratio {lr.std(ddof=1):.3f});"
              f" unpaired, same slices {unpaired[0]:.3f} [{unpaired[1]:.3f}, {unpaired[2]:.3f}]")
        print(f"      {a} first: {math.exp(lr[first].mean()):.3f} (n={first.sum()}), second: {math.exp(lr[~first].mean()):.3f} (n={(~first).sum()});"
              f" lag-1 autocorrelation of log ratios {ac:+.3f}; first half {math.exp(lr[:half].mean()):.3f}, second half {math.exp(lr[half:].mean()):.3f}")
