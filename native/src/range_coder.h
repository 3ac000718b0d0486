// A multi-symbol range coder (G. N. N. Martin, "Range encoding: an algorithm for removing redundancy
// from a digitised message", 1979), in the carry-propagating form of LZMA's coder (I. Pavlov; the
// cache / cache_size bookkeeping is D. Subbotin's and E. Shelwien's idea): `low` keeps 33 bits, bytes
// leave through a one-byte cache, and a run of 0xFF bytes waits until it is known whether a carry will
// ripple into it. Unlike a "carryless" coder this loses no range at byte boundaries.
//
// A symbol with cumulative count `cum` and count `freq` out of `total` (<= 2^16) narrows the interval
//     r = range / total;  low += r * cum;  range = r * freq
// and bytes shift out while range < 2^24, so r >= 2^8 and the truncation of range / total costs well
// under 0.01 bit per symbol on average.
//
// Byte stream: the bytes of the coded number, most significant first. LZMA's always-zero first byte
// is not stored. The encoder's final flush writes all four bytes of `low`, so the decoder reads exactly
// every byte of the stream and ends with code == 0; both are checked. (adaptive_codec.h puts the
// stream's length in front, so that a decoder running out of bytes knows the stream is corrupt rather
// than cut short.)
#ifndef NCODEC_RANGE_CODER_H_
#define NCODEC_RANGE_CODER_H_

#include <cstdint>
#include <vector>

#include "span.h"
#include "status.h"

namespace ncodec {

constexpr uint32_t kRangeTop = 1u << 24;

class RangeEncoder {
 public:
  explicit RangeEncoder(std::vector<uint8_t>* out) : out_(out) {}

  void Encode(uint32_t cum, uint32_t freq, uint32_t total) {
    const uint32_t r = range_ / total;
    low_ += static_cast<uint64_t>(r) * cum;
    range_ = r * freq;
    while (range_ < kRangeTop) {
      range_ <<= 8;
      ShiftLow();
    }
  }

  void Finish() {
    for (int i = 0; i < 5; ++i) ShiftLow();
  }

 private:
  // Moves the top byte of the 32-bit window out of `low`. A byte below 0xFF (or a pending carry) settles
  // the cached byte and the 0xFF run after it; a 0xFF byte only lengthens the run.
  void ShiftLow() {
    if (static_cast<uint32_t>(low_) < 0xFF000000u || (low_ >> 32) != 0) {
      const uint8_t carry = static_cast<uint8_t>(low_ >> 32);
      uint8_t byte = cache_;
      do {
        Emit(static_cast<uint8_t>(byte + carry));
        byte = 0xFF;
      } while (--pending_ != 0);
      cache_ = static_cast<uint8_t>(low_ >> 24);
    }
    ++pending_;
    low_ = (low_ & 0x00FFFFFFu) << 8;
  }

  void Emit(uint8_t byte) {
    if (first_) {
      first_ = false;  // always 0: the coded number lies in [0, 1)
      return;
    }
    out_->push_back(byte);
  }

  std::vector<uint8_t>* out_;
  uint64_t low_ = 0;
  uint32_t range_ = 0xFFFFFFFFu;
  uint8_t cache_ = 0;
  uint64_t pending_ = 1;  // the cached byte plus the 0xFF bytes waiting behind it
  bool first_ = true;
};

class RangeDecoder {
 public:
  explicit RangeDecoder(Span<const uint8_t> bytes) : bytes_(bytes) {}

  Status Start() {
    if (bytes_.size() < 4) return Status::Corrupt("The range-coded bitstream is shorter than its initial code");
    for (int i = 0; i < 4; ++i) code_ = (code_ << 8) | bytes_[pos_++];
    return Status::Ok();
  }

  // First half of decoding a symbol: the count `target` in [0, total) the code points at.
  Status Target(uint32_t total, uint32_t* target) {
    r_ = range_ / total;
    const uint32_t t = code_ / r_;
    if (NCODEC_UNLIKELY(t >= total)) return Status::Corrupt("The range-coded bitstream is corrupt");
    *target = t;
    return Status::Ok();
  }

  // Second half: narrows to the decoded symbol's [cum, cum + freq) and refills. The bytes are the
  // whole stream, so needing more means the stream is corrupt.
  Status Consume(uint32_t cum, uint32_t freq) {
    code_ -= r_ * cum;
    range_ = r_ * freq;
    while (range_ < kRangeTop) {
      if (NCODEC_UNLIKELY(pos_ >= bytes_.size())) {
        return Status::Corrupt("The range-coded bitstream is corrupt (it needs more bytes than it has)");
      }
      code_ = (code_ << 8) | bytes_[pos_++];
      range_ <<= 8;
    }
    return Status::Ok();
  }

  // After the last symbol: all bytes read and the code points at the interval's start.
  Status Finish() const {
    if (pos_ != bytes_.size()) return Status::Corrupt("The range-coded bitstream has trailing bytes");
    if (code_ != 0) return Status::Corrupt("The range-coded bitstream is corrupt (bad final state)");
    return Status::Ok();
  }

 private:
  Span<const uint8_t> bytes_;
  size_t pos_ = 0;
  uint32_t code_ = 0;
  uint32_t range_ = 0xFFFFFFFFu;
  uint32_t r_ = 1;
};

}  // namespace ncodec

#endif  // NCODEC_RANGE_CODER_H_
