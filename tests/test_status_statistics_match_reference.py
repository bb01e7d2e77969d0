"""The statistics behind the status equal independent implementations (statsmodels, scipy) to
1e-9 where one exists: the Poisson log-linear fit and its covariance, the quasi-Poisson
dispersion, weighted least squares, the recent level's score test, the negative binomial
chance of a count; the penalised fits against a direct numerical optimisation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import optimize
from scipy import stats as sp
from statsmodels.stats.rates import test_poisson_2indep as poisson_2indep

from indicators.evidence import RecentCounts, count_evidence, gaussian_evidence
from indicators.forecast import count_probability
from indicators.glm import gaussian_fit, pearson_dispersion, poisson_fit
from indicators.noise import AreaCounts, level_dispersion, season_profile

RNG = np.random.default_rng(20261204)


def monthly(n: int = 48, rate: float = 6.0, phi: float = 1.0):
    season = 1 + 0.3 * np.cos(2 * np.pi * (np.arange(n) % 12) / 12)
    exposure = np.full(n, 1 / 12) * season
    mean = rate * 12 * exposure
    counts = RNG.poisson(RNG.gamma(mean / (phi - 1), phi - 1) if phi > 1 else mean)
    return counts.astype(float), exposure, season


def close(a, b, tol=1e-9):
    return np.allclose(np.asarray(a, float), np.asarray(b, float), rtol=tol, atol=tol)


def test_the_poisson_fit_equals_statsmodels_glm():
    y, x, _ = monthly()
    t = np.arange(y.size) / 12
    X = np.column_stack([np.ones(y.size), t - t.mean(), (t > 2).astype(float)])
    mine = poisson_fit(X, y, np.log(x))
    ref = sm.GLM(y, X, family=sm.families.Poisson(), offset=np.log(x)).fit(tol=1e-14)
    assert mine.converged
    assert close(mine.beta, ref.params)
    assert close(mine.cov, ref.cov_params())
    assert close(mine.fitted, ref.fittedvalues)


@pytest.mark.parametrize("phi", [1.0, 2.5])
def test_the_quasi_poisson_dispersion_equals_statsmodels_pearson_scale(phi):
    y, x, season = monthly(36, 9.0, phi)
    t = np.arange(36) / 12.0
    X = np.column_stack([np.ones(36), t - t.mean()])
    ref = sm.GLM(y, X, family=sm.families.Poisson(), offset=np.log(x)).fit(scale="X2",
                                                                           tol=1e-14)
    chi2, df = pearson_dispersion(y, poisson_fit(X, y, np.log(x)).fitted, 2)
    assert df == ref.df_resid
    assert close(chi2 / df, ref.scale)
    # one area alone: the dispersion of its level is its own Pearson estimate (floored at 1)
    d = level_dispersion([AreaCounts("A", y, np.full(36, 1 / 12), season)])["A"]
    assert close(d.estimate, ref.scale)
    assert close(d.phi, max(1.0, ref.scale)) and d.df == ref.df_resid


def test_pooled_dispersion_is_the_summed_chi_square_over_the_summed_degrees_of_freedom():
    areas, chi2s, dfs = [], 0.0, 0
    for k, rate in enumerate((2.0, 8.0, 30.0)):
        y, x, season = monthly(36, rate, 1.8)
        areas.append(AreaCounts(f"A{k}", y, np.full(36, 1 / 12), season))
        t = np.arange(36) / 12.0
        X = np.column_stack([np.ones(36), t - t.mean()])
        ref = sm.GLM(y, X, family=sm.families.Poisson(), offset=np.log(x)).fit(scale="X2",
                                                                               tol=1e-14)
        chi2s += ref.scale * ref.df_resid
        dfs += int(ref.df_resid)
    out = level_dispersion(areas)
    assert {d.df for d in out.values()} == {dfs}
    assert all(close(d.estimate, chi2s / dfs) for d in out.values())
    # the largest area is at least as dispersed as the level (the negative binomial pattern)
    assert out["A2"].phi >= out["A0"].phi >= 1.0


def test_weighted_least_squares_equals_statsmodels_wls():
    X = np.column_stack([np.ones(6), np.arange(6.0)])
    y = np.array([0.3, 0.25, 0.27, 0.2, 0.22, 0.18])
    var = np.array([1e-3, 2e-3, 1.5e-3, 1e-3, 3e-3, 2e-3])
    mine = gaussian_fit(X, y, var)
    ref = sm.WLS(y, X, weights=1 / var).fit()
    assert close(mine.beta, ref.params)
    assert close(mine.cov, ref.normalized_cov_params)


def test_the_penalised_fits_are_the_optimum_of_their_objective():
    y, x, _ = monthly(60, 5.0)
    h = np.maximum(np.arange(60) / 12 - 3, 0.0)
    X = np.column_stack([np.ones(60), (h > 0).astype(float), h])
    prec = np.array([0.0, 1 / 0.3 ** 2, 1 / 0.1 ** 2])
    phi = 1.7
    fit = poisson_fit(X, y, np.log(x), phi, prec)

    def minus(b):
        eta = np.log(x) + X @ b
        return -((y * eta - np.exp(eta)).sum() / phi - 0.5 * (prec * b * b).sum())

    ref = optimize.minimize(minus, np.zeros(3), method="BFGS", options={"gtol": 1e-10})
    assert np.allclose(fit.beta, ref.x, atol=1e-5)
    # the covariance is the inverse Hessian of the penalised objective at the optimum
    mu = np.exp(np.log(x) + X @ fit.beta)
    assert close(fit.cov, np.linalg.inv((X.T * mu) @ X / phi + np.diag(prec)))
    g = gaussian_fit(X[:6], y[:6] / 10, np.full(6, 0.01), prec)
    Xs, ys = X[:6], y[:6] / 10
    expected = np.linalg.solve(Xs.T @ Xs / 0.01 + np.diag(prec), Xs.T @ ys / 0.01)
    assert close(g.beta, expected)


def test_the_recent_level_test_is_statsmodels_score_test_without_extra_variation():
    y = RNG.poisson(7.0, 30).astype(float)
    x = np.full(30, 1 / 12)
    rc = RecentCounts(y, x, 260.0, 3.0)
    e = count_evidence(rc, 1.0, None, "2023-12/2025-11", "2017-2019")
    ref = poisson_2indep(y[-24:].sum(), 2.0, 260, 3.0, method="score")
    assert close(e.z, ref.statistic) and close(e.p_value, ref.pvalue)
    # with extra variation the variance is phi times larger: z shrinks by sqrt(phi)
    e2 = count_evidence(rc, 2.0, None, "2023-12/2025-11", "2017-2019")
    assert close(e2.z, ref.statistic / math.sqrt(2.0))
    # with estimated dispersion (df) the p-value comes from Student's t
    e3 = count_evidence(rc, 2.0, 34, "2023-12/2025-11", "2017-2019")
    assert close(e3.p_value, 2 * sp.t.sf(abs(e2.z), 34))


def test_the_share_test_on_the_logit_scale_is_the_delta_method_z_test():
    e = gaussian_evidence(0.12, 0.12 * 0.88 / 900, 0.15, 0.15 * 0.85 / 850, "logit", 24,
                          "2025", "2019")
    se = math.sqrt(1 / (900 * 0.12 * 0.88) + 1 / (850 * 0.15 * 0.85))
    z = (math.log(0.12 / 0.88) - math.log(0.15 / 0.85)) / se
    assert close(e.z, z) and close(e.p_value, 2 * sp.norm.sf(abs(z)))


@pytest.mark.parametrize("phi", [1.0, 1.8])
def test_the_chance_of_a_count_is_the_poisson_or_negative_binomial_distribution(phi):
    for mean, k in ((4.2, 3.0), (60.0, 55.4), (250.0, 260.0)):
        ref = (sp.poisson.cdf(math.floor(k), mean) if phi == 1.0
               else sp.nbinom.cdf(math.floor(k), mean / (phi - 1), 1 / phi))
        assert close(count_probability(mean, 0.0, phi, k, True), ref)
        assert close(count_probability(mean, 0.0, phi, k, False),
                     1 - (sp.poisson.cdf(math.ceil(k) - 1, mean) if phi == 1.0 else
                          sp.nbinom.cdf(math.ceil(k) - 1, mean / (phi - 1), 1 / phi)))
    # uncertainty about the mean: the average over a log-normal mean (Gauss-Hermite), checked
    # against a direct numerical integral
    mean, s = 40.0, 0.2
    grid = np.linspace(-8, 8, 4001)
    dens = sp.norm.pdf(grid)
    cdf = (sp.poisson.cdf(35, mean * np.exp(s * grid)) if phi == 1.0 else
           sp.nbinom.cdf(35, mean * np.exp(s * grid) / (phi - 1), 1 / phi))
    direct = float(np.trapezoid(dens * cdf, grid))
    assert abs(count_probability(mean, s * s, phi, 35.0, True) - direct) < 1e-6


def test_a_seasonal_profile_averages_one_and_leans_to_flat_on_few_events():
    import datetime as dt

    months = [dt.date(2019 + k // 12, k % 12 + 1, 1) for k in range(36)]
    big = season_profile([(m, 100.0 * (2.0 if m.month == 12 else 1.0)) for m in months])
    assert close(np.mean(big), 1.0)
    assert big[11] > 1.8 and 0.9 < big[0] < 1.0
    few = season_profile([(m, 2.0 if m.month == 12 else 0.0) for m in months])
    assert few[11] < 1.6  # six events in December, not twelve times the other months
    assert season_profile([]) == (1.0,) * 12
