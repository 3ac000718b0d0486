#include "frequency_model.h"

namespace ncodec {

FrequencyModel::FrequencyModel(uint32_t alphabet_size, uint32_t increment, uint32_t limit)
    : size_(alphabet_size), increment_(increment), limit_(limit), counts_(alphabet_size, 1) {
  while (padded_ < size_) padded_ *= 2;
  top_step_ = padded_ > 1 ? padded_ / 2 : 1;
  tree_.assign(padded_ + 1, 0);
  Rebuild();
}

void FrequencyModel::Halve() {
  for (uint32_t& c : counts_) c = (c + 1) / 2;
  Rebuild();
}

// O(n) construction: each node adds itself to its parent.
void FrequencyModel::Rebuild() {
  total_ = 0;
  for (uint32_t i = 1; i <= padded_; ++i) {
    tree_[i] = i <= size_ ? counts_[i - 1] : 0;
    total_ += tree_[i];
  }
  for (uint32_t i = 1; i <= padded_; ++i) {
    const uint32_t parent = i + (i & (0u - i));
    if (parent <= padded_) tree_[parent] += tree_[i];
  }
}

}  // namespace ncodec
