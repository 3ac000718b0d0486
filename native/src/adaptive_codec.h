// Adaptive multi-symbol coding of whole arrays: each symbol names the context (adaptive model) that
// codes it; every context has its own alphabet size and its own FrequencyModel, updated after each
// symbol. A range coder (range_coder.h) turns the model's counts into bytes.
//
// Use: symbols whose statistics are learned on the fly (RVQ codebook indices, quantized weights).
// The ideal size of a stream is the sum over symbols of -log2(count / total) at the moment each symbol
// was coded; AdaptiveIdealBits replays the models to compute it.
//
// Stream: empty for zero symbols; else an unsigned LEB128 varint P followed by the P bytes of the range
// coder (range_coder.h). A stream shorter than its header says is truncated; a longer one, or one whose
// decoder runs out of bytes, does not end with code 0 or meets an impossible count, is corrupt.
#ifndef NCODEC_ADAPTIVE_CODEC_H_
#define NCODEC_ADAPTIVE_CODEC_H_

#include <cstdint>
#include <vector>

#include "span.h"
#include "status.h"

namespace ncodec {

constexpr uint32_t kDefaultAdaptiveIncrement = 32;
constexpr uint32_t kDefaultAdaptiveLimit = 1u << 16;

struct AdaptiveOptions {
  uint32_t increment = kDefaultAdaptiveIncrement;  // added to a symbol's count after it is coded
  uint32_t limit = kDefaultAdaptiveLimit;          // counts are halved when their total exceeds this (<= 2^16)
};
// Model entries (symbols over all contexts in use) one call may allocate.
constexpr uint64_t kMaxModelEntries = uint64_t{1} << 25;

// Checks the options and every alphabet size: 2 <= limit <= 2^16, 1 <= increment <= limit / 2,
// 1 <= alphabet size <= limit / 2. Then one halving always brings the total back under the limit and
// leaves room for at least (limit / 4) / increment more symbols, so halving (O(alphabet size)) stays
// rare.
Status ValidateAdaptiveModels(Span<const int32_t> alphabet_sizes, const AdaptiveOptions& options);

Status AdaptiveEncode(Span<const int32_t> symbols, Span<const int32_t> contexts, Span<const int32_t> alphabet_sizes,
                      const AdaptiveOptions& options, std::vector<uint8_t>* out);

// Decodes symbols.size() == contexts.size() symbols.
Status AdaptiveDecode(Span<const uint8_t> bytes, Span<const int32_t> contexts, Span<const int32_t> alphabet_sizes,
                      const AdaptiveOptions& options, Span<int32_t> symbols);

Status AdaptiveIdealBits(Span<const int32_t> symbols, Span<const int32_t> contexts,
                         Span<const int32_t> alphabet_sizes, const AdaptiveOptions& options, double* bits);

}  // namespace ncodec

#endif  // NCODEC_ADAPTIVE_CODEC_H_
