"""Entropy models for learned compression and the integer CDF tables the native coder uses.

* ``EntropyBottleneck``: the factorized, per-channel learned density of Ballé et al.,
  "Variational image compression with a scale hyperprior" (ICLR 2018, appendix 6.1), written
  after CompressAI's ``EntropyBottleneck``: a monotone cumulative c(x) built from softplus
  matrices, biases and tanh "factors"; P(x_hat) = c(x_hat + 1/2) - c(x_hat - 1/2).  Its
  ``quantiles`` (tail, median, tail) are learned by the auxiliary loss.
* ``gaussian_likelihood``: the conditional Gaussian of the (mean-)scale hyperprior,
  P(y_hat | mu, sigma) = Phi((y - mu + 1/2)/sigma) - Phi((y - mu - 1/2)/sigma).
* ``quantize_cdf`` and the two ``*_tables`` builders: the integer tables written into the
  manifest.  Table format (shared with the native rANS coder): precision 16, table i has
  ``cdfLengths[i]`` entries, cdf[0] = 0, strictly increasing, last = 65536; symbols
  0..n-2 are the values ``s + offsets[i]``, symbol n-1 is the escape (tail mass).
"""
from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

from .gdn import lower_bound
from .rate import ste_round

PRECISION = 16
LIKELIHOOD_BOUND = 1e-9
SCALE_BOUND = 0.11


def default_scale_table(lo: float = 0.11, hi: float = 256.0, levels: int = 64) -> np.ndarray:
    """exp(linspace(log lo, log hi, levels)) rounded to float32 (the values the codec compares)."""
    return np.exp(np.linspace(math.log(lo), math.log(hi), levels)).astype(np.float32)


