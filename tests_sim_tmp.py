import sys
import time

import numpy as np

from indicators import early_warning as ew


def null_series(rng, S, W, step=None, start=None):
    # weekly means: lognormal, median 0.6/week, some big
    base = rng.lognormal(np.log(0.6), 1.0, S)
    weeks = np.arange(W)
    season = 1 + 0.2*np.sin(2*np.pi*(weeks/52.18) + rng.uniform(0, 2*np.pi, (S,1)))
    trend = np.exp(rng.normal(-0.03, 0.05, (S,1)) * weeks/52.18)
    years = weeks // 52
    ylev = rng.gamma(1/0.1**2, 0.1**2, (S, years.max()+1))[:, years]
    mu = base[:,None]*season*trend*ylev
    if step is not None:
        mu[:, start:] *= step
    phi = 1.5
    n = mu/(phi-1)
    g = rng.gamma(n, (phi-1), mu.shape)  # gamma-poisson: mean mu, var mu*phi
    return rng.poisson(g).astype(float), base

rng = np.random.default_rng(1)
S, E = 4000, 104
W = ew.history_weeks(E)
Y, base = null_series(rng, S, W)
t0 = time.time()
res = ew.detect(Y, E, float(sys.argv[1]) if len(sys.argv)>1 else ew.ALPHA)
print("secs", time.time()-t0)
al = res.alerts()
per_series_year = al.sum()/S/(E/52)
print("false alerts per series-year", per_series_year, "per 8-cat wijk-year", 8*per_series_year)
print("exceed weeks rate", res.exceeds.mean())
# by size
for lo,hi in [(0,0.3),(0.3,1),(1,3),(3,100)]:
    m=(base>=lo)&(base<hi)
    print(lo,hi,m.sum(), al[m].sum()/m.sum()/(E/52))
