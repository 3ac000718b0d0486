// libFuzzer target: the integer 3x3 convolution (int_conv.h) of the networks that pick entropy tables,
// on input-derived shapes, weights, inputs and biases (sometimes out of range), on 1 and on 2-8 threads.
//   byte 0      in_channels - 1 (mod 48; with bit 7 of byte 5: 110-125, around the bound of 114)
//   byte 1      out_channels - 1 (mod 32)
//   byte 2, 3   height - 1, width - 1 (mod 48)
//   byte 4      shift - 1 (mod 40, so 1 ... 40)
//   byte 5      bit 0-2: threads - 1 (+1: 2 ... 9, clamped to 64 inside); bit 3: an out-of-range weight;
//               bit 4: an out-of-range input; bit 5: a non-integral bias; bit 6: a wrong array size
//   bytes 6-9   seed of the weights, inputs, multipliers and biases
//   bytes 10-17 lo and hi (int32 each; swapped when lo > hi)
// Requires: a bad argument gives kOutOfRange; otherwise Ok, every output within [lo, hi], and the same
// output on one thread as on several (integer arithmetic: the split must not change a value).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "fuzz_common.h"
#include "int_conv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ncodec_fuzz::Reader in(data, size);
  const uint8_t b0 = in.Byte(), b1 = in.Byte(), b2 = in.Byte(), b3 = in.Byte(), b4 = in.Byte(), flags = in.Byte();
  ncodec::IntConvShape shape{};
  shape.in_channels = (flags & 0x80) ? 110 + b0 % 16 : 1 + b0 % 48;
  shape.out_channels = 1 + b1 % 32;
  shape.height = 1 + b2 % 48;
  shape.width = 1 + b3 % 48;
  shape.shift = 1 + b4 % 40;
  uint64_t seed = in.U32();
  shape.lo = static_cast<int32_t>(in.U32());
  shape.hi = static_cast<int32_t>(in.U32());
  if (shape.lo > shape.hi) std::swap(shape.lo, shape.hi);
  const auto next = [&seed]() { return seed = ncodec_fuzz::Mix(seed); };
  const size_t plane = static_cast<size_t>(shape.height) * shape.width;
  std::vector<int32_t> weight(static_cast<size_t>(shape.out_channels) * shape.in_channels * 9);
  for (int32_t& w : weight) w = static_cast<int32_t>(next() % 255) - 127;
  std::vector<int32_t> input(plane * shape.in_channels);
  for (int32_t& v : input) v = static_cast<int32_t>(next() % 32767) - 16383;
  std::vector<int32_t> mult(shape.out_channels);
  for (int32_t& m : mult) m = static_cast<int32_t>(next() % (1u << 21)) - (1 << 20);
  std::vector<double> bias(shape.out_channels);
  for (double& b : bias) b = static_cast<double>(static_cast<int64_t>(next() % (uint64_t{1} << 41)) - (int64_t{1} << 40));
  bool bad = shape.in_channels > ncodec::kMaxConvInputChannels;
  if (flags & 8) weight[next() % weight.size()] = (next() & 1) ? 128 : -128, bad = true;
  if (flags & 16) input[next() % input.size()] = (next() & 1) ? 16384 : -16384, bad = true;
  if (flags & 32) bias[next() % bias.size()] += 0.5, bad = true;
  std::vector<int32_t> out(plane * shape.out_channels + ((flags & 64) ? 1 : 0));
  bad = bad || (flags & 64);

  const ncodec::Status one = ncodec::IntConv3x3(shape, input, weight, mult, bias, out);
  if (bad) {
    if (one.code() != ncodec::StatusCode::kOutOfRange) abort();
    return 0;
  }
  if (!one.ok()) abort();
  for (const int32_t v : out) {
    if (v < shape.lo || v > shape.hi) abort();
  }
  shape.threads = 2 + (flags & 7);
  std::vector<int32_t> split(out.size());
  if (!ncodec::IntConv3x3(shape, input, weight, mult, bias, split).ok()) abort();
  if (split != out) abort();
  return 0;
}