class EntropyBottleneck(nn.Module):
    """Learned factorized density for each channel of ``z`` (Ballé et al. 2018)."""

    def __init__(self, channels: int, filters=(3, 3, 3), init_scale: float = 10.0,
                 tail_mass: float = 1e-9):
        super().__init__()
        self.channels = channels
        self.filters = (1,) + tuple(filters) + (1,)
        self.tail_mass = tail_mass
        scale = init_scale ** (1.0 / (len(self.filters) - 1))
        self.matrices = nn.ParameterList()
        self.biases = nn.ParameterList()
        self.factors = nn.ParameterList()
        for i in range(len(self.filters) - 1):
            init = math.log(math.expm1(1.0 / scale / self.filters[i + 1]))
            self.matrices.append(nn.Parameter(
                torch.full((channels, self.filters[i + 1], self.filters[i]), init)))
            self.biases.append(nn.Parameter(
                torch.empty(channels, self.filters[i + 1], 1).uniform_(-0.5, 0.5)))
            if i < len(self.filters) - 2:
                self.factors.append(nn.Parameter(torch.zeros(channels, self.filters[i + 1], 1)))
        init_q = torch.tensor([-init_scale, 0.0, init_scale])
        self.quantiles = nn.Parameter(init_q.repeat(channels, 1, 1))
        target = math.log(2.0 / tail_mass - 1.0)
        self.register_buffer("target", torch.tensor([-target, 0.0, target]))

    @property
    def medians(self) -> torch.Tensor:
        return self.quantiles[:, 0, 1].detach()

    def _logits_cumulative(self, x: torch.Tensor, stop_gradient: bool,
                           rows: torch.Tensor | None = None) -> torch.Tensor:
        """Logit of the cumulative c(x); ``x`` has shape (C, 1, K), or (len(rows), 1, K) when
        ``rows`` selects which of the densities to use."""
        def pick(param):
            param = param if rows is None else param[rows]
            return param.detach() if stop_gradient else param

        logits = x
        for i, (matrix, bias) in enumerate(zip(self.matrices, self.biases)):
            logits = torch.matmul(F.softplus(pick(matrix)), logits) + pick(bias)
            if i < len(self.factors):
                logits = logits + torch.tanh(pick(self.factors[i])) * torch.tanh(logits)
        return logits

    def aux_loss(self) -> torch.Tensor:
        """Pull quantiles to the tail_mass/2, 1/2, 1 - tail_mass/2 points of each density."""
        logits = self._logits_cumulative(self.quantiles, stop_gradient=True)
        return torch.abs(logits - self.target).sum()

    def likelihood(self, x: torch.Tensor, rows: torch.Tensor | None = None) -> torch.Tensor:
        """P(x) under the per-channel density (x already noisy or quantized), NCHW; channel i
        of x uses density ``rows[i]`` when given (else density i)."""
        n, c, h, w = x.shape
        v = x.permute(1, 0, 2, 3).reshape(c, 1, -1)
        lower = self._logits_cumulative(v - 0.5, stop_gradient=False, rows=rows)
        upper = self._logits_cumulative(v + 0.5, stop_gradient=False, rows=rows)
        sign = -torch.sign(lower + upper).detach()
        lik = torch.abs(torch.sigmoid(sign * upper) - torch.sigmoid(sign * lower))
        lik = lik.reshape(c, n, h, w).permute(1, 0, 2, 3)
        return lower_bound(lik, LIKELIHOOD_BOUND)

    def quantize(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        """Additive uniform noise while training; round(x - median) + median otherwise."""
        if training:
            return x + torch.empty_like(x).uniform_(-0.5, 0.5)
        med = self.medians.reshape(1, -1, 1, 1)
        return torch.round(x - med) + med

    def medians_at(self, level: torch.Tensor | None, dims: int) -> torch.Tensor:
        """The medians to subtract from a ``dims``-dimensional latent (N, C, ...), broadcastable;
        one shared density here, so ``level`` (the batch's rate levels) is not used."""
        return self.medians.reshape((1, -1) + (1,) * (dims - 2))

    def likelihood_at(self, x: torch.Tensor, level: torch.Tensor | None) -> torch.Tensor:
        """``likelihood(x)`` for a batch whose samples have rate levels ``level`` (not used here)."""
        return self.likelihood(x)

    def mixed_quantize(self, y: torch.Tensor, training: bool, level: torch.Tensor | None = None):
        """(y_hat, likelihoods) of latents y (NCHW, or NCT for signals): while training the
        likelihoods of y + U(-1/2, 1/2) and the straight-through rounded y_hat the decoder sees
        (mixed quantization, Minnen & Singh 2020); otherwise y_hat = round(y - median) + median
        and its likelihoods.  Likelihoods have y's shape.  ``level`` (N,) are the samples' rate
        levels, which only a ``LevelBottleneck`` uses."""
        signal = y.dim() == 3
        med = self.medians_at(level, y.dim())
        if training:
            noisy = y + torch.empty_like(y).uniform_(-0.5, 0.5)
            lik = self.likelihood_at(noisy[:, :, None] if signal else noisy, level)
            y_hat = ste_round(y - med) + med
        else:
            y_hat = torch.round(y - med) + med
            lik = self.likelihood_at(y_hat[:, :, None] if signal else y_hat, level)
        return y_hat, (lik[:, :, 0] if signal else lik)

    @torch.no_grad()
    def pmfs(self):
        """Per-channel pmf over the integer offsets from the median, plus the tail mass.

        Returns (pmfs list of float64 arrays, tail masses, offsets) like CompressAI's update():
        value v = round(z - median) has pmf index v - offset, offset = -ceil(median - q_low).
        """
        q = self.quantiles.detach().double()
        medians = q[:, 0, 1]
        minima = torch.clamp(torch.ceil(medians - q[:, 0, 0]), min=0).long()
        maxima = torch.clamp(torch.ceil(q[:, 0, 2] - medians), min=0).long()
        lengths = minima + maxima + 1
        samples = torch.arange(int(lengths.max()), dtype=torch.float64)
        samples = (samples[None, :] + (medians - minima)[:, None]).unsqueeze(1)
        lower = self._logits_cumulative_double(samples - 0.5)
        upper = self._logits_cumulative_double(samples + 0.5)
        sign = -torch.sign(lower + upper)
        pmf = torch.abs(torch.sigmoid(sign * upper) - torch.sigmoid(sign * lower))[:, 0, :]
        tail = torch.sigmoid(lower[:, 0, 0]) + torch.sigmoid(-upper[:, 0, -1])
        pmfs = [pmf[i, : int(lengths[i])].numpy() for i in range(self.channels)]
        return pmfs, tail.numpy(), (-minima).numpy()

    @torch.no_grad()
    def solve_quantiles(self, iterations: int = 80) -> torch.Tensor:
        """Exact quantiles by bisection on the (monotone) learned cumulative, in float64.

        The auxiliary loss moves ``quantiles`` by ~lr per step, so an early checkpoint's
        quantiles can be far from the tail_mass/2 and 1/2 points; exporting with the solved
        values gives the tables the density really has.  Returns (C, 1, 3) and does not modify
        the module.
        """
        targets = self.target.double()
        c = self.channels
        lo = torch.full((c, 1, 3), -1.0, dtype=torch.float64)
        hi = torch.full((c, 1, 3), 1.0, dtype=torch.float64)
        for _ in range(64):  # widen the bracket until it holds every target
            f_lo = self._logits_cumulative_double(lo.reshape(c, 1, 3)) - targets
            f_hi = self._logits_cumulative_double(hi.reshape(c, 1, 3)) - targets
            if bool((f_lo <= 0).all() and (f_hi >= 0).all()):
                break
            lo = torch.where(f_lo > 0, lo * 2, lo)
            hi = torch.where(f_hi < 0, hi * 2, hi)
        for _ in range(iterations):
            mid = (lo + hi) / 2
            above = self._logits_cumulative_double(mid) - targets > 0
            hi = torch.where(above, mid, hi)
            lo = torch.where(above, lo, mid)
        return ((lo + hi) / 2).float()

    def _logits_cumulative_double(self, x: torch.Tensor) -> torch.Tensor:
        logits = x
        for i, (matrix, bias) in enumerate(zip(self.matrices, self.biases)):
            logits = torch.matmul(F.softplus(matrix.double()), logits) + bias.double()
            if i < len(self.factors):
                logits = logits + torch.tanh(self.factors[i].double()) * torch.tanh(logits)
        return logits


class LevelBottleneck(EntropyBottleneck):
    """One factorized density per (rate level, channel): ``levels`` x ``channels`` densities,
    row ``l * channels + c`` for channel c at level l.

    With gain units (Cui et al. 2021) one shared density per channel must cover every level's
    spread at once, so at the low levels, where gain * y is narrow, the symbols pay for the
    high levels' width (on the wavelet model at step 9,157: 0.79 bpp at level 1 under the shared
    density against 0.55 with per-level tables fitted to training images).  Per-level densities
    remove that floor; they cost nothing in the networks, only C x L tables in the manifest."""

    def __init__(self, channels: int, levels: int, **kwargs):
        super().__init__(channels * levels, **kwargs)
        self.per_level, self.levels = channels, levels

    def rows(self, level: int, device=None) -> torch.Tensor:
        return torch.arange(self.per_level, device=device) + level * self.per_level

    def medians_at(self, level: torch.Tensor | None, dims: int) -> torch.Tensor:
        if level is None:
            raise ValueError("LevelBottleneck needs the samples' rate levels")
        med = self.medians.reshape(self.levels, self.per_level)[level]
        return med.reshape(med.shape + (1,) * (dims - 2))

    def likelihood_at(self, x: torch.Tensor, level: torch.Tensor | None) -> torch.Tensor:
        if level is None:
            raise ValueError("LevelBottleneck needs the samples' rate levels")
        parts, order = [], []
        for l in torch.unique(level).tolist():
            idx = (level == l).nonzero(as_tuple=True)[0]
            parts.append(self.likelihood(x[idx], self.rows(l, x.device)))
            order.append(idx)
        return torch.cat(parts)[torch.argsort(torch.cat(order))]


def _standard_cdf(x: torch.Tensor) -> torch.Tensor:
    return 0.5 * torch.erfc(-x * (2 ** -0.5))


def gaussian_likelihood(y: torch.Tensor, scales: torch.Tensor, means: torch.Tensor) -> torch.Tensor:
    """P(y) for y (noisy or quantized) under N(means, scales) integrated over unit bins."""
    scales = lower_bound(scales, SCALE_BOUND)
    v = torch.abs(y - means)
    upper = _standard_cdf((0.5 - v) / scales)
    lower = _standard_cdf((-0.5 - v) / scales)
    return lower_bound(upper - lower, LIKELIHOOD_BOUND)


def scale_indexes(scales: torch.Tensor, table: np.ndarray) -> torch.Tensor:
    """CompressAI build_indexes: index = #{j < L-1 : table[j] < max(scale, table[0])} (float32)."""
    t = torch.as_tensor(table, dtype=torch.float32)
    s = torch.clamp(scales.float(), min=float(t[0]))
    idx = torch.zeros_like(s, dtype=torch.long)
    for j in range(len(t) - 1):
        idx += (s > t[j]).long()
    return idx


def gaussian_pmfs(scale_table: np.ndarray, tail_mass: float = 1e-9):
    """One pmf per scale over v in [-c, c], c = ceil(scale * -Phi^-1(tail/2)), plus tail mass."""
    from scipy.stats import norm
    multiplier = -norm.ppf(tail_mass / 2)
    pmfs, tails, offsets = [], [], []
    for s in scale_table.astype(np.float64):
        center = int(math.ceil(s * multiplier))
        v = np.abs(np.arange(2 * center + 1) - center).astype(np.float64)
        pmf = norm.cdf((0.5 - v) / s) - norm.cdf((-0.5 - v) / s)
        pmfs.append(pmf)
        tails.append(2 * norm.cdf((-0.5 - center) / s))
        offsets.append(-center)
    return pmfs, np.array(tails), np.array(offsets)


def quantize_cdf(pmf: np.ndarray, tail: float, precision: int = PRECISION) -> np.ndarray:
    """Integer CDF for ``pmf`` + escape symbol (``tail``), every frequency >= 1.

    freq_i = 1 + floor(p_i / sum(p) * (2^precision - n)) in float64 over the n = len(pmf) + 1
    symbols (the escape last); the remaining slack goes to the largest frequency (first one on
    ties).  Returns the n + 1 cumulative values 0 .. 2^precision.
    """
    p = np.concatenate([np.asarray(pmf, dtype=np.float64), [float(tail)]])
    p = np.maximum(p, 0.0)
    n = len(p)
    total = 1 << precision
    if n > total:
        raise ValueError(f"table with {n} symbols does not fit {precision}-bit precision")
    freq = 1 + np.floor(p / p.sum() * (total - n)).astype(np.int64)
    freq[int(np.argmax(freq))] += total - int(freq.sum())
    cdf = np.concatenate([[0], np.cumsum(freq)]).astype(np.int64)
    assert cdf[-1] == total and np.all(np.diff(cdf) >= 1)
    return cdf


def table_set(pmfs, tails, offsets, precision: int = PRECISION) -> dict:
    """Concatenate quantized CDFs into the manifest's table-set object."""
    cdfs = [quantize_cdf(p, t, precision) for p, t in zip(pmfs, tails)]
    return {
        "precision": precision,
        "cdfs": [int(v) for c in cdfs for v in c],
        "cdfLengths": [len(c) for c in cdfs],
        "offsets": [int(o) for o in offsets],
    }


def concat_table_sets(sets, precision: int = PRECISION) -> dict:
    """Table sets joined in order (table k of the second set follows the first set's tables)."""
    sets = list(sets)
    precision = sets[0]["precision"] if sets else precision
    if any(t["precision"] != precision for t in sets):
        raise ValueError("table sets of different precision")
    return {"precision": precision,
            **{k: [v for t in sets for v in t[k]] for k in ("cdfs", "cdfLengths", "offsets")}}


def table_bits(tables: dict, table_index: np.ndarray, values: np.ndarray,
               bypass_bits=None) -> tuple[float, int]:
    """Bits to code ``values`` (integers) with table ``table_index`` each, from the integer tables.

    An out-of-range value costs the escape symbol plus ``bypass_bits(value)`` (default: an
    Elias-gamma-like estimate of the raw value).  Returns (bits, number of escapes).
    """
    lengths = np.asarray(tables["cdfLengths"], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    cdfs = np.asarray(tables["cdfs"], dtype=np.int64)
    offsets = np.asarray(tables["offsets"], dtype=np.int64)
    idx = table_index.reshape(-1).astype(np.int64)
    v = values.reshape(-1).astype(np.int64)
    n = lengths[idx] - 1
    s = v - offsets[idx]
    escape = (s < 0) | (s > n - 2)
    s = np.where(escape, n - 1, s)
    freq = cdfs[starts[idx] + s + 1] - cdfs[starts[idx] + s]
    bits = float(np.sum(tables["precision"] - np.log2(freq)))
    if escape.any():
        raw = np.abs(v[escape])
        bypass = bypass_bits if bypass_bits is not None else (
            lambda r: 2 * np.floor(np.log2(r + 1)) + 1)
        bits += float(np.sum(bypass(raw)))
    return bits, int(escape.sum())
