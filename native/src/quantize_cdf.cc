#include "quantize_cdf.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <numeric>

#include "cdf_tables.h"

namespace ncodec {
namespace {

constexpr int kWeightBits = 40;  // integer weights: w = round(p / max p * 2^40)

Status CheckPrecision(int precision) {
  if (precision < 1 || precision > kMaxPrecision) {
    return Status::OutOfRange(ExpectedMessage(IntegerBetween(1, kMaxPrecision), "precision", precision));
  }
  return Status::Ok();
}

Status IntegerWeights(Span<const double> pmf, std::vector<uint64_t>* weights) {
  double max = 0;
  for (size_t i = 0; i < pmf.size(); ++i) {
    if (!(pmf[i] >= 0) || !std::isfinite(pmf[i])) {
      return Status::OutOfRange(ExpectedNumber("a finite non-negative probability", ElementName("pmf", i), pmf[i]));
    }
    max = std::max(max, pmf[i]);
  }
  if (max == 0) return Status::OutOfRange("Expected at least one positive probability for pmf but received only zeros");
  weights->resize(pmf.size());
  for (size_t i = 0; i < pmf.size(); ++i) {
    (*weights)[i] = static_cast<uint64_t>(std::llround(std::ldexp(pmf[i] / max, kWeightBits)));
  }
  return Status::Ok();
}

// Step 1: marks the symbols that get the minimum frequency 1; returns the slots R left for the rest and
// their weight sum S.
void ForceSmallSymbols(const std::vector<uint64_t>& w, uint64_t m, std::vector<bool>* forced, uint64_t* r,
                       uint64_t* s) {
  std::vector<uint32_t> order(w.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return w[a] < w[b]; });
  *r = m;
  *s = std::accumulate(w.begin(), w.end(), uint64_t{0});
  forced->assign(w.size(), false);
  for (uint32_t k : order) {
    if (w[k] * *r >= *s) break;  // share >= 1 slot, and so for every larger weight
    (*forced)[k] = true;
    *r -= 1;
    *s -= w[k];
  }
}

}  // namespace

Status QuantizePmf(Span<const double> pmf, int precision, std::vector<uint32_t>* cdf) {
  NCODEC_RETURN_IF_ERROR(CheckPrecision(precision));
  const uint64_t m = uint64_t{1} << precision;
  if (pmf.empty() || pmf.size() > m) {
    return Status::OutOfRange(ExpectedMessage(IntegerBetween(1, static_cast<int64_t>(m)) + " probabilities (" +
                                                  "one slot each at precision " + std::to_string(precision) + ")",
                                              "pmf.length", static_cast<int64_t>(pmf.size())));
  }
  std::vector<uint64_t> w;
  NCODEC_RETURN_IF_ERROR(IntegerWeights(pmf, &w));
  std::vector<bool> forced;
  uint64_t r = 0;
  uint64_t s = 0;
  ForceSmallSymbols(w, m, &forced, &r, &s);
  // Step 2: proportional shares (w * r <= 2^40 * 2^16 and s <= 2^16 * 2^40: no overflow).
  std::vector<uint32_t> freq(w.size(), 1);
  std::vector<uint32_t> candidates;
  uint64_t assigned = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    if (forced[i]) continue;
    freq[i] = static_cast<uint32_t>(w[i] * r / s);
    assigned += freq[i];
    candidates.push_back(static_cast<uint32_t>(i));
  }
  // Step 3: largest remainders take the leftover slots.
  const size_t leftover = static_cast<size_t>(r - assigned);
  auto larger_remainder = [&](uint32_t a, uint32_t b) {
    const uint64_t ra = w[a] * r % s;
    const uint64_t rb = w[b] * r % s;
    return ra != rb ? ra > rb : a < b;
  };
  std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(leftover), candidates.end(),
                    larger_remainder);
  for (size_t k = 0; k < leftover; ++k) ++freq[candidates[k]];
  cdf->assign(w.size() + 1, 0);
  for (size_t i = 0; i < w.size(); ++i) (*cdf)[i + 1] = (*cdf)[i] + freq[i];
  return Status::Ok();
}

double TailBoundMultiplier(double tail_mass) {
  // Solve 0.5 * erfc(x / sqrt(2)) = tail_mass / 2 for x >= 0 by bisection (erfc is decreasing).
  double lo = 0;
  double hi = 40;
  for (int iter = 0; iter < 200 && lo < hi; ++iter) {
    const double mid = 0.5 * (lo + hi);
    if (mid == lo || mid == hi) break;
    if (std::erfc(mid / std::sqrt(2.0)) > tail_mass) lo = mid; else hi = mid;
  }
  return 0.5 * (lo + hi);
}

