"""Quick checks of the table builders and the scale-index rule (no data, a few seconds):

    /usr/bin/python3 models/train/common/selftest.py
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from common.entropy import (EntropyBottleneck, default_scale_table, gaussian_pmfs,  # noqa: E402
                            quantize_cdf, scale_indexes, table_bits, table_set)


def check_quantize_cdf():
    rng = np.random.default_rng(0)
    for n in (1, 2, 5, 300, 3000):
        pmf = rng.random(n) ** 8
        cdf = quantize_cdf(pmf, 1e-9)
        assert cdf[0] == 0 and cdf[-1] == 65536 and len(cdf) == n + 2
        assert np.all(np.diff(cdf) >= 1)
    cdf = quantize_cdf(np.array([0.5, 0.25, 0.25]), 0.0)
    # n = 4: freq = 1 + floor(p * 65532) = 32767, 16384, 16384, 1 -> slack 0
    assert list(np.diff(cdf)) == [32767, 16384, 16384, 1], np.diff(cdf)


def check_scale_index():
    table = default_scale_table()
    s = torch.tensor([0.0, 0.05, float(table[0]), float(table[0]) * 1.01, float(table[1]),
                      float(table[-2]), float(table[-2]) * 1.01, 1e6])
    idx = scale_indexes(s, table).tolist()
    # CompressAI build_indexes, literally
    ref = torch.full(s.shape, len(table) - 1, dtype=torch.long)
    sc = torch.clamp(s, min=float(table[0]))
    for v in table[:-1]:
        ref -= (sc <= float(v)).long()
    assert idx == ref.tolist() == [0, 0, 0, 1, 1, 62, 63, 63], (idx, ref.tolist())


def check_table_bits():
    pmfs, tails, offsets = gaussian_pmfs(default_scale_table())
    tables = table_set(pmfs, tails, offsets)
    values = np.array([0, 1, -1, 10 ** 6])
    bits, escapes = table_bits(tables, np.array([20, 20, 20, 0]), values)
    assert escapes == 1 and bits > 0


def check_bottleneck_quantiles():
    torch.manual_seed(0)
    eb = EntropyBottleneck(3)
    eb.quantiles.data.copy_(eb.solve_quantiles())
    assert float(eb.aux_loss()) < 1e-2


if __name__ == "__main__":
    check_quantize_cdf()
    check_scale_index()
    check_table_bits()
    check_bottleneck_quantiles()
    print("selftest ok")
