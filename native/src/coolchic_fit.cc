// CoolChicFitter: see coolchic_fit.h. The comments name the functions of models/train/inr/coolchic.py
// each part mirrors.
#include "coolchic_fit.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <thread>

namespace ncodec {
namespace {

constexpr int kK = 16;       // ARM context and hidden width
constexpr int kSyn = 16;     // synthesis hidden width
constexpr int kL = kCoolChicLevels;
constexpr float kLogScaleMin = -4.0f;
constexpr float kLogScaleMax = 3.5f;
constexpr float kBeta1 = 0.9f, kBeta2 = 0.999f, kEps = 1e-8f;
constexpr float kLn2 = 0.693147180559945309f;
// CONTEXT of coolchic.py: (dy, dx) of the 16 causal neighbours.
constexpr int kContext[kK][2] = {{-1, 0}, {0, -1}, {-1, -1}, {-1, 1}, {-2, 0}, {0, -2}, {-2, -1}, {-2, 1},
                                 {-1, -2}, {-1, 2}, {-2, -2}, {-2, 2}, {-3, 0}, {0, -3}, {-1, -3}, {-1, 3}};

// Offsets of the network tensors after the latents.
struct Net {
  static constexpr size_t kUp = 0;  // k_l at 9 * l
  static constexpr size_t kAw0 = 54, kAb0 = kAw0 + 256, kAw1 = kAb0 + 16, kAb1 = kAw1 + 256, kAw2 = kAb1 + 16,
                          kAb2 = kAw2 + 32;
  static constexpr size_t kSw0 = kAb2 + 2, kSb0 = kSw0 + 112, kSw1 = kSb0 + 16, kSb1 = kSw1 + 256, kSw2 = kSb1 + 16,
                          kSb2 = kSw2 + 48, kCw0 = kSb2 + 3, kCb0 = kCw0 + 81, kCw1 = kCb0 + 3, kCb1 = kCw1 + 81;
  static constexpr size_t kEnd = kCb1 + 3;
};
static_assert(Net::kEnd == kCoolChicNetworkSize, "network layout");

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define NCODEC_FIT_MULTIVERSION __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define NCODEC_FIT_MULTIVERSION
#endif

// Runs body(worker, begin, end) on `threads` workers over [0, n) in contiguous ranges.
template <typename Body>
void ParallelRanges(int threads, int64_t n, Body body) {
  if (threads <= 1 || n < 2) {
    body(0, int64_t{0}, n);
    return;
  }
  std::vector<std::thread> pool;
  const int64_t per = (n + threads - 1) / threads;
  for (int t = 1; t < threads; ++t) {
    const int64_t b = std::min(n, per * t), e = std::min(n, per * (t + 1));
    pool.emplace_back([&body, t, b, e]() { body(t, b, e); });
  }
  body(0, int64_t{0}, std::min(n, per));
  for (auto& th : pool) th.join();
}

// ------------------------------------------------------------------------------------ Laplace rate

struct LaplaceGrad {
  float bits, g_d, g_s;  // -log2 P, d bits / d q (= -d bits / d mu), d bits / d s
};

// laplace_bits + laplace_bits_backward of coolchic.py for one latent.
inline LaplaceGrad LaplaceBits(float q, float mu, float s) {
  const float sc = std::min(std::max(s, kLogScaleMin), kLogScaleMax);
  const float b = std::exp(sc), inv_b = 1.0f / b;
  const float d = q - mu, a = std::fabs(d);
  const float r = std::exp(-inv_b);
  float log_p, dlp_da, dlp_ds;
  if (a >= 0.5f) {
    log_p = std::log(0.5f) - (a - 0.5f) * inv_b + std::log(1.0f - r);
    dlp_da = -inv_b;
    dlp_ds = (a - 0.5f) * inv_b - inv_b * r / (1.0f - r);
  } else {
    const float e1 = 0.5f * std::exp(-(0.5f - a) * inv_b);
    const float e2 = 0.5f * std::exp(-(a + 0.5f) * inv_b);
    const float pm = std::min(std::max(1.0f - e1 - e2, 1e-30f), 1.0f);
    log_p = std::log(pm);
    dlp_da = (e2 - e1) * inv_b / pm;
    dlp_ds = -(e1 * (0.5f - a) + e2 * (a + 0.5f)) * inv_b / pm;
  }
  const float scale = -1.0f / kLn2;
  const float sign = d > 0 ? 1.0f : (d < 0 ? -1.0f : 0.0f);
  float g_s = scale * dlp_ds;
  const bool inward = (s > kLogScaleMin && s < kLogScaleMax) || (s <= kLogScaleMin && g_s < 0) || (s >= kLogScaleMax && g_s > 0);
  if (!inward) g_s = 0;
  return {-log_p / kLn2, scale * dlp_da * sign, g_s};
}

// ------------------------------------------------------------------------------------------- ARM

struct ArmGrads {
  float w0[kK * kK], b0[kK], w1[kK * kK], b1[kK], w2[kK * 2], b2[2];
  double bits;
};

// 16 floats: one ARM or synthesis hidden layer. GCC / clang vector extensions: one AVX-512 register in
// the x86-64-v4 clone, two AVX2 registers or four SSE registers in the others.
typedef float V16 __attribute__((vector_size(64), aligned(64)));

// The helpers below are always inlined into their (multiversioned) callers, so no V16 ever crosses a
// call: GCC's note that passing one by value would depend on AVX-512 does not apply.
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wpsabi"
#elif defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif
#define NCODEC_INLINE inline __attribute__((always_inline))

NCODEC_INLINE V16 Load16(const float* p) {
  V16 v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
NCODEC_INLINE V16 Relu(V16 v) { return v > 0 ? v : V16{}; }
NCODEC_INLINE V16 Mask(V16 z, V16 g) { return z > 0 ? g : V16{}; }
NCODEC_INLINE float Sum16(V16 v) {
  float s = 0;
  for (int i = 0; i < 16; ++i) s += v[i];
  return s;
}

constexpr int kArmBatch = 8;  // latents whose weight gradients are summed together (in registers)

// ARM forward, rate and ARM backward (arm_forward, laplace_bits, arm_backward, contexts_backward) for
// the latents [first, last) (raster order) of one level, with the 16-wide layers in vector registers; the weight gradients of
// kArmBatch latents at a time are summed row by row. g_q: this worker's d loss / d q of the level;
// `scale` = lambda / pixels.
NCODEC_FIT_MULTIVERSION void ArmRange(const float* __restrict q, int w, int64_t first, int64_t last, const float* __restrict p,
                                      float scale, float* __restrict g_q, ArmGrads* acc) {
  V16 w0[kK], w1[kK], w0t[kK], w1t[kK];
  for (int i = 0; i < kK; ++i) {
    w0[i] = Load16(p + Net::kAw0 + i * kK);
    w1[i] = Load16(p + Net::kAw1 + i * kK);
    for (int j = 0; j < kK; ++j) {
      w0t[j][i] = p[Net::kAw0 + i * kK + j];
      w1t[j][i] = p[Net::kAw1 + i * kK + j];
    }
  }
  const V16 b0 = Load16(p + Net::kAb0), b1 = Load16(p + Net::kAb1);
  V16 a_mu, a_s;  // columns of aw2
  for (int i = 0; i < kK; ++i) {
    a_mu[i] = p[Net::kAw2 + i * 2];
    a_s[i] = p[Net::kAw2 + i * 2 + 1];
  }
  const float c_mu = p[Net::kAb2], c_s = p[Net::kAb2 + 1];
  V16 dw0[kK], dw1[kK];
  for (int i = 0; i < kK; ++i) dw0[i] = dw1[i] = V16{};
  V16 db0{}, db1{}, dw_mu{}, dw_s{};
  float db_mu = 0, db_s = 0;
  double bits = 0;
  // one batch: contexts, h0 and the layers' gradients g_z0, g_z1 of up to kArmBatch latents
  V16 ctx_b[kArmBatch], h0_b[kArmBatch], gz0_b[kArmBatch], gz1_b[kArmBatch];
  int n = 0;
  auto flush = [&]() {
    for (int i = 0; i < kK; ++i) {
      V16 a0 = dw0[i], a1 = dw1[i];
      for (int b = 0; b < n; ++b) {
        a0 += ctx_b[b][i] * gz0_b[b];
        a1 += h0_b[b][i] * gz1_b[b];
      }
      dw0[i] = a0;
      dw1[i] = a1;
    }
    n = 0;
  };
  for (int64_t pos = first; pos < last; ++pos) {
    const int r = static_cast<int>(pos / w), c = static_cast<int>(pos % w);
    const bool inside = r >= 3 && c >= 3 && c + 3 < w;
    V16 ctx;
    if (inside) {
      for (int i = 0; i < kK; ++i) ctx[i] = q[pos + kContext[i][0] * w + kContext[i][1]];
    } else {
      for (int i = 0; i < kK; ++i) {
        const int y = r + kContext[i][0], x = c + kContext[i][1];
        ctx[i] = (y >= 0 && x >= 0 && x < w) ? q[static_cast<int64_t>(y) * w + x] : 0.0f;
      }
    }
    V16 z0 = b0;
    for (int i = 0; i < kK; ++i) z0 += ctx[i] * w0[i];
    const V16 h0 = Relu(z0) + ctx;
    V16 z1 = b1;
    for (int i = 0; i < kK; ++i) z1 += h0[i] * w1[i];
    const V16 h1 = Relu(z1) + h0;
    const float mu = c_mu + Sum16(h1 * a_mu), s = c_s + Sum16(h1 * a_s);
    const LaplaceGrad lg = LaplaceBits(q[pos], mu, s);
    bits += lg.bits;
    g_q[pos] += lg.g_d * scale;
    const float gm = -lg.g_d * scale, gs = lg.g_s * scale;
    // backward
    const V16 g_h1 = gm * a_mu + gs * a_s;
    dw_mu += gm * h1;
    dw_s += gs * h1;
    db_mu += gm;
    db_s += gs;
    const V16 g_z1 = Mask(z1, g_h1);
    db1 += g_z1;
    V16 g_h0 = g_h1;
    for (int j = 0; j < kK; ++j) g_h0 += g_z1[j] * w1t[j];
    const V16 g_z0 = Mask(z0, g_h0);
    db0 += g_z0;
    V16 g_ctx = g_h0;
    for (int j = 0; j < kK; ++j) g_ctx += g_z0[j] * w0t[j];
    ctx_b[n] = ctx;
    h0_b[n] = h0;
    gz0_b[n] = g_z0;
    gz1_b[n] = g_z1;
    if (++n == kArmBatch) flush();
    if (inside) {
      for (int i = 0; i < kK; ++i) g_q[pos + kContext[i][0] * w + kContext[i][1]] += g_ctx[i];
    } else {
      for (int i = 0; i < kK; ++i) {
        const int y = r + kContext[i][0], x = c + kContext[i][1];
        if (y >= 0 && x >= 0 && x < w) g_q[static_cast<int64_t>(y) * w + x] += g_ctx[i];
      }
    }
  }
  flush();
  for (int i = 0; i < kK; ++i) {
    for (int j = 0; j < kK; ++j) {
      acc->w0[i * kK + j] += dw0[i][j];
      acc->w1[i * kK + j] += dw1[i][j];
    }
    acc->b0[i] += db0[i];
    acc->b1[i] += db1[i];
    acc->w2[i * 2] += dw_mu[i];
    acc->w2[i * 2 + 1] += dw_s[i];
  }
  acc->b2[0] += db_mu;
  acc->b2[1] += db_s;
  acc->bits += bits;
}

// --------------------------------------------------------------------------------- 3x3 convolutions

// out[co] (+)= sum_ci w[co][ci] * in[ci] (3x3 cross-correlation, zero padding) on output rows [ya, yb)
// of planes of h x w. depthwise: one kernel for every channel (ci = co), as the upsampling's.
NCODEC_FIT_MULTIVERSION void Conv3x3Rows(const float* __restrict in, int cin, int h, int w, const float* __restrict k,
                                         bool depthwise, int cout, int ya, int yb, float* __restrict out) {
  for (int co = 0; co < cout; ++co) {
    for (int ci = 0; ci < cin; ++ci) {
      if (depthwise && ci != co) continue;
      const float* kk = depthwise ? k : k + (static_cast<size_t>(co) * cin + ci) * 9;
      const float* src = in + static_cast<size_t>(ci) * h * w;
      float* dst = out + static_cast<size_t>(co) * h * w;
      for (int ky = 0; ky < 3; ++ky) {
        for (int kx = 0; kx < 3; ++kx) {
          const float wt = kk[ky * 3 + kx];
          if (wt == 0.0f) continue;
          const int dy = ky - 1, dx = kx - 1;
          const int y0 = std::max(ya, -dy), y1 = std::min(yb, h - dy);
          const int x0 = std::max(0, -dx), x1 = std::min(w, w - dx);
          for (int y = y0; y < y1; ++y) {
            const float* s = src + static_cast<size_t>(y + dy) * w + dx;
            float* d = dst + static_cast<size_t>(y) * w;
            for (int x = x0; x < x1; ++x) d[x] += wt * s[x];
          }
        }
      }
    }
  }
}

// Conv3x3Rows over all rows, on `threads` workers.
void Conv3x3Accumulate(const float* in, int cin, int h, int w, const float* k, bool depthwise, int cout, float* out,
                       int threads) {
  ParallelRanges(threads, h, [&](int, int64_t a, int64_t b) {
    Conv3x3Rows(in, cin, h, w, k, depthwise, cout, static_cast<int>(a), static_cast<int>(b), out);
  });
}

// gin[ci] (+)= adjoint of Conv3x3Accumulate applied to g (conv3x3_input_grad): the correlation of g with
// the flipped, transposed kernel.
void Conv3x3InputGrad(const float* g, int cout, int h, int w, const float* k, bool depthwise, int cin, float* gin,
                      int threads) {
  const int n = depthwise ? 1 : cout * cin;
  std::vector<float> flipped(static_cast<size_t>(n) * 9);
  for (int co = 0; co < (depthwise ? 1 : cout); ++co)
    for (int ci = 0; ci < (depthwise ? 1 : cin); ++ci)
      for (int t = 0; t < 9; ++t) {
        const float v = depthwise ? k[t] : k[(static_cast<size_t>(co) * cin + ci) * 9 + t];
        flipped[(depthwise ? 0 : (static_cast<size_t>(ci) * cout + co) * 9) + (8 - t)] = v;
      }
  Conv3x3Accumulate(g, cout, h, w, flipped.data(), depthwise, cin, gin, threads);
}

// Sums of products per column for output rows [ya, yb) of one tap: acc[x] += g[y][x] * in[y + dy][x + dx].
NCODEC_FIT_MULTIVERSION void TapColumns(const float* __restrict src, const float* __restrict gg, int h, int w, int dy, int dx,
                                        int ya, int yb, float* __restrict acc) {
  const int y0 = std::max(ya, -dy), y1 = std::min(yb, h - dy);
  const int x0 = std::max(0, -dx), x1 = std::min(w, w - dx);
  for (int y = y0; y < y1; ++y) {
    const float* __restrict s = src + static_cast<size_t>(y + dy) * w + dx;
    const float* __restrict d = gg + static_cast<size_t>(y) * w;
    for (int x = x0; x < x1; ++x) acc[x] += d[x] * s[x];
  }
}

// dk (+)= d loss / d kernel of Conv3x3Accumulate (conv3x3_weight_grad); depthwise: one kernel, summed
// over the channels. Each worker sums its rows per column (a vector), then the columns.
void Conv3x3WeightGrad(const float* in, int cin, int h, int w, const float* g, bool depthwise, int cout, float* dk,
                       int threads) {
  const int kernels = depthwise ? 1 : cout * cin;
  std::vector<std::vector<double>> part(std::max(threads, 1), std::vector<double>(static_cast<size_t>(kernels) * 9, 0.0));
  ParallelRanges(threads, h, [&](int worker, int64_t a, int64_t b) {
    std::vector<float> cols(static_cast<size_t>(w));
    for (int co = 0; co < cout; ++co) {
      for (int ci = 0; ci < cin; ++ci) {
        if (depthwise && ci != co) continue;
        double* kk = part[worker].data() + (depthwise ? 0 : (static_cast<size_t>(co) * cin + ci) * 9);
        const float* src = in + static_cast<size_t>(ci) * h * w;
        const float* gg = g + static_cast<size_t>(co) * h * w;
        for (int t = 0; t < 9; ++t) {
          std::fill(cols.begin(), cols.end(), 0.0f);
          TapColumns(src, gg, h, w, t / 3 - 1, t % 3 - 1, static_cast<int>(a), static_cast<int>(b), cols.data());
          double sum = 0;
          for (float v : cols) sum += v;
          kk[t] += sum;
        }
      }
    }
  });
  for (const auto& pt : part)
    for (size_t i = 0; i < pt.size(); ++i) dk[i] += static_cast<float>(pt[i]);
}

// ------------------------------------------------------------------------------- synthesis MLP

struct SynGrads {
  float w0[kL * kSyn], b0[kSyn], w1[kSyn * kSyn], b1[kSyn], w2[kSyn * 3], b2[3];
};

// The 1x1 layers for pixels [i0, i1): o = MLP(x) (forward only).
NCODEC_FIT_MULTIVERSION void SynthesisForward(const float* __restrict x, size_t plane, size_t i0, size_t i1, const float* __restrict p,
                                              float* __restrict o) {
  V16 w0[kL], w1[kSyn], w2[3];
  for (int c = 0; c < kL; ++c) w0[c] = Load16(p + Net::kSw0 + c * kSyn);
  for (int i = 0; i < kSyn; ++i) {
    w1[i] = Load16(p + Net::kSw1 + i * kSyn);
    for (int k = 0; k < 3; ++k) w2[k][i] = p[Net::kSw2 + i * 3 + k];
  }
  const V16 b0 = Load16(p + Net::kSb0), b1 = Load16(p + Net::kSb1);
  for (size_t i = i0; i < i1; ++i) {
    V16 z0 = b0;
    for (int c = 0; c < kL; ++c) z0 += x[c * plane + i] * w0[c];
    const V16 h0 = Relu(z0);
    V16 z1 = b1;
    for (int j = 0; j < kSyn; ++j) z1 += h0[j] * w1[j];
    const V16 h1 = Relu(z1);
    for (int k = 0; k < 3; ++k) o[k * plane + i] = p[Net::kSb2 + k] + Sum16(h1 * w2[k]);
  }
}

// synthesis_backward's 1x1 part for pixels [i0, i1): recomputes the layers, takes g0 = d loss / d o and
// writes d loss / d x (gx, 7 planes), accumulating the weight gradients.
NCODEC_FIT_MULTIVERSION void SynthesisBackward(const float* __restrict x, const float* __restrict g0, size_t plane, size_t i0,
                                               size_t i1, const float* __restrict p, float* __restrict gx, SynGrads* out) {
  V16 w0[kL], w1[kSyn], w1t[kSyn], w2[3];
  for (int c = 0; c < kL; ++c) w0[c] = Load16(p + Net::kSw0 + c * kSyn);
  for (int i = 0; i < kSyn; ++i) {
    w1[i] = Load16(p + Net::kSw1 + i * kSyn);
    for (int j = 0; j < kSyn; ++j) w1t[j][i] = p[Net::kSw1 + i * kSyn + j];
    for (int k = 0; k < 3; ++k) w2[k][i] = p[Net::kSw2 + i * 3 + k];
  }
  const V16 b0 = Load16(p + Net::kSb0), b1 = Load16(p + Net::kSb1);
  V16 dw0[kL], dw1[kSyn], dw2[3], db0{}, db1{};
  for (auto& v : dw0) v = V16{};
  for (auto& v : dw1) v = V16{};
  for (auto& v : dw2) v = V16{};
  float db2[3] = {};
  for (size_t i = i0; i < i1; ++i) {
    float xc[kL];
    for (int c = 0; c < kL; ++c) xc[c] = x[c * plane + i];
    V16 z0 = b0;
    for (int c = 0; c < kL; ++c) z0 += xc[c] * w0[c];
    const V16 h0 = Relu(z0);
    V16 z1 = b1;
    for (int j = 0; j < kSyn; ++j) z1 += h0[j] * w1[j];
    const V16 h1 = Relu(z1);
    const float g[3] = {g0[i], g0[plane + i], g0[2 * plane + i]};
    const V16 g_h1 = g[0] * w2[0] + g[1] * w2[1] + g[2] * w2[2];
    for (int k = 0; k < 3; ++k) {
      dw2[k] += g[k] * h1;
      db2[k] += g[k];
    }
    const V16 g_z1 = Mask(z1, g_h1);
    for (int j = 0; j < kSyn; ++j) dw1[j] += h0[j] * g_z1;
    db1 += g_z1;
    V16 g_h0{};
    for (int j = 0; j < kSyn; ++j) g_h0 += g_z1[j] * w1t[j];
    const V16 g_z0 = Mask(z0, g_h0);
    for (int c = 0; c < kL; ++c) {
      dw0[c] += xc[c] * g_z0;
      gx[c * plane + i] = Sum16(w0[c] * g_z0);
    }
    db0 += g_z0;
  }
  for (int c = 0; c < kL; ++c)
    for (int j = 0; j < kSyn; ++j) out->w0[c * kSyn + j] += dw0[c][j];
  for (int i = 0; i < kSyn; ++i) {
    for (int j = 0; j < kSyn; ++j) out->w1[i * kSyn + j] += dw1[i][j];
    for (int k = 0; k < 3; ++k) out->w2[i * 3 + k] += dw2[k][i];
    out->b0[i] += db0[i];
    out->b1[i] += db1[i];
  }
  for (int k = 0; k < 3; ++k) out->b2[k] += db2[k];
}

// nearest2 of coolchic.py: ch planes of h x w -> ch planes of 2h x 2w (each value repeated 2 x 2).
void Nearest2(const float* src, int ch, int h, int w, std::vector<float>* out) {
  const int nh = 2 * h, nw = 2 * w;
  out->resize(static_cast<size_t>(ch) * nh * nw);
  for (int c = 0; c < ch; ++c)
    for (int y = 0; y < nh; ++y) {
      const float* row = src + (static_cast<size_t>(c) * h + y / 2) * w;
      float* dst = out->data() + (static_cast<size_t>(c) * nh + y) * nw;
      for (int x = 0; x < nw; ++x) dst[x] = row[x / 2];
    }
}

}  // namespace

Status CoolChicFitter::Proxy(uint32_t seed, bool hard, Span<float> out) const {
  const size_t latents = level_offset_[kL];
  if (out.size() != latents) {
    return Status::OutOfRange(ExpectedMessage("an array of " + std::to_string(latents) + " values", "out", static_cast<int64_t>(out.size())));
  }
  if (hard) {
    for (size_t i = 0; i < latents; ++i) out[i] = std::nearbyint(params_[i]) - params_[i];  // ties to even (default rounding mode)
    return Status::Ok();
  }
  uint32_t state = seed;
  for (size_t i = 0; i < latents; ++i) {
    state += 0x6d2b79f5u;  // mulberry32
    uint32_t t = state;
    t = (t ^ (t >> 15)) * (t | 1u);
    t ^= t + (t ^ (t >> 7)) * (t | 61u);
    t ^= t >> 14;
    out[i] = static_cast<float>(static_cast<double>(t) / 4294967296.0 - 0.5);
  }
  return Status::Ok();
}

CoolChicFitter::CoolChicFitter(int height, int width, int threads) : height_(height), width_(width), threads_(threads) {
  level_offset_[0] = 0;
  for (int l = 0; l < kL; ++l) {
    level_h_[l] = (height + (1 << l) - 1) >> l;
    level_w_[l] = (width + (1 << l) - 1) >> l;
    level_offset_[l + 1] = level_offset_[l] + static_cast<size_t>(level_h_[l]) * level_w_[l];
  }
}

size_t CoolChicFitter::LatentCount(int height, int width) {
  size_t n = 0;
  for (int l = 0; l < kL; ++l) n += static_cast<size_t>((height + (1 << l) - 1) >> l) * ((width + (1 << l) - 1) >> l);
  return n;
}

Status CoolChicFitter::Create(int height, int width, Span<const float> params, int threads, std::unique_ptr<CoolChicFitter>* out) {
  if (height < 1 || height > kCoolChicMaxSide) return Status::OutOfRange(ExpectedMessage(IntegerBetween(1, kCoolChicMaxSide), "height", height));
  if (width < 1 || width > kCoolChicMaxSide) return Status::OutOfRange(ExpectedMessage(IntegerBetween(1, kCoolChicMaxSide), "width", width));
  if (threads < 1 || threads > 64) return Status::OutOfRange(ExpectedMessage(IntegerBetween(1, 64), "threads", threads));
  const size_t count = ParamCount(height, width);
  if (params.size() != count) {
    return Status::OutOfRange(ExpectedMessage("an array of " + std::to_string(count) + " parameters", "params",
                                              static_cast<int64_t>(params.size())));
  }
  for (size_t i = 0; i < params.size(); ++i) {
    if (!std::isfinite(params[i])) return Status::OutOfRange(ExpectedNumber("a finite number", ElementName("params", i), params[i]));
  }
  std::unique_ptr<CoolChicFitter> fitter(new CoolChicFitter(height, width, threads));
  fitter->params_.assign(params.begin(), params.end());
  fitter->m_.assign(count, 0.0f);
  fitter->v_.assign(count, 0.0f);
  fitter->grad_.assign(count, 0.0f);
  *out = std::move(fitter);
  return Status::Ok();
}

NCODEC_FIT_MULTIVERSION Status CoolChicFitter::Step(Span<const float> noise, Span<const float> target, float lambda, float lr, float lr_network,
                            int64_t t, CoolChicStepResult* result) {
  const size_t latents = level_offset_[kL];
  const size_t plane = static_cast<size_t>(height_) * width_;
  if (noise.size() != latents) {
    return Status::OutOfRange(ExpectedMessage("an array of " + std::to_string(latents) + " values", "noise", static_cast<int64_t>(noise.size())));
  }
  if (target.size() != 3 * plane) {
    return Status::OutOfRange(ExpectedMessage("an array of " + std::to_string(3 * plane) + " values", "target", static_cast<int64_t>(target.size())));
  }
  if (t < 1) return Status::OutOfRange(ExpectedMessage("an integer of at least 1", "t", t));
  if (!(std::isfinite(lambda) && lambda >= 0) || !std::isfinite(lr) || !std::isfinite(lr_network)) {
    return Status::OutOfRange("Expected finite lambda >= 0, lr and lrNetwork for a Cool-chic step");
  }
  const float* net = params_.data() + latents;
  float* gnet = grad_.data() + latents;
  std::fill(grad_.begin(), grad_.end(), 0.0f);
  q_.resize(latents);
  for (size_t i = 0; i < latents; ++i) q_[i] = params_[i] + noise[i];
  const float pixels = static_cast<float>(plane);
  const float scale = lambda / pixels;

  // ---- ARM and rate (loss_terms / gradients): each worker its own latent gradient and weight sums
  const int workers = threads_;
  auto& gq = worker_grad_;
  gq.resize(workers);
  std::vector<ArmGrads> arm(workers);
  for (int k = 0; k < workers; ++k) {
    gq[k].assign(k == 0 ? 0 : latents, 0.0f);
    arm[k] = ArmGrads{};
  }
  // the latents of all levels as one index space, so the workers share the work evenly
  ParallelRanges(workers, static_cast<int64_t>(latents), [&](int k, int64_t b, int64_t e) {
    float* g = k == 0 ? grad_.data() : gq[k].data();
    for (int l = 0; l < kL; ++l) {
      const int64_t lo = std::max<int64_t>(b, level_offset_[l]), hi = std::min<int64_t>(e, level_offset_[l + 1]);
      if (lo >= hi) continue;
      const int64_t base = level_offset_[l];
      ArmRange(q_.data() + base, level_w_[l], lo - base, hi - base, net, scale, g + base, &arm[k]);
    }
  });
  double bits = 0;
  for (int k = 0; k < workers; ++k) {
    if (k > 0) {
      for (size_t i = 0; i < latents; ++i) grad_[i] += gq[k][i];
    }
    const ArmGrads& a = arm[k];
    for (int i = 0; i < kK * kK; ++i) {
      gnet[Net::kAw0 + i] += a.w0[i];
      gnet[Net::kAw1 + i] += a.w1[i];
    }
    for (int i = 0; i < kK; ++i) {
      gnet[Net::kAb0 + i] += a.b0[i];
      gnet[Net::kAb1 + i] += a.b1[i];
    }
    for (int i = 0; i < kK * 2; ++i) gnet[Net::kAw2 + i] += a.w2[i];
    gnet[Net::kAb2] += a.b2[0];
    gnet[Net::kAb2 + 1] += a.b2[1];
    bits += a.bits;
  }

  // ---- upsampling forward (upsample_forward): x_l planes, C_l = 7 - l channels at level l
  size_t x_offset[kL];
  size_t total = 0;
  for (int l = 0; l < kL; ++l) {
    x_offset[l] = total;
    total += static_cast<size_t>(kL - l) * level_h_[l] * level_w_[l];
  }
  x_.assign(total, 0.0f);
  {
    const int l = kL - 1;
    std::copy(q_.begin() + level_offset_[l], q_.begin() + level_offset_[l + 1], x_.begin() + x_offset[l]);
  }
  std::vector<float>& n_buf = n_buf_;
  std::vector<float>& u_buf = u_buf_;
  for (int l = kL - 2; l >= 0; --l) {
    const int h = level_h_[l], w = level_w_[l];
    const int nh = 2 * level_h_[l + 1], nw = 2 * level_w_[l + 1];
    const int ch = kL - 1 - l;  // channels of x_{l+1}
    const float* src = x_.data() + x_offset[l + 1];
    Nearest2(src, ch, level_h_[l + 1], level_w_[l + 1], &n_buf);
    u_buf.assign(n_buf.size(), 0.0f);
    Conv3x3Accumulate(n_buf.data(), ch, nh, nw, net + Net::kUp + 9 * l, true, ch, u_buf.data(), workers);
    float* dst = x_.data() + x_offset[l];
    std::copy(q_.begin() + level_offset_[l], q_.begin() + level_offset_[l + 1], dst);
    for (int c = 0; c < ch; ++c)
      for (int y = 0; y < h; ++y)
        std::copy_n(u_buf.data() + (static_cast<size_t>(c) * nh + y) * nw, w, dst + (static_cast<size_t>(c + 1) * h + y) * w);
  }

  // ---- synthesis forward (synthesis_forward) and the distortion
  const float* x0 = x_.data() + x_offset[0];
  o_.assign(3 * plane, 0.0f);
  ParallelRanges(workers, static_cast<int64_t>(plane), [&](int, int64_t b, int64_t e) {
    SynthesisForward(x0, plane, static_cast<size_t>(b), static_cast<size_t>(e), net, o_.data());
  });
  o1_ = o_;
  for (int c = 0; c < 3; ++c)
    for (size_t i = 0; i < plane; ++i) o1_[c * plane + i] += net[Net::kCb0 + c];
  Conv3x3Accumulate(o_.data(), 3, height_, width_, net + Net::kCw0, false, 3, o1_.data(), workers);
  std::vector<float>& r1 = r1_;
  r1.resize(3 * plane);
  for (size_t i = 0; i < 3 * plane; ++i) r1[i] = std::max(o1_[i], 0.0f);
  diff_ = o1_;  // o2 = o1 + conv(r1) + cb1; image = o2 + 0.5
  for (int c = 0; c < 3; ++c)
    for (size_t i = 0; i < plane; ++i) diff_[c * plane + i] += net[Net::kCb1 + c] + 0.5f;
  Conv3x3Accumulate(r1.data(), 3, height_, width_, net + Net::kCw1, false, 3, diff_.data(), workers);
  double sq = 0;
  for (size_t i = 0; i < 3 * plane; ++i) {
    const float d = diff_[i] - target[i];
    diff_[i] = d;
    sq += static_cast<double>(d) * d;
  }
  const double mse = sq / (3.0 * plane);

  // ---- synthesis backward (synthesis_backward)
  g_img_.resize(3 * plane);
  const float gscale = 2.0f / (3.0f * pixels);
  for (size_t i = 0; i < 3 * plane; ++i) g_img_[i] = gscale * diff_[i];
  Conv3x3WeightGrad(r1.data(), 3, height_, width_, g_img_.data(), false, 3, gnet + Net::kCw1, workers);
  for (int c = 0; c < 3; ++c) {
    double s = 0;
    for (size_t i = 0; i < plane; ++i) s += g_img_[c * plane + i];
    gnet[Net::kCb1 + c] += static_cast<float>(s);
  }
  g1_.assign(3 * plane, 0.0f);
  Conv3x3InputGrad(g_img_.data(), 3, height_, width_, net + Net::kCw1, false, 3, g1_.data(), workers);
  for (size_t i = 0; i < 3 * plane; ++i) g1_[i] = g_img_[i] + (o1_[i] > 0 ? g1_[i] : 0.0f);
  Conv3x3WeightGrad(o_.data(), 3, height_, width_, g1_.data(), false, 3, gnet + Net::kCw0, workers);
  for (int c = 0; c < 3; ++c) {
    double s = 0;
    for (size_t i = 0; i < plane; ++i) s += g1_[c * plane + i];
    gnet[Net::kCb0 + c] += static_cast<float>(s);
  }
  g0_ = g1_;
  Conv3x3InputGrad(g1_.data(), 3, height_, width_, net + Net::kCw0, false, 3, g0_.data(), workers);
  gx_.assign(total, 0.0f);
  std::vector<SynGrads> syn(workers);
  for (auto& s : syn) s = SynGrads{};
  ParallelRanges(workers, static_cast<int64_t>(plane), [&](int k, int64_t b, int64_t e) {
    SynthesisBackward(x0, g0_.data(), plane, static_cast<size_t>(b), static_cast<size_t>(e), net, gx_.data() + x_offset[0], &syn[k]);
  });
  for (const SynGrads& s : syn) {
    for (int i = 0; i < kL * kSyn; ++i) gnet[Net::kSw0 + i] += s.w0[i];
    for (int i = 0; i < kSyn; ++i) {
      gnet[Net::kSb0 + i] += s.b0[i];
      gnet[Net::kSb1 + i] += s.b1[i];
    }
    for (int i = 0; i < kSyn * kSyn; ++i) gnet[Net::kSw1 + i] += s.w1[i];
    for (int i = 0; i < kSyn * 3; ++i) gnet[Net::kSw2 + i] += s.w2[i];
    for (int i = 0; i < 3; ++i) gnet[Net::kSb2 + i] += s.b2[i];
  }

  // ---- upsampling backward (upsample_backward): level 0 up to 6
  for (int l = 0; l < kL - 1; ++l) {
    const int h = level_h_[l], w = level_w_[l];
    const int nh = 2 * level_h_[l + 1], nw = 2 * level_w_[l + 1];
    const int ch = kL - 1 - l;
    const float* g = gx_.data() + x_offset[l];
    float* gql = grad_.data() + level_offset_[l];
    for (size_t i = 0; i < static_cast<size_t>(h) * w; ++i) gql[i] += g[i];
    // g of the upsampled channels, zero-padded from h x w to nh x nw (the crop's adjoint)
    std::vector<float>& gu = gu_;
    gu.assign(static_cast<size_t>(ch) * nh * nw, 0.0f);
    for (int c = 0; c < ch; ++c)
      for (int y = 0; y < h; ++y)
        std::copy_n(g + (static_cast<size_t>(c + 1) * h + y) * w, w, gu.data() + (static_cast<size_t>(c) * nh + y) * nw);
    // nearest2(x_{l+1}) again, for the kernel's gradient
    const float* src = x_.data() + x_offset[l + 1];
    Nearest2(src, ch, level_h_[l + 1], level_w_[l + 1], &n_buf);
    Conv3x3WeightGrad(n_buf.data(), ch, nh, nw, gu.data(), true, ch, gnet + Net::kUp + 9 * l, workers);
    std::vector<float>& gn = gn_;
    gn.assign(gu.size(), 0.0f);
    Conv3x3InputGrad(gu.data(), ch, nh, nw, net + Net::kUp + 9 * l, true, ch, gn.data(), workers);
    float* gnext = gx_.data() + x_offset[l + 1];  // d loss / d x_{l+1}: sum over each 2x2 block
    const int h1 = level_h_[l + 1], w1 = level_w_[l + 1];
    for (int c = 0; c < ch; ++c)
      for (int y = 0; y < nh; ++y)
        for (int x = 0; x < nw; ++x)
          gnext[(static_cast<size_t>(c) * h1 + y / 2) * w1 + x / 2] += gn[(static_cast<size_t>(c) * nh + y) * nw + x];
  }
  {
    const int l = kL - 1;
    const float* g = gx_.data() + x_offset[l];
    float* gql = grad_.data() + level_offset_[l];
    for (size_t i = 0; i < static_cast<size_t>(level_h_[l]) * level_w_[l]; ++i) gql[i] += g[i];
  }

  // ---- Adam (adam)
  const float c1 = 1.0f - std::pow(kBeta1, static_cast<float>(t));
  const float c2 = 1.0f - std::pow(kBeta2, static_cast<float>(t));
  ParallelRanges(workers, static_cast<int64_t>(params_.size()), [&](int, int64_t b, int64_t e) {
    float* __restrict pr = params_.data();
    float* __restrict mr = m_.data();
    float* __restrict vr = v_.data();
    const float* __restrict gr = grad_.data();
    for (int64_t i = b; i < e; ++i) {
      const float g = gr[i];
      const float m = kBeta1 * mr[i] + (1.0f - kBeta1) * g;
      const float v = kBeta2 * vr[i] + (1.0f - kBeta2) * g * g;
      const float rate = static_cast<size_t>(i) < latents ? lr : lr_network;
      pr[i] -= rate * (m / c1) / (std::sqrt(v / c2) + kEps);
      mr[i] = m;
      vr[i] = v;
    }
  });
  result->mse = mse;
  result->bits = bits;
  return Status::Ok();
}

}  // namespace ncodec
