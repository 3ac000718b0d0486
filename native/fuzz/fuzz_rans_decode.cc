// libFuzzer target: rANS decoding of arbitrary bytes, over a fixed Gaussian table set or over tables
// built from the input (format in fuzz_common.h). Decoding must return (any status) without a crash,
// an out-of-bounds access, undefined behaviour or a hang.
#include <cstdint>
#include <vector>

#include "fuzz_common.h"
#include "rans_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ncodec_fuzz::Reader in(data, size);
  const uint8_t mode = in.Byte();
  std::unique_ptr<ncodec::TableSet> owned;
  const ncodec::TableSet* tables = &ncodec_fuzz::FixedTables();
  if (mode & 1) {
    owned = ncodec_fuzz::ReadTables(in);
    if (!owned) return 0;
    tables = owned.get();
  }
  const size_t n = in.U16() % 4096;
  const uint8_t seed = in.Byte();
  const std::vector<int32_t> indexes = ncodec_fuzz::MakeIds(seed, n, tables->table_count(), (seed & 0x80) != 0);
  std::vector<int32_t> out(n);
  const ncodec::Status status = ncodec::RansDecode(*tables, in.Rest(), indexes, out);
  (void)status;
  return 0;
}
