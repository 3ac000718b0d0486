// CoolChicFitter: one fitting step of the Cool-chic image model in native code — forward, the
// hand-written backward pass and Adam, exactly the math of models/train/inr/coolchic.py
// (`gradients` + `adam`), which the exported `fitStep` ONNX graph also runs. The inr codec fits an
// image at encode time, so a step's speed is what the encoder's time budget buys
// (codecs/inr/coolchic-fit.ts).
//
// Model (H x W image; levels l = 0..6 of ceil(H / 2^l) x ceil(W / 2^l) latents):
//   q_l = y_l + u_l (u: the caller's quantization proxy: uniform noise, or round(y) - y)
//   ARM: 16 causal neighbours of each latent (zeros outside its grid) -> residual MLP 16-16-16-2
//        -> (mu, s); rate = -log2 of the Laplace(mu, e^clamp(s)) mass on [q - 1/2, q + 1/2]
//   upsampling: x_6 = q_6; x_l = [q_l, crop(conv3x3_k_l(nearest2(x_{l+1})))] (one depthwise kernel)
//   synthesis: x_0 (7 channels) -> 1x1 16 -> ReLU -> 1x1 16 -> ReLU -> 1x1 3 = o;
//              o1 = o + conv3x3(o); o2 = o1 + conv3x3(relu(o1)); image = o2 + 1/2
//   loss = mean((image - target)^2) + lambda * bits / (H W); Adam (bias-corrected), latents at lr,
//   network at lr_net.
//
// Parameters are one float32 vector in the graphs' order: the latent grids y0..y6 (row-major,
// finest first), then k0..k5 (3x3 each), aw0 [16][16] (in, out), ab0, aw1, ab1, aw2 [16][2], ab2,
// sw0 [7][16], sb0, sw1 [16][16], sb1, sw2 [16][3], sb2, cw0 [3][3][3][3] (out, in, ky, kx), cb0,
// cw1, cb1. This is encoder-side floating point: the decoder never runs it, so it need not give the
// same bits on every machine (multiply-adds may be fused, threads sum in their own order).
#ifndef NCODEC_COOLCHIC_FIT_H_
#define NCODEC_COOLCHIC_FIT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "span.h"
#include "status.h"

namespace ncodec {

constexpr int kCoolChicLevels = 7;
constexpr int kCoolChicMaxSide = 16384;
// Network parameters after the latents (the sizes listed above).
constexpr size_t kCoolChicNetworkSize = 6 * 9 + (16 * 16 + 16 + 16 * 16 + 16 + 16 * 2 + 2) +
                                        (7 * 16 + 16 + 16 * 16 + 16 + 16 * 3 + 3 + 81 + 3 + 81 + 3);

struct CoolChicStepResult {
  double mse = 0;   // mean squared error of the image in [0, 1]
  double bits = 0;  // rate of the (proxy-)quantized latents, in bits
};

class CoolChicFitter {
 public:
  // `params`: the initial parameters (ParamCount(height, width) values); Adam's moments start at 0.
  // threads: 1 ... 64 worker threads for the step's loops.
  static Status Create(int height, int width, Span<const float> params, int threads, std::unique_ptr<CoolChicFitter>* out);
  static size_t LatentCount(int height, int width);
  static size_t ParamCount(int height, int width) { return LatentCount(height, width) + kCoolChicNetworkSize; }

  // One step at Adam step number t (1, 2, ...): noise holds u for every latent (LatentCount values),
  // target the image, planar RGB [3][H][W] in [0, 1].
  Status Step(Span<const float> noise, Span<const float> target, float lambda, float lr, float lr_network, int64_t t,
              CoolChicStepResult* result);

  // The quantization proxy of a step into `out` (LatentCount values): hard = false, uniform noise
  // u = draw / 2^32 - 1/2 from mulberry32(seed) (src/prng.ts, the same stream), latent by latent;
  // hard = true, u = round(y) - y with ties to even (the integers the bitstream stores).
  Status Proxy(uint32_t seed, bool hard, Span<float> out) const;

  const std::vector<float>& params() const { return params_; }
  int height() const { return height_; }
  int width() const { return width_; }

 private:
  CoolChicFitter(int height, int width, int threads);

  int height_, width_, threads_;
  int level_h_[kCoolChicLevels], level_w_[kCoolChicLevels];
  size_t level_offset_[kCoolChicLevels + 1];
  std::vector<float> params_, m_, v_, grad_;
  // work buffers, kept between steps
  std::vector<float> q_, x_, gx_, o_, o1_, r1_, diff_, g_img_, g1_, g0_, n_buf_, u_buf_, gu_, gn_;
  std::vector<std::vector<float>> worker_grad_;
};

}  // namespace ncodec

#endif  // NCODEC_COOLCHIC_FIT_H_
