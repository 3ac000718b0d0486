// Integer 3x3 convolution: the building block of the networks that pick entropy tables at decode time
// (the video codec's inter model, codecs/video). Everything is integer arithmetic with fixed bounds, so
// a decoder computes the same tables on every CPU and thread count:
//
//   acc[o][y][x] = sum_i sum_{dy,dx} weight[o][i][dy][dx] * in[i][y+dy-1][x+dx-1]   (zero padding; int32)
//   out[o][y][x] = clamp(floor((acc * mult[o] + bias[o] + 2^(shift-1)) / 2^shift), lo, hi)  (int64)
//
// Inputs must lie in [-kMaxInput, kMaxInput] and weights in [-127, 127]; with at most kMaxInputChannels
// input channels the int32 accumulator cannot overflow (114 * 9 * 127 * 16383 < 2^31).
#ifndef NCODEC_INT_CONV_H_
#define NCODEC_INT_CONV_H_

#include <cstdint>

#include "span.h"
#include "status.h"

namespace ncodec {

constexpr int32_t kMaxConvInput = 16383;
constexpr int32_t kMaxConvWeight = 127;
constexpr int kMaxConvInputChannels = 114;
constexpr double kMaxConvBias = 4503599627370496.0;  // 2^52: biases travel as exact doubles

struct IntConvShape {
  int in_channels;
  int out_channels;
  int height;
  int width;
  int shift;
  int32_t lo;
  int32_t hi;
  // Worker threads (1 ... 64; they take disjoint row blocks of a large layer); the output is the same for any count.
  int threads = 1;
};

// Runs one layer (`shape.threads` outside 1 ... 64 is clamped). `input` holds in_channels*height*width values, `weight` out*in*9, `mult` and `bias`
// out_channels (bias: integral doubles below 2^52 in magnitude), `output` out*height*width.
Status IntConv3x3(const IntConvShape& shape, Span<const int32_t> input, Span<const int32_t> weight,
                  Span<const int32_t> mult, Span<const double> bias, Span<int32_t> output);

}  // namespace ncodec

#endif  // NCODEC_INT_CONV_H_
