// Input formats shared by the fuzz targets and the seed generator (make_seeds.cc).
//
// rANS decode input:
//   byte 0        mode: bit 0 clear = the fixed table set below, set = tables built from the input
//   [tables]      when bit 0 is set: byte T (T % 4 + 1 tables), byte P (precision P % 16 + 1), then per
//                 table: byte K (K % 32 + 2 symbols, at most 2^precision), K frequency bytes (+1 each,
//                 quantized at the precision) and 4 bytes of offset (little-endian int32, clamped so
//                 the table's values fit int32)
//   2 bytes       n = value % 4096 symbols
//   byte          seed of the indexes (bit 7 set: about 1 in 64 indexes is out of range)
//   rest          the stream
// Adaptive decode input:
//   byte C        contexts = C % 4 + 1
//   C x 2 bytes   alphabet sizes = value % 2048 + 1
//   byte          increment = value % 64 + 1
//   2 bytes       limit = min(65536, max(2 * largest alphabet, 128) + value)
//   2 bytes       n = value % 2048 symbols
//   byte          seed of the contexts
//   rest          the stream
#ifndef NCODEC_FUZZ_COMMON_H_
#define NCODEC_FUZZ_COMMON_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "adaptive_codec.h"
#include "cdf_tables.h"
#include "quantize_cdf.h"
#include "span.h"

namespace ncodec_fuzz {

// Reads the input front to back; past the end it yields zeros.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  uint8_t Byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint16_t U16() { return static_cast<uint16_t>(Byte() | (Byte() << 8)); }
  uint32_t U32() { return static_cast<uint32_t>(U16()) | (static_cast<uint32_t>(U16()) << 16); }
  ncodec::Span<const uint8_t> Rest() const {
    return pos_ < size_ ? ncodec::Span<const uint8_t>(data_ + pos_, size_ - pos_) : ncodec::Span<const uint8_t>();
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// splitmix64: the PRNG that expands one seed byte into indexes or contexts.
inline uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

inline std::vector<int32_t> MakeIds(uint8_t seed, size_t n, uint32_t count, bool with_bad) {
  std::vector<int32_t> ids(n);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t r = Mix(seed * 0x100000001ull + i);
    ids[i] = static_cast<int32_t>(r % count);
    if (with_bad && (r >> 32) % 64 == 0) ids[i] = (r >> 40) % 2 ? -1 : static_cast<int32_t>(count);
  }
  return ids;
}

// A small Gaussian table set (8 scales from 0.11 to 40), built once.
inline const ncodec::TableSet& FixedTables() {
  static const std::unique_ptr<ncodec::TableSet> tables = [] {
    std::vector<double> scales;
    for (int i = 0; i < 8; ++i) scales.push_back(0.11 * std::pow(40 / 0.11, i / 7.0));
    ncodec::TableSetData data;
    ncodec::BuildGaussianTables(scales, ncodec::TailBoundMultiplier(1e-9), 16, &data);
    std::unique_ptr<ncodec::TableSet> set;
    ncodec::TableSet::Create(data.cdfs, data.cdf_lengths, data.offsets, 16, &set);
    return set;
  }();
  return *tables;
}

// Reads the table description of the rANS input (mode bit 0 set). Every table it makes is valid.
inline std::unique_ptr<ncodec::TableSet> ReadTables(Reader& in) {
  const int count = in.Byte() % 4 + 1;
  const int precision = in.Byte() % 16 + 1;
  const size_t max_symbols = size_t{1} << precision;
  ncodec::TableSetData data;
  for (int t = 0; t < count; ++t) {
    const size_t k = std::min<size_t>(in.Byte() % 32 + 2, max_symbols);
    std::vector<double> pmf(k);
    for (double& p : pmf) p = in.Byte() + 1.0;
    const int64_t offset = static_cast<int32_t>(in.U32());
    std::vector<uint32_t> cdf;
    if (!ncodec::QuantizePmf(pmf, precision, &cdf).ok()) return nullptr;
    data.cdfs.insert(data.cdfs.end(), cdf.begin(), cdf.end());
    data.cdf_lengths.push_back(static_cast<int32_t>(cdf.size()));
    data.offsets.push_back(static_cast<int32_t>(std::min<int64_t>(offset, int64_t{INT32_MAX} - (static_cast<int64_t>(k) - 2))));
  }
  std::unique_ptr<ncodec::TableSet> set;
  if (!ncodec::TableSet::Create(data.cdfs, data.cdf_lengths, data.offsets, precision, &set).ok()) return nullptr;
  return set;
}

struct AdaptiveCase {
  std::vector<int32_t> sizes;
  ncodec::AdaptiveOptions options;
  std::vector<int32_t> contexts;
};

inline AdaptiveCase ReadAdaptiveCase(Reader& in) {
  AdaptiveCase c;
  const int count = in.Byte() % 4 + 1;
  int32_t largest = 1;
  for (int i = 0; i < count; ++i) {
    c.sizes.push_back(in.U16() % 2048 + 1);
    largest = std::max(largest, c.sizes.back());
  }
  c.options.increment = in.Byte() % 64 + 1;
  c.options.limit = std::min<uint32_t>(65536, std::max<uint32_t>(2 * static_cast<uint32_t>(largest), 128) + in.U16());
  const size_t n = in.U16() % 2048;
  c.contexts = MakeIds(in.Byte(), n, static_cast<uint32_t>(count), false);
  return c;
}

}  // namespace ncodec_fuzz

#endif  // NCODEC_FUZZ_COMMON_H_
