// rANS coding of whole arrays of symbols over a TableSet of static quantized CDFs.
//
// rANS (range asymmetric numeral systems; J. Duda, "Asymmetric numeral systems: entropy coding
// combining speed of Huffman coding with compression rate of arithmetic coding", arXiv:1311.2540) keeps
// the whole coder state in one integer x. Coding symbol s with frequency f and cumulative start c out of
// M = 2^precision maps
//     x  ->  (x / f) * M + (x % f) + c            (encode, adds log2(M / f) bits to x)
//     x  ->  f * (x / M) + (x % M) - c            (decode, s is the symbol whose [c, c+f) holds x % M)
// Decoding runs exactly backwards, so the encoder walks the symbols last to first and the decoder first
// to last. To keep x in a machine word, bits stream out (encoder) or in (decoder) whenever x would leave
// the interval [L, 2^32 L). We follow ryg_rans' rans64 (F. Giesen): 64-bit state, L = 2^31, 32-bit
// renormalization words, so at most one word moves per symbol and the renormalization is branch-free.
//
// Interleaving (F. Giesen, "Interleaved entropy coders", arXiv:1402.3392): with K independent states,
// symbol i uses state i % K. The K dependency chains let the CPU work on K symbols at once. K is 4 for
// arrays of at least kMinSymbolsFor4Lanes symbols, else 1 (so short arrays pay for one flushed state).
//
// Bitstream (all lengths explicit, so any truncation is detected before decoding starts):
//     varint   W   number of 32-bit words in the rANS section
//     varint   B   number of bytes in the escape (bypass) section
//     4W bytes     rANS words, little-endian: the K final encoder states (two words each, low word
//                  first, state 0 first), then the renormalization words in decoding order
//     B bytes      escape codes (escape_code.h), most significant bit first, zero-padded
// The decoder checks that both sections are consumed exactly and that every state ends at L, the
// encoder's initial state.
#ifndef NCODEC_RANS_CODEC_H_
#define NCODEC_RANS_CODEC_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "cdf_tables.h"
#include "span.h"
#include "status.h"

namespace ncodec {

constexpr size_t kMinSymbolsFor4Lanes = 256;

// Number of interleaved rANS states used for `count` symbols.
inline int RansLanes(size_t count) { return count >= kMinSymbolsFor4Lanes ? 4 : 1; }

// An encoded stream before serialization. The binding sizes a JavaScript Uint8Array with size() and
// lets WriteTo fill it, so the coded words are copied exactly once.
class RansStream {
 public:
  size_t size() const;
  void WriteTo(uint8_t* dst) const;  // size() bytes
  std::vector<uint8_t> ToBytes() const;

 private:
  friend Status RansEncode(const TableSet&, Span<const int32_t>, Span<const int32_t>, RansStream*);

  std::vector<uint8_t> header_;
  std::unique_ptr<uint32_t[]> buffer_;  // words_ points into it
  const uint32_t* words_ = nullptr;
  size_t word_count_ = 0;
  std::vector<uint8_t> bypass_;
};

// Encodes symbols[i] with table indexes[i] (same length). Fails with kOutOfRange on a bad index.
Status RansEncode(const TableSet& tables, Span<const int32_t> symbols, Span<const int32_t> indexes,
                  RansStream* out);
Status RansEncode(const TableSet& tables, Span<const int32_t> symbols, Span<const int32_t> indexes,
                  std::vector<uint8_t>* out);

// Decodes symbols.size() == indexes.size() symbols from `bytes`.
Status RansDecode(const TableSet& tables, Span<const uint8_t> bytes, Span<const int32_t> indexes,
                  Span<int32_t> symbols);

// Ideal size in bits: sum over symbols of -log2(f / M) under the tables, plus the escape code bits
// of out-of-table values. The encoder's output exceeds it only by the rANS overhead.
Status RansIdealBits(const TableSet& tables, Span<const int32_t> symbols, Span<const int32_t> indexes,
                     double* bits);

}  // namespace ncodec

#endif  // NCODEC_RANS_CODEC_H_
