// Byte-level helpers shared by the stream formats: unsigned LEB128 varints for section headers and
// little-endian 32-bit words for the rANS word stream. All readers are bounds-checked.
#ifndef NCODEC_BYTE_IO_H_
#define NCODEC_BYTE_IO_H_

#include <cstdint>
#include <cstring>
#include <vector>

#include "span.h"
#include "status.h"

namespace ncodec {

// Appends `value` as an unsigned LEB128 varint: 7 bits per byte, least significant group first, high bit
// set on every byte but the last.
inline void PutVarint(uint64_t value, std::vector<uint8_t>* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<uint8_t>(value | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<uint8_t>(value));
}

// Reads a varint at bytes[*pos], advancing *pos. Values above `max_value` and encodings longer than ten
// bytes are corrupt; a varint cut off by the end of the input is truncated.
inline Status GetVarint(Span<const uint8_t> bytes, size_t* pos, uint64_t max_value, uint64_t* value) {
  uint64_t result = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (*pos >= bytes.size()) return Status::Truncated("The bitstream ends inside a section header");
    const uint8_t byte = bytes[(*pos)++];
    if (shift == 63 && byte > 1) break;  // would overflow 64 bits
    result |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      if (result > max_value) break;
      *value = result;
      return Status::Ok();
    }
  }
  return Status::Corrupt("The bitstream has an invalid section header");
}

// Little-endian 32-bit word at p (any alignment).
inline uint32_t LoadLe32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

inline void StoreLe32(uint32_t v, uint8_t* p) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v >> 16);
  p[3] = static_cast<uint8_t>(v >> 24);
}

}  // namespace ncodec

#endif  // NCODEC_BYTE_IO_H_
