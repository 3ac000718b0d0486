// A validated set of static quantized CDF tables, prepared for rANS coding.
//
// Table format (CompressAI-compatible; the training export writes exactly this into model manifests):
// all tables concatenated into one int32 array `cdfs`; table i has cdfLengths[i] entries with
// cdf[0] = 0, strictly increasing, cdf[last] = 1 << precision. It has n = cdfLengths[i] - 1 symbols;
// symbol s has frequency cdf[s+1] - cdf[s] >= 1. Symbols 0 .. n-2 stand for the values
// offsets[i] .. offsets[i]+n-2; symbol n-1 is the ESCAPE (see escape_code.h).
//
// Built once, used for many encode/decode calls. Besides the CDFs it holds, per symbol, the encoder's
// division-free constants (a fixed-point reciprocal of the frequency, as in ryg_rans' rans64.h) and, per
// table, a decoder lookup from the top bits of a slot to a symbol (see TableSet::AddTable).
#ifndef NCODEC_CDF_TABLES_H_
#define NCODEC_CDF_TABLES_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "span.h"
#include "status.h"

namespace ncodec {

constexpr int kMaxPrecision = 16;

// Encoder constants of one symbol. With them, x / freq (a 64-bit division, slow) becomes a multiply:
// q = mulhi64(x, rcp_freq) >> rcp_shift, exact for every x < 2^63 (Alverson, "Integer division using
// reciprocals", 1991; the same trick as ryg_rans' Rans64EncSymbol). The rANS step
//   x' = (x / freq) * M + (x % freq) + start
// is then computed as x' = x + bias + q * cmpl_freq with cmpl_freq = M - freq.
struct EncSymbol {
  uint64_t rcp_freq;
  uint32_t bias;
  uint16_t cmpl_freq;  // M - freq (freq >= 1, so it fits)
  uint8_t rcp_shift;
  uint8_t unused;
};

// What the decoder needs of one table, with direct pointers (32 bytes: one table, one aligned load).
struct DecTable {
  const uint32_t* cdf;  // the n + 1 CDF entries
  const uint16_t* lut;  // slot >> lut_shift -> first candidate symbol
  uint32_t escape;      // n - 1: the escape symbol, also the number of directly coded values
  int32_t offset;       // value coded by symbol 0
  uint32_t lut_shift;
  uint32_t unused;
};

// What the encoder needs of one table.
struct EncTable {
  const EncSymbol* enc;  // n entries
  uint32_t escape;
  int32_t offset;
};

class TableSet {
 public:
  // Validates the tables (monotone, cdf[0] == 0, last == 1 << precision, lengths >= 2, precision
  // 1..16, offsets such that every direct value fits in int32) and builds the coder's lookups.
  static Status Create(Span<const int32_t> cdfs, Span<const int32_t> cdf_lengths, Span<const int32_t> offsets,
                       int precision, std::unique_ptr<TableSet>* out);

  int precision() const { return precision_; }
  uint32_t table_count() const { return static_cast<uint32_t>(dec_.size()); }
  const DecTable* dec() const { return dec_.data(); }
  const EncTable* enc() const { return enc_tables_.data(); }

  // Frequency of symbol s of table t.
  uint32_t Freq(uint32_t t, uint32_t s) const { return dec_[t].cdf[s + 1] - dec_[t].cdf[s]; }

  // Bytes of native memory held (reported to the JS garbage collector).
  size_t MemoryBytes() const;

 private:
  // Where a table's entries start in cdf_, lut_ and enc_symbols_.
  struct Bases {
    size_t cdf;
    size_t lut;
    size_t enc;
  };

  TableSet() = default;
  TableSet(const TableSet&) = delete;
  TableSet& operator=(const TableSet&) = delete;
  Bases AddTable(const int32_t* cdf, uint32_t n, int32_t offset);
  void Link(const std::vector<Bases>& bases);

  int precision_ = 16;
  // The pointers in dec_ and enc_tables_ point into these (set by Link once all tables are added).
  std::vector<uint32_t> cdf_;
  std::vector<uint16_t> lut_;
  std::vector<EncSymbol> enc_symbols_;
  std::vector<DecTable> dec_;
  std::vector<EncTable> enc_tables_;
};

// Number of symbols `n` a table can have at `precision`: every frequency is at least 1, so n <= 2^precision.
inline uint32_t MaxSymbols(int precision) { return uint32_t{1} << precision; }

}  // namespace ncodec

#endif  // NCODEC_CDF_TABLES_H_
