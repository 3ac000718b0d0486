// The autoregressive model (ARM) coder of the Cool-chic image codec (Ladune et al., "COOL-CHIC:
// Coordinate-based Low Complexity Hierarchical Image Codec", ICCV 2023; Kim et al., "C3: High-performance
// and low-complexity neural compression from a single image or video", CVPR 2024).
//
// A Cool-chic image is a stack of latent grids of integers, grid l of size (ceil(H / 2^l), ceil(W / 2^l))
// for l = 0..6. A tiny MLP, the ARM, predicts from causal neighbours in the same grid a Laplace
// distribution (mean mu, log-scale s) for each latent; rANS codes the latent with that distribution. The
// decoder must rebuild exactly the encoder's tables on every machine, so the ARM runs in fixed-point
// integer arithmetic and the tables come from a deterministic float computation (+ - * / only, no libm).
// models/train/inr/arm_int.py is the NumPy reference of the integer MLP and of the table index.
//
// Coding order: the grids one after the other in the order given (the codec gives the coarsest first:
// level 6, 5, ..., 0), each in raster order (row by row, left to right). The ARM is the same for every
// grid; contexts never cross grids. Latent values v satisfy |v| <= 2^20 (kArmMaxLatent).
//
// Context: K = 16 causal neighbours (dy, dx), in this order (kArmContextOffsets):
//   (-1,0) (0,-1) (-1,-1) (-1,1) (-2,0) (0,-2) (-2,-1) (-2,1) (-1,-2) (-1,2) (-2,-2) (-2,2) (-3,0) (0,-3) (-1,-3) (-1,3)
// A neighbour outside the grid is 0.
//
// Weights: 578 int32 values, Q8 (value = integer / 256), |w| <= 2^15, concatenated in this order:
//   W0[16][16] (W0[i][j]: input i -> output j, row-major in x out), b0[16], W1[16][16], b1[16], W2[16][2], b2[2]
//
// Integer MLP (int64; ">>" is floor division by a power of two; C = 2^40):
//   a[i] = 256 v_ctx[i]                                                         (Q8 inputs)
//   layer 0: z[j] = (sum_i W0[i][j] a[i] + 256 b0[j] + 128) >> 8;  h[j] = clamp(max(z[j], 0) + a[j], -C, C)
//   layer 1: z[j] = (sum_i W1[i][j] h[i] + 256 b1[j] + 128) >> 8;  g[j] = clamp(max(z[j], 0) + h[j], -C, C)
//   output : o[j] = (sum_i W2[i][j] g[i] + 256 b2[j] + 128) >> 8;  mu_fix = o[0], s_fix = o[1]   (Q8)
// The clamps keep every sum inside int64 (|w| h <= 2^55, 16 terms); with |v| <= 2^20 the first never
// binds (|h| < 2^40), the second only for weights far beyond what a fitted ARM has.
//
// Table choice (kArmTableCount = 121 * 16 = 1936 tables):
//   m      = clamp(mu_fix, -2^28, 2^28)     (the mean stays in the latent range, so |n| <= 2^21 below)
//   mu_int = m >> 8;  fidx = (m - 256 mu_int) >> 4                      (16 mean bins, centre c = (fidx + 0.5) / 16)
//   sidx   = (clamp(s_fix, -1024, 896) + 1024 + 8) >> 4                (0..120; scale b = exp(-4 + sidx / 16))
//   table  = 16 sidx + fidx;  the coded value is n = v - mu_int
// Table (sidx, fidx): the values n = -L .. L+1, L = min(ceil(14 b) + 1, 64), get the mass of Laplace(c, b)
// on [n - 0.5, n + 0.5] (F(x) = exp((x-c)/b) / 2 below c, 1 - exp(-(x-c)/b) / 2 above; each mass from
// the smaller tail); the escape symbol gets both tails, F(-L - 0.5) + 1 - F(L + 1.5). QuantizePmf
// (quantize_cdf.h) makes the 16-bit CDF: cdf_tables.h's layout, offset -L, escape last; an escaped n is
// coded by escape_code.h. exp is ArmExp below (+ - * / on IEEE doubles and exact scaling by 2^k), so
// every IEEE-754 machine builds the same tables; tables are built when a stream first uses them.
//
// Bitstream (rans_codec.h's layout with one rANS state):
//   varint W     number of 32-bit words in the rANS section (>= 2)
//   varint B     number of bytes in the escape section
//   4W bytes     rANS words, little-endian: the final encoder state (low word first), then the
//                renormalization words in decoding order (rans64: L = 2^31, 32-bit words, M = 2^16)
//   B bytes      escape codes of the escaped latents in coding order (escape_code.h), zero-padded
// The decoder checks that both sections are consumed exactly, that the state ends at L, and that every
// decoded latent is within +-2^20; anything else is corrupt (a stream shorter than its header: truncated).
#ifndef NCODEC_COOLCHIC_ARM_H_
#define NCODEC_COOLCHIC_ARM_H_

