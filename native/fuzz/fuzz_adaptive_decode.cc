// libFuzzer target: adaptive range decoding of arbitrary bytes with input-chosen alphabets, options and
// contexts (format in fuzz_common.h). Decoding must return without a crash, UB or a hang; whatever it
// decodes must lie inside each context's alphabet.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "adaptive_codec.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ncodec_fuzz::Reader in(data, size);
  const ncodec_fuzz::AdaptiveCase c = ncodec_fuzz::ReadAdaptiveCase(in);
  std::vector<int32_t> out(c.contexts.size(), -1);
  const ncodec::Status status = ncodec::AdaptiveDecode(in.Rest(), c.contexts, c.sizes, c.options, out);
  if (status.ok()) {
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i] < 0 || out[i] >= c.sizes[static_cast<size_t>(c.contexts[i])]) abort();
    }
  }
  return 0;
}
