// Learned lossless image coding (the `lossless` codec's default mode): a causal per-pixel MLP predicts a
// discretized logistic mixture for R, then G given R, then B given R and G (PixelCNN++'s channel
// conditioning), from the already decoded neighbours; rANS codes each sample with that distribution.
//
// Everything between the pixels and the coded intervals is integer arithmetic with fixed bounds, and the
// three non-linear functions (1/scale, the logistic sigmoid, exp for the mixture weights) are lookup
// tables that travel in the model file, so every machine and thread count computes the same intervals
// (no float, no libm). models/train/lossless/intmodel.py is the bit-exact Python reference.
//
// Per pixel (x, y) and channel c, with ref_c = W if x > 0, else N if y > 0, else 128:
//   features  f = neighbour_c' - ref_c' for the causal offsets (rows y-R..y-1 at x-R..x+R, then row y at
//             x-R..x-1) and channels c' = R, G, B; 0 for neighbours outside the image
//   layers    a' = clamp((b + W a) >> shift, 0, 4095) (hidden: ReLU saturating, Q9), head: (b + W a) >> shift (Q8)
//   head      logits[3][K], means[3][K], log-scales[3][K], coefficients[3][K] (Q8)
//   mean      mu_R = 256 ref_R + 8 m_R; mu_G = 256 ref_G + 8 m_G + a_k (x_R - ref_R);
//             mu_B = 256 ref_B + 8 m_B + b_k (x_R - ref_R) + g_k (x_G - ref_G)   (Q8; coefficients clamped to +-256)
//   weights   w_k = floor(2^16 e_k / sum e), e_k = expLut[min(max logits - logit_k, 4095)]
//   cdf       F(b) = (sum_k w_k sigmoidLut[clamp(((256 b - 128 - mu_k) invScaleLut[ls_k + 768]) >> 16, +-4096) + 4096]) >> 16
//             cdf(0) = 0, cdf(256) = 2^16, cdf(v) = v + (F(v) (2^16 - 256)) >> 16: every value has frequency >= 1.
// Gray images run the same network with the one channel seen as R, G and B and code R only.
//
// Model file (little-endian):
//   "NCLM", u16 version (1), u8 radius, u8 hidden layers L, u16 hidden width, u8 mixtures K, u8 0
//   L + 1 layers: u16 out, u16 in, u8 shift, u8 0, i16 weight[out * in] (row-major), i32 bias[out]
//   u32 invScaleLut[2305], u32 sigmoidLut[8193], u32 expLut[4096]
// Tile bitstream: varint word count W, then 4W bytes of rANS words (the final state's two words first,
// then the renormalization words in decoding order); the decoder checks both ends.
#ifndef NCODEC_LOSSLESS_MLP_H_
#define NCODEC_LOSSLESS_MLP_H_

#include <cstdint>
#include <vector>

#include "span.h"
#include "status.h"

namespace ncodec {

constexpr int kLosslessLogScaleMin = -768;   // Q8 log-scale range: [-3, 6]
constexpr int kLosslessLogScaleMax = 1536;
constexpr int kLosslessSigmoidHalf = 4096;   // sigmoid argument range: +-16 (Q8)
constexpr int kLosslessExpSize = 4096;
constexpr int kLosslessActMax = 4095;
constexpr int kLosslessPrecision = 16;

struct LosslessLayer {
  int out = 0;
  int in = 0;
  int shift = 0;
  std::vector<int16_t> weight;    // row-major [out][in], as stored
  std::vector<int16_t> weight_t;  // [in / 2][out][2] (input pairs), what the evaluation reads
  std::vector<int32_t> bias;
};

class LosslessMlp {
 public:
  // Parses and checks a model file (sizes, bounds that keep int32 accumulators exact, monotone tables).
  Status Parse(Span<const uint8_t> bytes);

  int radius() const { return radius_; }
  int mixtures() const { return mixtures_; }
  size_t inputs() const { return layers_.empty() ? 0 : static_cast<size_t>(layers_[0].in); }
  const std::vector<LosslessLayer>& layers() const { return layers_; }
  const std::vector<uint32_t>& inv_scale() const { return inv_scale_; }
  const std::vector<uint32_t>& sigmoid() const { return sigmoid_; }
  const std::vector<uint32_t>& exp() const { return exp_; }

 private:
  int radius_ = 0;
  int mixtures_ = 0;
  std::vector<LosslessLayer> layers_;
  std::vector<uint32_t> inv_scale_, sigmoid_, exp_;
};

// Encodes a width x height image of `channels` (1 or 3) interleaved 8-bit samples. `threads` (>= 1)
// only splits the per-pixel network evaluations; the output does not depend on it.
Status LosslessMlpEncode(const LosslessMlp& model, Span<const uint8_t> pixels, int width, int height, int channels,
                         int threads, std::vector<uint8_t>* out);

// Decodes exactly the whole of `bytes` into `pixels` (width * height * channels samples).
Status LosslessMlpDecode(const LosslessMlp& model, Span<const uint8_t> bytes, int width, int height, int channels,
                         Span<uint8_t> pixels);

// Ideal code length in bits (the entropy-coder overhead excluded): picks between modes without coding.
Status LosslessMlpBits(const LosslessMlp& model, Span<const uint8_t> pixels, int width, int height, int channels,
                       int threads, double* bits);

}  // namespace ncodec

#endif  // NCODEC_LOSSLESS_MLP_H_