#include <cstdint>
#include <vector>

#include "span.h"
#include "status.h"

namespace ncodec {

constexpr int kArmContext = 16;
constexpr int kArmHidden = 16;
constexpr int kArmWeightCount = 2 * kArmContext * kArmHidden + 2 * kArmHidden + 2 * kArmHidden + 2;  // 578
constexpr int32_t kArmMaxWeight = 1 << 15;
constexpr int32_t kArmMaxLatent = 1 << 20;
constexpr int64_t kArmActClamp = int64_t{1} << 40;
constexpr int64_t kArmMeanClamp = int64_t{1} << 28;
constexpr int kArmLogScaleMin = -1024;  // Q8 log-scale range [-4, 3.5]
constexpr int kArmLogScaleMax = 896;
constexpr int kArmScaleBins = 121;
constexpr int kArmMeanBins = 16;
constexpr int kArmTableCount = kArmScaleBins * kArmMeanBins;
constexpr int kArmMaxHalfWidth = 64;
constexpr int kArmPrecision = 16;
constexpr int kArmMaxGrids = 64;
constexpr int64_t kArmMaxLatents = int64_t{1} << 28;

// (dy, dx) of the causal neighbours, in input order.
constexpr int kArmContextOffsets[kArmContext][2] = {{-1, 0},  {0, -1},  {-1, -1}, {-1, 1}, {-2, 0},  {0, -2},
                                                     {-2, -1}, {-2, 1},  {-1, -2}, {-1, 2}, {-2, -2}, {-2, 2},
                                                     {-3, 0},  {0, -3},  {-1, -3}, {-1, 3}};

struct ArmGridSize {
  int height;
  int width;
};

// The weights as the evaluation reads them, and the bounds of its int32 fast path.
struct ArmLayout {
  alignas(32) int32_t w0[kArmContext * kArmHidden];  // [i][j]
  alignas(32) int32_t b0[kArmHidden];
  alignas(32) int32_t w1[kArmHidden * kArmHidden];   // [i][j]
  alignas(32) int32_t b1s[kArmHidden];               // 256 b1 + 128
  alignas(32) int32_t w2t[2][kArmHidden];            // transposed: [j][i]
  int64_t b2s[2];                                    // 256 b2 + 128
  // Layer 0 (1) is exact in int32 for a context whose largest |v| (|h|) is at most lim0 (lim1).
  int32_t lim0;
  int32_t lim1;
};

// A checked ARM.
class ArmModel {
 public:
  // Checks the count (578) and the bound |w| <= 2^15.
  Status Create(Span<const int32_t> weights);

  // (mu_fix, s_fix) for one context (|v| <= 2^20, not checked here): int32 arithmetic where the bounds
  // computed in Create prove it exact for this context, else the int64 definition. Same result.
  void Predict(const int32_t* context, int64_t out[2]) const;
  // The int64 definition itself (the header comment), step by step.
  void PredictExact(const int32_t* context, int64_t out[2]) const;

 private:
  void Layer1Exact(const int64_t* h, int64_t out[2]) const;

  ArmLayout l_;
};

// The table index and the integer mean that (mu_fix, s_fix) select (the header comment).
struct ArmChoice {
  int table;
  int32_t mu_int;
};
ArmChoice ArmTableChoice(int64_t mu_fix, int64_t s_fix);

// exp(x) for x in [-700, 700] from + - * / on doubles and exact scaling by a power of two: the same
// double on every IEEE-754 machine (needs -ffp-contract=off).
double ArmExp(double x);

// (mu_fix, s_fix) of the integer MLP for one context of 16 values (|v| <= 2^20).
Status ArmPredict(Span<const int32_t> weights, Span<const int32_t> context, int64_t out[2]);

// Codes `values` (the grids concatenated in coding order, each raster order).
Status ArmEncode(Span<const int32_t> weights, Span<const int32_t> values, Span<const ArmGridSize> sizes,
                 std::vector<uint8_t>* out);

// Decodes exactly the whole of `bytes` into `values` (the sum of height * width of `sizes`).
Status ArmDecode(Span<const int32_t> weights, Span<const uint8_t> bytes, Span<const ArmGridSize> sizes,
                 Span<int32_t> values);

// Ideal code length in bits: sum of -log2(freq / 2^16) plus the escape code bits.
Status ArmBits(Span<const int32_t> weights, Span<const int32_t> values, Span<const ArmGridSize> sizes, double* bits);

}  // namespace ncodec

#endif  // NCODEC_COOLCHIC_ARM_H_