namespace {

// Standard normal CDF.
double Phi(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// Appends one quantized table for `prob` (the last entry is the escape's probability).
Status AppendTable(const std::vector<double>& prob, int32_t offset, int precision, TableSetData* out) {
  std::vector<uint32_t> cdf;
  NCODEC_RETURN_IF_ERROR(QuantizePmf(prob, precision, &cdf));
  out->cdfs.insert(out->cdfs.end(), cdf.begin(), cdf.end());
  out->cdf_lengths.push_back(static_cast<int32_t>(cdf.size()));
  out->offsets.push_back(offset);
  return Status::Ok();
}

}  // namespace

Status BuildGaussianTables(Span<const double> scales, double tail_bound_multiplier, int precision,
                           TableSetData* out) {
  NCODEC_RETURN_IF_ERROR(CheckPrecision(precision));
  if (!(tail_bound_multiplier > 0) || !std::isfinite(tail_bound_multiplier)) {
    return Status::OutOfRange(ExpectedNumber("a positive finite number", "tailBoundMultiplier", tail_bound_multiplier));
  }
  if (scales.empty()) return Status::OutOfRange("Expected at least one scale for scaleTable but received none");
  // n = 2L + 2 symbols (2L + 1 values and the escape) must fit in 2^precision slots.
  const double max_half_width = static_cast<double>(((int64_t{1} << precision) - 2) / 2);
  *out = TableSetData();
  for (size_t i = 0; i < scales.size(); ++i) {
    const double s = scales[i];
    const double half_width = std::ceil(s * tail_bound_multiplier);
    if (!(s > 0) || !std::isfinite(s) || half_width > max_half_width) {
      return Status::OutOfRange(ExpectedNumber("a positive scale of at most " +
                                                   NumberString(max_half_width / tail_bound_multiplier) +
                                                   " (its table must fit " + std::to_string(precision) + "-bit precision)",
                                               ElementName("scaleTable", i), s));
    }
    const int32_t l = static_cast<int32_t>(half_width);
    std::vector<double> prob(2 * static_cast<size_t>(l) + 2);
    for (int32_t v = -l; v <= l; ++v) {
      const double a = std::fabs(static_cast<double>(v));
      prob[static_cast<size_t>(v + l)] = Phi((0.5 - a) / s) - Phi((-0.5 - a) / s);
    }
    prob.back() = 2 * Phi((-0.5 - l) / s);
    NCODEC_RETURN_IF_ERROR(AppendTable(prob, -l, precision, out));
  }
  return Status::Ok();
}

Status BuildFactorizedTables(Span<const double> pmfs, Span<const int32_t> pmf_lengths,
                             Span<const double> tail_mass, Span<const int32_t> offsets, int precision,
                             TableSetData* out) {
  NCODEC_RETURN_IF_ERROR(CheckPrecision(precision));
  const size_t channels = pmf_lengths.size();
  if (tail_mass.size() != channels || offsets.size() != channels) {
    return Status::OutOfRange(ExpectedMessage("one tail mass and one offset per channel (" + std::to_string(channels) + ")",
                                              "tailMass.length", static_cast<int64_t>(tail_mass.size())));
  }
  const int64_t max_length = (int64_t{1} << precision) - 1;
  uint64_t total = 0;
  for (size_t c = 0; c < channels; ++c) {
    if (pmf_lengths[c] < 1 || pmf_lengths[c] > max_length) {
      return Status::OutOfRange(ExpectedMessage(IntegerBetween(1, max_length), ElementName("pmfLengths", c), pmf_lengths[c]));
    }
    total += static_cast<uint64_t>(pmf_lengths[c]);
  }
  if (total != pmfs.size()) {
    return Status::OutOfRange(ExpectedMessage("the sum of pmfLengths (" + std::to_string(total) + ")", "pmfs.length",
                                              static_cast<int64_t>(pmfs.size())));
  }
  for (size_t k = 0; k < pmfs.size(); ++k) {
    if (!(pmfs[k] >= 0) || !std::isfinite(pmfs[k])) {
      return Status::OutOfRange(ExpectedNumber("a finite non-negative probability", ElementName("pmfs", k), pmfs[k]));
    }
  }
  *out = TableSetData();
  size_t base = 0;
  for (size_t c = 0; c < channels; ++c) {
    if (!(tail_mass[c] >= 0) || !std::isfinite(tail_mass[c])) {
      return Status::OutOfRange(ExpectedNumber("a finite non-negative probability", ElementName("tailMass", c), tail_mass[c]));
    }
    const size_t length = static_cast<size_t>(pmf_lengths[c]);
    std::vector<double> prob(pmfs.data() + base, pmfs.data() + base + length);
    prob.push_back(tail_mass[c]);
    base += length;
    NCODEC_RETURN_IF_ERROR(AppendTable(prob, offsets[c], precision, out));
  }
  return Status::Ok();
}

}  // namespace ncodec
