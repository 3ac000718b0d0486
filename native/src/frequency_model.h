// An adaptive frequency model over an alphabet of up to limit / 2 <= 2^15 symbols.
//
// Counts start uniform (1 each). After a symbol is coded its count grows by `increment`; when the total
// would exceed `limit` every count is halved (rounding up, so none reaches 0). Larger increments adapt
// faster; the limit bounds the precision the range coder needs (<= 2^16) and, through the halving, lets
// old statistics fade so the model can follow non-stationary sources.
//
// Cumulative counts live in a Fenwick tree (P. M. Fenwick, "A new data structure for cumulative
// frequency tables", Software: Practice and Experience 24(3), 1994), so the encoder's prefix sum, the
// decoder's search for the symbol holding a target count and the update all take O(log n) steps
// instead of O(n) for a plain array: what makes alphabets of thousands of symbols practical.
#ifndef NCODEC_FREQUENCY_MODEL_H_
#define NCODEC_FREQUENCY_MODEL_H_

#include <cstdint>
#include <vector>

namespace ncodec {

constexpr uint32_t kMaxModelTotal = 1u << 16;

class FrequencyModel {
 public:
  // Requires 1 <= alphabet_size <= limit / 2, 1 <= increment <= limit / 2, limit <= kMaxModelTotal
  // (checked by the callers; see ValidateAdaptiveModels).
  FrequencyModel(uint32_t alphabet_size, uint32_t increment, uint32_t limit);

  uint32_t total() const { return total_; }
  uint32_t Freq(uint32_t symbol) const { return counts_[symbol]; }

  // Sum of the counts of the symbols below `symbol`.
  uint32_t CumFreq(uint32_t symbol) const {
    uint32_t sum = 0;
    for (uint32_t i = symbol; i > 0; i &= i - 1) sum += tree_[i];
    return sum;
  }

  // The symbol s with CumFreq(s) <= target < CumFreq(s) + Freq(s) (target < total), by binary descent
  // through the tree; *cum receives CumFreq(s).
  // The tree is padded to a power of two with zero counts, whose prefix sums (= total) are never
  // <= target, so each step needs no bounds test and compiles without branches.
  uint32_t Find(uint32_t target, uint32_t* cum) const {
    uint32_t pos = 0;
    uint32_t rest = target;
    for (uint32_t step = top_step_; step != 0; step >>= 1) {
      const uint32_t node = tree_[pos + step];
      const uint32_t take = 0u - static_cast<uint32_t>(node <= rest);
      pos += step & take;
      rest -= node & take;
    }
    *cum = target - rest;
    return pos;  // pos symbols lie below the target
  }

  void Update(uint32_t symbol) {
    counts_[symbol] += increment_;
    total_ += increment_;
    if (total_ > limit_) {
      Halve();
      return;
    }
    for (uint32_t i = symbol + 1; i <= padded_; i += i & (0u - i)) tree_[i] += increment_;
  }

 private:
  void Halve();
  void Rebuild();

  uint32_t size_;
  uint32_t increment_;
  uint32_t limit_;
  uint32_t total_ = 0;
  uint32_t padded_ = 1;    // size_ rounded up to a power of two
  uint32_t top_step_ = 1;  // padded_ / 2, the first step of Find (the whole tree when padded_ == 1)
  std::vector<uint32_t> counts_;
  // 1-based Fenwick tree over padded_ counts (zeros past size_): tree_[i] sums the counts over
  // (i - lowbit(i), i].
  std::vector<uint32_t> tree_;
};

}  // namespace ncodec

#endif  // NCODEC_FREQUENCY_MODEL_H_
