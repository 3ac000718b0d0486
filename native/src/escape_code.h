// The escape (bypass) code: how the rANS coder stores values that fall outside a table.
//
// A table with n symbols codes the values offset .. offset+n-2 directly; symbol n-1 is the ESCAPE. After
// an escape, the value itself goes into a separate bypass bit stream (CompressAI codes such overflow in
// 4-bit bypass chunks inside the rANS stream; we keep the idea, sign folding plus a self-delimiting
// length, but use an Elias-gamma code in a plain bit stream, which is shorter for the common case of a
// value just past the table's edge):
//
//   s   = value - offset                     (64-bit, cannot overflow)
//   raw = 2 * (s - (n-1))       if s >= n-1   (above the table: even numbers)
//   raw = -2 * s - 1            if s < 0      (below the table: odd numbers)
//   write EliasGamma(raw + 1):  k-1 zero bits, then the k bits of raw+1, most significant first,
//                               where k = bit width of raw+1 (so 2k-1 bits in all).
//
// |s| <= 2^32, so raw + 1 < 2^34 and k <= 34: a decoder that sees more than 33 leading zeros knows the
// stream is corrupt. Every int32 value, INT32_MIN and INT32_MAX included, round-trips.
#ifndef NCODEC_ESCAPE_CODE_H_
#define NCODEC_ESCAPE_CODE_H_

#include <cstdint>
#include <vector>

#include "span.h"
#include "status.h"

namespace ncodec {

constexpr int kMaxEscapeBits = 34;  // bit width of raw + 1 is at most this

inline int BitWidth(uint64_t v) {
  int width = 0;
  while (v != 0) {
    ++width;
    v >>= 1;
  }
  return width;
}

// Sign folding of a value outside [0, n-1) (see the header comment).
inline uint64_t FoldEscape(int64_t s, uint32_t escape_symbol) {
  return s < 0 ? static_cast<uint64_t>(-2 * s - 1) : static_cast<uint64_t>(2 * (s - escape_symbol));
}

inline int64_t UnfoldEscape(uint64_t raw, uint32_t escape_symbol) {
  return (raw & 1) != 0 ? -static_cast<int64_t>((raw + 1) / 2) : static_cast<int64_t>(raw / 2) + escape_symbol;
}

// Length in bits of the escape code for `raw`.
inline int EscapeCodeBits(uint64_t raw) { return 2 * BitWidth(raw + 1) - 1; }

// Writes bits most-significant first into whole bytes; the last byte is padded with zero bits.
class BitWriter {
 public:
  explicit BitWriter(std::vector<uint8_t>* out) : out_(out) {}

  // Appends the `count` (<= 32) low bits of `bits`.
  void Put(uint32_t bits, int count) {
    acc_ = (acc_ << count) | (bits & ((uint64_t{1} << count) - 1));
    pending_ += count;
    while (pending_ >= 8) {
      pending_ -= 8;
      out_->push_back(static_cast<uint8_t>(acc_ >> pending_));
    }
  }

  void PutEscape(uint64_t raw) {
    const uint64_t v = raw + 1;
    const int k = BitWidth(v);
    for (int zeros = k - 1; zeros > 0; zeros -= 16) Put(0, zeros < 16 ? zeros : 16);
    for (int left = k; left > 0;) {
      const int take = left < 16 ? left : 16;
      left -= take;
      Put(static_cast<uint32_t>(v >> left), take);
    }
  }

  // Pads the last partial byte with zeros.
  void Finish() {
    if (pending_ > 0) Put(0, 8 - pending_);
  }

 private:
  std::vector<uint8_t>* out_;
  uint64_t acc_ = 0;
  int pending_ = 0;
};

// Reads what BitWriter wrote; every read is bounds-checked.
class BitReader {
 public:
  explicit BitReader(Span<const uint8_t> bytes) : bytes_(bytes) {}

  Status GetBit(uint32_t* bit) {
    if (NCODEC_UNLIKELY(bit_pos_ >= bytes_.size() * 8)) {
      // The section's length is in the stream header, so reading past it means corruption.
      return Status::Corrupt("The escape section ends before the last escape code");
    }
    *bit = (bytes_[bit_pos_ >> 3] >> (7 - (bit_pos_ & 7))) & 1;
    ++bit_pos_;
    return Status::Ok();
  }

  Status GetEscape(uint64_t* raw) {
    int zeros = 0;
    uint32_t bit = 0;
    for (;;) {
      NCODEC_RETURN_IF_ERROR(GetBit(&bit));
      if (bit != 0) break;
      if (++zeros >= kMaxEscapeBits) return Status::Corrupt("The bitstream has an invalid escape code");
    }
    uint64_t v = 1;
    for (int i = 0; i < zeros; ++i) {
      NCODEC_RETURN_IF_ERROR(GetBit(&bit));
      v = (v << 1) | bit;
    }
    *raw = v - 1;
    return Status::Ok();
  }

  // True when everything was read except zero padding in the last byte.
  bool AtCleanEnd() const {
    const size_t total = bytes_.size() * 8;
    if (total - bit_pos_ >= 8 || bit_pos_ > total) return false;
    for (size_t p = bit_pos_; p < total; ++p) {
      if (((bytes_[p >> 3] >> (7 - (p & 7))) & 1) != 0) return false;
    }
    return true;
  }

 private:
  Span<const uint8_t> bytes_;
  size_t bit_pos_ = 0;
};

}  // namespace ncodec

#endif  // NCODEC_ESCAPE_CODE_H_
