// From probabilities to integer tables: pmf -> quantized CDF, and the two table sets of learned
// compression (CompressAI's GaussianConditional and EntropyBottleneck).
#ifndef NCODEC_QUANTIZE_CDF_H_
#define NCODEC_QUANTIZE_CDF_H_

#include <cstdint>
#include <vector>

#include "span.h"
#include "status.h"

namespace ncodec {

// Quantizes a pmf (non-negative, finite, not all zero; normalized here) into a CDF of pmf.size() + 1
// entries with cdf[0] = 0, cdf[n] = 2^precision and every frequency >= 1.
//
// Only the first step uses floating point: each p_i / max_j p_j becomes an integer weight w_i of 40
// bits. From there on everything is integer arithmetic, so the result is the same on every platform:
//   1. Symbols whose proportional share of the slots is below one slot get frequency 1 ("forced"); the
//      forced set is found smallest weight first, since forcing one symbol only raises the share of the
//      rest. R = M - #forced slots remain for the others, with weight sum S.
//   2. Every other symbol gets floor(w_i * R / S) >= 1 slots (Hamilton's largest-remainder method):
//   3. the slots left over (fewer than the symbols) go one each to the largest remainders
//      w_i * R mod S, ties to the lower index.
// This improves on CompressAI's pmf_to_quantized_cdf, which rounds and then steals one slot at a time
// from the smallest frequency above 1 (quadratic, and it skews the small frequencies).
Status QuantizePmf(Span<const double> pmf, int precision, std::vector<uint32_t>* cdf);

// A table set in the TableSet input format (see cdf_tables.h).
struct TableSetData {
  std::vector<int32_t> cdfs;
  std::vector<int32_t> cdf_lengths;
  std::vector<int32_t> offsets;
};

// CompressAI's GaussianConditional tables. For each scale s of the scale table, the values
// v = -L .. L with L = ceil(s * tail_bound_multiplier) get the mass of a zero-mean Gaussian on
// [v - 0.5, v + 0.5], computed from the lower tail for accuracy:
//     pmf(v) = Phi((0.5 - |v|) / s) - Phi((-0.5 - |v|) / s),
// and the escape symbol gets the two tails beyond, 2 * Phi((-0.5 - L) / s). offset = -L.
// CompressAI derives the multiplier from a tail mass: multiplier = -Phi^-1(tail_mass / 2)
// (TailBoundMultiplier below).
Status BuildGaussianTables(Span<const double> scales, double tail_bound_multiplier, int precision,
                           TableSetData* out);

// -Phi^-1(tail_mass / 2): how many standard deviations leave tail_mass outside [-m, m].
double TailBoundMultiplier(double tail_mass);

// Per-channel tables of CompressAI's EntropyBottleneck: channel c's pmf (pmf_lengths[c] entries of the
// flat `pmfs`, for the values offsets[c] .. offsets[c] + length - 1) followed by tail_mass[c] as the
// escape symbol's probability.
Status BuildFactorizedTables(Span<const double> pmfs, Span<const int32_t> pmf_lengths,
                             Span<const double> tail_mass, Span<const int32_t> offsets, int precision,
                             TableSetData* out);

}  // namespace ncodec

#endif  // NCODEC_QUANTIZE_CDF_H_
