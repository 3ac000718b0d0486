// Integer 3x3 convolution (int_conv.h): im2col over blocks of rows, four output channels at a time;
// every operation is an exact integer operation, so the result does not depend on how it is vectorised.
#include "int_conv.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

namespace ncodec {
namespace {

// The inner kernel, compiled for x86-64-v4 (AVX-512) and AVX2 besides the baseline where the compiler can pick
// at load time (GCC on x86-64 Linux): integer results are identical whichever version runs.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define NCODEC_MULTIVERSION __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define NCODEC_MULTIVERSION
#endif

// a_g[p] += w_g * c[p] for p < n and the four output channels g (int16 x int16 -> int32 products).
NCODEC_MULTIVERSION void Accumulate4(const int16_t* c, size_t n, int16_t w0, int16_t w1, int16_t w2, int16_t w3,
                                     int32_t* a0, int32_t* a1, int32_t* a2, int32_t* a3) {
  for (size_t p = 0; p < n; ++p) {
    const int32_t v = c[p];
    a0[p] += static_cast<int32_t>(w0) * v;
    a1[p] += static_cast<int32_t>(w1) * v;
    a2[p] += static_cast<int32_t>(w2) * v;
    a3[p] += static_cast<int32_t>(w3) * v;
  }
}

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
  // Zero-padded int16 copy of the input (|value| <= 16383 fits), checked on the way.
  const int pw = s.width + 2;
  const size_t padded_plane = static_cast<size_t>(s.height + 2) * pw;
  std::vector<int16_t> padded(padded_plane * s.in_channels, 0);
  for (int i = 0; i < s.in_channels; ++i) {
    for (int y = 0; y < s.height; ++y) {
      const int32_t* src = input.data() + i * plane + static_cast<size_t>(y) * s.width;
      int16_t* dst = padded.data() + i * padded_plane + static_cast<size_t>(y + 1) * pw + 1;
      for (int x = 0; x < s.width; ++x) {
        if (src[x] < -kMaxConvInput || src[x] > kMaxConvInput) {
          return Status::OutOfRange(ExpectedNumber(IntegerBetween(-kMaxConvInput, kMaxConvInput), "input", src[x]));
        }
        dst[x] = static_cast<int16_t>(src[x]);
      }
    }
  }
  // Rows are processed in blocks of about kBlock output positions: the block's 3x3 neighbourhoods are
  // laid out as rows of `taps` = in*9 contiguous int16 runs (under 1 MB for 114 channels, so they stay in the L2
  // cache while every output channel passes over them), and four output channels accumulate over them
  // at once, so the inner loops are long, contiguous and vectorisable.
  constexpr size_t kBlock = 512;
  const int taps = s.in_channels * 9;
  const int rows_per_block = std::max(1, static_cast<int>(kBlock / static_cast<size_t>(s.width)));
  const int blocks = (s.height + rows_per_block - 1) / rows_per_block;
  const int64_t round = int64_t{1} << (s.shift - 1);
  // Rows [block b0, block b1) with the caller's scratch buffers.
  const auto run_blocks = [&](int b0, int b1, std::vector<int16_t>* cols_buffer, std::vector<int32_t>* acc_buffer) {
    int16_t* cols = cols_buffer->data();
    int32_t* acc = acc_buffer->data();
    for (int y0 = b0 * rows_per_block; y0 < std::min(s.height, b1 * rows_per_block); y0 += rows_per_block) {
      const int y1 = std::min(s.height, y0 + rows_per_block);
      const size_t n = static_cast<size_t>(y1 - y0) * s.width;
      for (int i = 0; i < s.in_channels; ++i) {
        for (int k = 0; k < 9; ++k) {
          const int dy = k / 3, dx = k % 3;
          int16_t* dst = cols + static_cast<size_t>(i * 9 + k) * n;
          for (int y = y0; y < y1; ++y) {
            const int16_t* row = padded.data() + i * padded_plane + static_cast<size_t>(y + dy) * pw + dx;
            std::copy(row, row + s.width, dst + static_cast<size_t>(y - y0) * s.width);
          }
        }
      }
      for (int o0 = 0; o0 < s.out_channels; o0 += 4) {
        const int group = std::min(4, s.out_channels - o0);
        std::fill(acc, acc + 4 * n, 0);
        int32_t* a0 = acc;
        int32_t* a1 = a0 + n;
        int32_t* a2 = a1 + n;
        int32_t* a3 = a2 + n;
        for (int t = 0; t < taps; ++t) {
          const int16_t* c = cols + static_cast<size_t>(t) * n;
          const auto w = [&](int g) -> int16_t {
            return g < group ? static_cast<int16_t>(weight[static_cast<size_t>(o0 + g) * taps + t]) : 0;
          };
          Accumulate4(c, n, w(0), w(1), w(2), w(3), a0, a1, a2, a3);
        }
        for (int g = 0; g < group; ++g) {
          const int o = o0 + g;
          const int64_t m = mult[o];
          const int64_t b = static_cast<int64_t>(bias[o]) + round;
          const int32_t* a = acc + g * n;
          int32_t* out = output.data() + o * plane + static_cast<size_t>(y0) * s.width;
          for (size_t p = 0; p < n; ++p) {
            const int64_t v = FloorShift(static_cast<int64_t>(a[p]) * m + b, s.shift);
            out[p] = static_cast<int32_t>(std::min<int64_t>(std::max<int64_t>(v, s.lo), s.hi));
          }
        }
      }
    }
  };
  // Threads take disjoint runs of row blocks, each with its own scratch, and write disjoint rows; every
  // value is an exact integer, so the output does not depend on the thread count. Small layers stay on
  // the calling thread (starting threads would cost more than they save).
  const double macs = static_cast<double>(plane) * taps * s.out_channels;
  const int workers = macs < (1 << 21) ? 1 : std::max(1, std::min({s.threads, blocks, 64}));
  std::vector<std::vector<int16_t>> cols(workers, std::vector<int16_t>(static_cast<size_t>(taps) * rows_per_block * s.width));
  std::vector<std::vector<int32_t>> accs(workers, std::vector<int32_t>(4 * static_cast<size_t>(rows_per_block) * s.width));
  std::vector<std::thread> pool;
  for (int t = 1; t < workers; ++t) {
    pool.emplace_back(run_blocks, blocks * t / workers, blocks * (t + 1) / workers, &cols[t], &accs[t]);
  }
  run_blocks(0, blocks / workers, &cols[0], &accs[0]);
  for (auto& th : pool) th.join();
  return Status::Ok();
}

}  // namespace ncodec
