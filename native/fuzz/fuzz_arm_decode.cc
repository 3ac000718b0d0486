// libFuzzer target: the Cool-chic ARM coder (coolchic_arm.h), input format in fuzz_arm.h. Decoding
// arbitrary bytes with arbitrary small weights and grids must return without a crash, UB, an
// out-of-bounds read or a hang; round trips must be exact; the int32 fast path must equal the int64
// definition.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "coolchic_arm.h"
#include "fuzz_arm.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ncodec_fuzz::Reader in(data, size);
  const ncodec_fuzz::ArmCase c = ncodec_fuzz::ReadArmCase(in);
  const ncodec::Span<const uint8_t> rest = in.Rest();
  if (c.mode == 0) {
    std::vector<int32_t> values(c.total);
    (void)ncodec::ArmDecode(c.weights, rest, c.sizes, values);
    return 0;
  }
  if (c.mode == 2) {
    ncodec::ArmModel model;
    if (!model.Create(c.weights).ok()) abort();
    const std::vector<int32_t> contexts = ncodec_fuzz::ArmLatents(rest, 16 * 64);
    for (size_t k = 0; k < 64; ++k) {
      int64_t fast[2], exact[2];
      model.Predict(contexts.data() + 16 * k, fast);
      model.PredictExact(contexts.data() + 16 * k, exact);
      if (fast[0] != exact[0] || fast[1] != exact[1]) abort();
    }
    return 0;
  }
  const std::vector<int32_t> values = ncodec_fuzz::ArmLatents(rest, c.total);
  std::vector<uint8_t> coded;
  if (!ncodec::ArmEncode(c.weights, values, c.sizes, &coded).ok()) abort();
  std::vector<int32_t> back(c.total);
  if (!ncodec::ArmDecode(c.weights, coded, c.sizes, back).ok() || back != values) abort();
  double bits = 0;
  if (!ncodec::ArmBits(c.weights, values, c.sizes, &bits).ok() || bits > 8.0 * coded.size()) abort();
  return 0;
}
