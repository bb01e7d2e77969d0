"""Two small regression fits the status needs, in numpy: a Poisson log-linear model of counts
(optionally with a Gaussian prior on some coefficients, i.e. a ridge penalty) and a weighted
least-squares line with the same kind of prior.

Both are textbook: iteratively reweighted least squares for the Poisson model (Nelder &
Wedderburn 1972; McCullagh & Nelder 1989, ch. 2 and 6) and the normal equations for the
Gaussian one. Without a prior they equal statsmodels' ``GLM(..., family=Poisson(),
offset=...)`` and ``WLS`` (``tests/test_statistics_match_reference.py``). With a prior, the
estimate is the posterior mode under a flat prior on the unpenalised coefficients and
``N(0, 1 / precision)`` on the others, and the covariance is the inverse of the penalised
information: the Gaussian (Laplace) approximation of the posterior.

Quasi-likelihood: a ``scale`` (the dispersion, ``phi >= 1`` for overdispersed counts) divides
the log-likelihood, so it widens the covariance by ``phi`` and makes the prior relatively
stronger, as a quasi-Poisson model does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["Fit", "gaussian_fit", "pearson_dispersion", "poisson_fit"]


@dataclass(frozen=True)
class Fit:
    """A fitted model: coefficients, their covariance (already scaled), fitted means."""

    beta: np.ndarray
    cov: np.ndarray
    fitted: np.ndarray
    converged: bool

    def linear(self, x: ArrayLike) -> tuple[float, float]:
        """``x . beta`` and its standard error for a vector of covariates ``x``."""
        v = np.asarray(x, dtype=float)
        return float(v @ self.beta), math.sqrt(max(float(v @ self.cov @ v), 0.0))


def _precision(prior_precision: ArrayLike | None, k: int) -> np.ndarray:
    if prior_precision is None:
        return np.zeros(k)
    p = np.asarray(prior_precision, dtype=float)
    if p.shape != (k,) or np.any(p < 0) or not np.all(np.isfinite(p)):
        raise ValueError(f"prior precision must be {k} non-negative numbers, got {p!r}")
    return p


def poisson_fit(
    X: ArrayLike, y: ArrayLike, offset: ArrayLike | None = None, scale: float = 1.0,
    prior_precision: ArrayLike | None = None, max_iter: int = 100, tol: float = 1e-10,
) -> Fit:
    """Poisson log-linear model ``log E[y] = offset + X beta`` by IRLS.

    Maximises ``loglik(beta) / scale - beta' diag(prior_precision) beta / 2``. ``X`` is n x k
    (include a column of ones for an intercept); ``offset`` is typically ``log(exposure)``.
    The covariance is ``inverse(X' W X / scale + diag(prior_precision))`` with ``W`` the fitted
    means. Raises ValueError on negative or non-finite counts, or when the information matrix
    is singular (e.g. an unpenalised coefficient without data).
    """
    Xa = np.atleast_2d(np.asarray(X, dtype=float))
    ya = np.asarray(y, dtype=float)
    n, k = Xa.shape
    if ya.shape != (n,) or np.any(ya < 0) or not np.all(np.isfinite(ya)):
        raise ValueError("counts must be n finite non-negative numbers")
    off = np.zeros(n) if offset is None else np.broadcast_to(np.asarray(offset, float), (n,))
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    prec = _precision(prior_precision, k)
    beta = np.zeros(k)
    # start from the mean rate on the intercept-like column (or zero)
    ones = np.all(Xa == 1.0, axis=0)
    if ones.any():
        beta[int(np.argmax(ones))] = math.log(max(ya.sum(), 0.5) / float(np.exp(off).sum()))
    converged = False
    P = np.diag(prec)
    obj = _objective(Xa, ya, off, beta, scale, prec)
    for _ in range(max_iter):
        mu = np.exp(np.minimum(off + Xa @ beta, 700.0))
        info = (Xa.T * mu) @ Xa / scale + P
        grad = Xa.T @ (ya - mu) / scale - prec * beta
        try:
            step = np.linalg.solve(info, grad)
        except np.linalg.LinAlgError:
            raise ValueError("the model cannot be fitted (singular information)") from None
        # halve the step while it lowers the objective (zeros can make IRLS overshoot)
        t = 1.0
        new = _objective(Xa, ya, off, beta + step, scale, prec)
        while t > 1e-8 and new < obj - 1e-12:
            t /= 2
            new = _objective(Xa, ya, off, beta + t * step, scale, prec)
        beta = beta + t * step
        obj = new
        if np.max(np.abs(t * step)) < tol * (1 + np.max(np.abs(beta))):
            converged = True
            break
    mu = np.exp(np.minimum(off + Xa @ beta, 700.0))
    info = (Xa.T * mu) @ Xa / scale + np.diag(prec)
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        raise ValueError("the model cannot be fitted (singular information)") from None
    return Fit(beta, cov, mu, converged)


def _objective(X: np.ndarray, y: np.ndarray, off: np.ndarray, beta: np.ndarray, scale: float,
               prec: np.ndarray) -> float:
    eta = np.minimum(off + X @ beta, 700.0)
    return float((y * eta - np.exp(eta)).sum() / scale - 0.5 * (prec * beta * beta).sum())


def gaussian_fit(
    X: ArrayLike, y: ArrayLike, variance: ArrayLike, prior_precision: ArrayLike | None = None,
) -> Fit:
    """Weighted least squares ``y = X beta + e`` with known variances ``var(e_i)``.

    The estimate is ``inverse(X' W X + P) X' W y`` with ``W = 1 / variance`` and ``P`` the
    prior precision (0: ordinary WLS with known variances), its covariance
    ``inverse(X' W X + P)``.
    """
    Xa = np.atleast_2d(np.asarray(X, dtype=float))
    ya = np.asarray(y, dtype=float)
    va = np.asarray(variance, dtype=float)
    n, k = Xa.shape
    if ya.shape != (n,) or va.shape != (n,) or np.any(~(va > 0)) or not np.all(np.isfinite(ya)):
        raise ValueError("values must be finite with positive variances")
    prec = _precision(prior_precision, k)
    w = 1.0 / va
    info = (Xa.T * w) @ Xa + np.diag(prec)
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        raise ValueError("the model cannot be fitted (singular information)") from None
    beta = cov @ (Xa.T @ (w * ya))
    return Fit(beta, cov, Xa @ beta, True)


def pearson_dispersion(y: ArrayLike, fitted: ArrayLike, n_params: int) -> tuple[float, int]:
    """Pearson's chi-square over its degrees of freedom, ``sum (y - mu)^2 / mu / (n - p)``,
    the quasi-Poisson dispersion estimate (McCullagh & Nelder 1989, section 4.5.2), as
    ``(chi2, df)``. Cells with a fitted mean of 0 are left out; df 0 gives chi2 0."""
    ya = np.asarray(y, dtype=float)
    mu = np.asarray(fitted, dtype=float)
    keep = mu > 0
    df = int(keep.sum()) - n_params
    if df <= 0:
        return 0.0, 0
    return float(((ya[keep] - mu[keep]) ** 2 / mu[keep]).sum()), df
