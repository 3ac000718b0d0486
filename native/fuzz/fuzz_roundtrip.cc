// libFuzzer target: encode input-derived symbols with both coders, decode, and require the original.
//   byte 0      bit 0: fixed Gaussian tables or input-built tables (as in fuzz_rans_decode)
//   byte        seed of indexes / contexts
//   rest        symbols: a selector byte each; < 200: the value sel - 100; else 4 bytes of int32
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "adaptive_codec.h"
#include "fuzz_common.h"
#include "rans_codec.h"

namespace {

std::vector<int32_t> ReadSymbols(ncodec_fuzz::Reader& in, size_t max) {
  std::vector<int32_t> symbols;
  while (!in.empty() && symbols.size() < max) {
    const uint8_t sel = in.Byte();
    symbols.push_back(sel < 200 ? sel - 100 : static_cast<int32_t>(in.U32()));
  }
  return symbols;
}

void CheckRans(const ncodec::TableSet& tables, const std::vector<int32_t>& symbols, uint8_t seed) {
  const std::vector<int32_t> indexes = ncodec_fuzz::MakeIds(seed, symbols.size(), tables.table_count(), false);
  std::vector<uint8_t> bytes;
  if (!ncodec::RansEncode(tables, symbols, indexes, &bytes).ok()) abort();
  std::vector<int32_t> decoded(symbols.size());
  if (!ncodec::RansDecode(tables, bytes, indexes, decoded).ok() || decoded != symbols) abort();
  if (!bytes.empty()) {  // every proper prefix is truncated
    std::vector<int32_t> scratch(symbols.size());
    const size_t cut = seed % bytes.size();
    const ncodec::Status st = ncodec::RansDecode(tables, ncodec::Span<const uint8_t>(bytes.data(), cut), indexes, scratch);
    if (st.code() != ncodec::StatusCode::kTruncated) abort();
  }
}

void CheckAdaptive(const std::vector<int32_t>& values, uint8_t seed) {
  const std::vector<int32_t> sizes = {1, 2, 17, 1024, 4096};
  const std::vector<int32_t> contexts = ncodec_fuzz::MakeIds(seed, values.size(), 5, false);
  std::vector<int32_t> symbols(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const int64_t size = sizes[static_cast<size_t>(contexts[i])];
    symbols[i] = static_cast<int32_t>(((int64_t{values[i]} % size) + size) % size);
  }
  ncodec::AdaptiveOptions options;
  options.increment = seed % 64 + 1;
  std::vector<uint8_t> bytes;
  if (!ncodec::AdaptiveEncode(symbols, contexts, sizes, options, &bytes).ok()) abort();
  std::vector<int32_t> decoded(symbols.size());
  if (!ncodec::AdaptiveDecode(bytes, contexts, sizes, options, decoded).ok() || decoded != symbols) abort();
  if (!bytes.empty()) {
    const size_t cut = seed % bytes.size();
    const ncodec::Status st = ncodec::AdaptiveDecode(ncodec::Span<const uint8_t>(bytes.data(), cut), contexts, sizes,
                                                     options, decoded);
    if (st.code() != ncodec::StatusCode::kTruncated) abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ncodec_fuzz::Reader in(data, size);
  const uint8_t mode = in.Byte();
  std::unique_ptr<ncodec::TableSet> owned;
  const ncodec::TableSet* tables = &ncodec_fuzz::FixedTables();
  if (mode & 1) {
    owned = ncodec_fuzz::ReadTables(in);
    if (!owned) return 0;
    tables = owned.get();
  }
  const uint8_t seed = in.Byte();
  const std::vector<int32_t> symbols = ReadSymbols(in, 8192);
  CheckRans(*tables, symbols, seed);
  CheckAdaptive(symbols, seed);
  return 0;
}
