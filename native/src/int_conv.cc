// Integer 3x3 convolution (int_conv.h). The inner loop runs along a row of a zero-padded copy of each
// input plane, so compilers vectorise it; every operation is an exact integer operation.
#include "int_conv.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace ncodec {
namespace {

// floor(value / 2^shift) for any sign (>> on negative values is implementation-defined before C++20).
inline int64_t FloorShift(int64_t value, int shift) {
  const int64_t divisor = int64_t{1} << shift;
  const int64_t q = value / divisor;
  return (value % divisor != 0 && value < 0) ? q - 1 : q;
}

}  // namespace

Status IntConv3x3(const IntConvShape& s, Span<const int32_t> input, Span<const int32_t> weight,
                  Span<const int32_t> mult, Span<const double> bias, Span<int32_t> output) {
  if (s.in_channels < 1 || s.in_channels > kMaxConvInputChannels) {
    return Status::OutOfRange(ExpectedNumber(IntegerBetween(1, kMaxConvInputChannels), "inChannels", s.in_channels));
  }
  if (s.out_channels < 1 || s.height < 1 || s.width < 1 || s.shift < 1 || s.shift > 40 || s.lo > s.hi) {
    return Status::OutOfRange("Expected positive channels, height and width, a shift in 1..40 and lo <= hi for intConv3x3");
  }
  const size_t plane = static_cast<size_t>(s.height) * static_cast<size_t>(s.width);
  if (input.size() != plane * s.in_channels) return Status::OutOfRange("Expected inChannels*height*width values for input");
  if (output.size() != plane * s.out_channels) return Status::OutOfRange("Expected outChannels*height*width values for output");
  if (weight.size() != static_cast<size_t>(s.out_channels) * s.in_channels * 9) {
    return Status::OutOfRange("Expected outChannels*inChannels*9 values for weight");
  }
  if (mult.size() != static_cast<size_t>(s.out_channels) || bias.size() != static_cast<size_t>(s.out_channels)) {
    return Status::OutOfRange("Expected outChannels values for mult and bias");
  }
  for (const int32_t w : weight) {
    if (w < -kMaxConvWeight || w > kMaxConvWeight) return Status::OutOfRange(ExpectedNumber(IntegerBetween(-127, 127), "weight", w));
  }
  for (const double b : bias) {
    if (!(std::fabs(b) < kMaxConvBias) || b != std::floor(b)) {
      return Status::OutOfRange(ExpectedNumber("an integer below 2^52 in magnitude", "bias", b));
    }
  }
  const int pw = s.width + 2;
  const size_t padded_plane = static_cast<size_t>(s.height + 2) * pw;
  std::vector<int32_t> padded(padded_plane * s.in_channels, 0);
  for (int i = 0; i < s.in_channels; ++i) {
    for (int y = 0; y < s.height; ++y) {
      const int32_t* src = input.data() + i * plane + static_cast<size_t>(y) * s.width;
      int32_t* dst = padded.data() + i * padded_plane + static_cast<size_t>(y + 1) * pw + 1;
      for (int x = 0; x < s.width; ++x) {
        if (src[x] < -kMaxConvInput || src[x] > kMaxConvInput) {
          return Status::OutOfRange(ExpectedNumber(IntegerBetween(-kMaxConvInput, kMaxConvInput), "input", src[x]));
        }
        dst[x] = src[x];
      }
    }
  }
  std::vector<int32_t> acc(plane);
  const int64_t round = int64_t{1} << (s.shift - 1);
  for (int o = 0; o < s.out_channels; ++o) {
    std::fill(acc.begin(), acc.end(), 0);
    for (int i = 0; i < s.in_channels; ++i) {
      const int32_t* w = weight.data() + (static_cast<size_t>(o) * s.in_channels + i) * 9;
      const int32_t* base = padded.data() + i * padded_plane;
      for (int k = 0; k < 9; ++k) {
        const int32_t wk = w[k];
        if (wk == 0) continue;
        const int dy = k / 3, dx = k % 3;
        for (int y = 0; y < s.height; ++y) {
          const int32_t* row = base + static_cast<size_t>(y + dy) * pw + dx;
          int32_t* a = acc.data() + static_cast<size_t>(y) * s.width;
          for (int x = 0; x < s.width; ++x) a[x] += wk * row[x];
        }
      }
    }
    const int64_t m = mult[o];
    const int64_t b = static_cast<int64_t>(bias[o]) + round;
    int32_t* out = output.data() + o * plane;
    for (size_t p = 0; p < plane; ++p) {
      const int64_t v = FloorShift(static_cast<int64_t>(acc[p]) * m + b, s.shift);
      out[p] = static_cast<int32_t>(std::min<int64_t>(std::max<int64_t>(v, s.lo), s.hi));
    }
  }
  return Status::Ok();
}

}  // namespace ncodec
