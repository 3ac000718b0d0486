#include "cdf_tables.h"

#include <climits>
#include <string>

namespace ncodec {
namespace {

// Extra resolution of the decoder lookup over the table's symbol count: the lookup of a table with n
// symbols has 2^(ceil(log2 n) + kLutExtraBits) buckets (at most 2^precision).
#ifndef LUTX
#define LUTX 2
#endif
constexpr int kLutExtraBits = LUTX;

int CeilLog2(uint32_t v) {
  int bits = 0;
  while ((uint64_t{1} << bits) < v) ++bits;
  return bits;
}

EncSymbol MakeEncSymbol(uint32_t start, uint32_t freq, int precision) {
  const uint32_t m = uint32_t{1} << precision;
  EncSymbol e{};
  e.cmpl_freq = static_cast<uint16_t>(m - freq);
  if (freq < 2) {
    // q = mulhi(x, 2^64 - 1) = x - 1 for x >= 1, so x + bias + q * (M - 1) = x * M + start.
    e.rcp_freq = ~uint64_t{0};
    e.rcp_shift = 0;
    e.bias = start + m - 1;
    return e;
  }
  // rcp_freq = ceil(2^(shift + 63) / freq) with shift = ceil(log2 freq), by 64/32 long division.
  const int shift = CeilLog2(freq);
  uint64_t x0 = freq - 1;
  const uint64_t x1 = uint64_t{1} << (shift + 31);
  const uint64_t t1 = x1 / freq;
  x0 += (x1 % freq) << 32;
  const uint64_t t0 = x0 / freq;
  e.rcp_freq = t0 + (t1 << 32);
  e.rcp_shift = static_cast<uint8_t>(shift - 1);
  e.bias = start;
  return e;
}

std::string CdfName(size_t global, size_t table) {
  return ElementName("cdfs", global) + " (table " + std::to_string(table) + ")";
}

// Checks one table: cdf[0] == 0, strictly increasing, cdf[n] == M.
Status ValidateCdf(const int32_t* cdf, uint32_t length, size_t base, size_t table, int precision) {
  const int64_t m = int64_t{1} << precision;
  if (cdf[0] != 0) return Status::OutOfRange(ExpectedMessage("0 as the first CDF entry", CdfName(base, table), cdf[0]));
  for (uint32_t j = 1; j < length; ++j) {
    if (cdf[j] <= cdf[j - 1]) {
      return Status::OutOfRange(ExpectedMessage("a strictly increasing CDF (every frequency >= 1), a value above " +
                                                    std::to_string(cdf[j - 1]),
                                                CdfName(base + j, table), cdf[j]));
    }
  }
  if (cdf[length - 1] != m) {
    return Status::OutOfRange(ExpectedMessage(std::to_string(m) + " (1 << precision) as the last CDF entry",
                                              CdfName(base + length - 1, table), cdf[length - 1]));
  }
  return Status::Ok();
}

Status ValidateShape(Span<const int32_t> cdfs, Span<const int32_t> cdf_lengths, Span<const int32_t> offsets,
                     int precision) {
  if (precision < 1 || precision > kMaxPrecision) {
    return Status::OutOfRange(ExpectedMessage(IntegerBetween(1, kMaxPrecision), "precision", precision));
  }
  if (offsets.size() != cdf_lengths.size()) {
    return Status::OutOfRange(ExpectedMessage("one offset per table (" + std::to_string(cdf_lengths.size()) + ")",
                                              "offsets.length", static_cast<int64_t>(offsets.size())));
  }
  if (cdf_lengths.empty() || cdf_lengths.size() > (size_t{1} << 24)) {
    return Status::OutOfRange(ExpectedMessage(IntegerBetween(1, int64_t{1} << 24) + " tables", "cdfLengths.length",
                                              static_cast<int64_t>(cdf_lengths.size())));
  }
  const int64_t max_length = int64_t{MaxSymbols(precision)} + 1;
  uint64_t total = 0;
  for (size_t i = 0; i < cdf_lengths.size(); ++i) {
    if (cdf_lengths[i] < 2 || cdf_lengths[i] > max_length) {
      return Status::OutOfRange(ExpectedMessage(IntegerBetween(2, max_length), ElementName("cdfLengths", i),
                                                cdf_lengths[i]));
    }
    const int64_t last_direct = int64_t{offsets[i]} + cdf_lengths[i] - 3;  // value of symbol n-2
    if (last_direct > INT32_MAX) {
      return Status::OutOfRange(ExpectedMessage(IntegerBetween(INT32_MIN, INT32_MAX - (cdf_lengths[i] - 3)),
                                                ElementName("offsets", i), offsets[i]));
    }
    total += static_cast<uint64_t>(cdf_lengths[i]);
  }
  if (total > (uint64_t{1} << 28)) {  // keeps every internal index within 32 bits
    return Status::OutOfRange(ExpectedMessage("at most 268435456 CDF entries in all", "the sum of cdfLengths",
                                              static_cast<int64_t>(total)));
  }
  if (total != cdfs.size()) {
    return Status::OutOfRange(ExpectedMessage("the sum of cdfLengths (" + std::to_string(total) + ")",
                                              "cdfs.length", static_cast<int64_t>(cdfs.size())));
  }
  return Status::Ok();
}

}  // namespace

Status TableSet::Create(Span<const int32_t> cdfs, Span<const int32_t> cdf_lengths, Span<const int32_t> offsets,
                        int precision, std::unique_ptr<TableSet>* out) {
  NCODEC_RETURN_IF_ERROR(ValidateShape(cdfs, cdf_lengths, offsets, precision));
  size_t base = 0;
  for (size_t i = 0; i < cdf_lengths.size(); ++i) {
    NCODEC_RETURN_IF_ERROR(ValidateCdf(cdfs.data() + base, static_cast<uint32_t>(cdf_lengths[i]), base, i, precision));
    base += static_cast<size_t>(cdf_lengths[i]);
  }
  std::unique_ptr<TableSet> set(new TableSet());
  set->precision_ = precision;
  std::vector<Bases> bases;
  base = 0;
  for (size_t i = 0; i < cdf_lengths.size(); ++i) {
    bases.push_back(set->AddTable(cdfs.data() + base, static_cast<uint32_t>(cdf_lengths[i] - 1), offsets[i]));
    base += static_cast<size_t>(cdf_lengths[i]);
  }
  set->Link(bases);
  *out = std::move(set);
  return Status::Ok();
}

namespace {

// Bits of the decoder lookup of a table with n symbols (see AddTable).
int LutBits(uint32_t n, int precision) {
  const int bits = CeilLog2(n) + kLutExtraBits;
  return bits < precision ? bits : precision;
}

}  // namespace

// Appends one validated table with n symbols: its CDF, its encoder constants and its decoder lookup.
// Returns where they start; Link() turns these positions into pointers once no array grows any more.
//
// Decoder lookup: decoding must find the symbol s with cdf[s] <= slot < cdf[s+1] for a slot in [0, M).
// A full slot -> symbol table would take M entries per table (too big for 64 tables to stay in cache),
// so the lookup has 2^b buckets (b = ceil(log2 n) + kLutExtraBits, at most precision): bucket k holds
// the symbol that contains the bucket's first slot. The decoder starts there and moves forward past
// the few symbol boundaries a bucket may contain (usually none or one; see rans_codec.cc).
TableSet::Bases TableSet::AddTable(const int32_t* cdf, uint32_t n, int32_t offset) {
  const int bits = LutBits(n, precision_);
  const Bases bases{cdf_.size(), lut_.size(), enc_symbols_.size()};
  DecTable d{};
  d.escape = n - 1;
  d.offset = offset;
  d.lut_shift = static_cast<uint32_t>(precision_ - bits);
  dec_.push_back(d);
  enc_tables_.push_back(EncTable{nullptr, n - 1, offset});

  for (uint32_t s = 0; s <= n; ++s) cdf_.push_back(static_cast<uint32_t>(cdf[s]));
  for (uint32_t s = 0; s < n; ++s) {
    enc_symbols_.push_back(
        MakeEncSymbol(static_cast<uint32_t>(cdf[s]), static_cast<uint32_t>(cdf[s + 1] - cdf[s]), precision_));
  }
  uint32_t s = 0;
  for (uint32_t k = 0; k < (uint32_t{1} << bits); ++k) {
    const uint32_t first_slot = k << d.lut_shift;
    while (static_cast<uint32_t>(cdf[s + 1]) <= first_slot) ++s;
    lut_.push_back(static_cast<uint16_t>(s));
  }
  return bases;
}

void TableSet::Link(const std::vector<Bases>& bases) {
  for (size_t t = 0; t < bases.size(); ++t) {
    dec_[t].cdf = cdf_.data() + bases[t].cdf;
    dec_[t].lut = lut_.data() + bases[t].lut;
    enc_tables_[t].enc = enc_symbols_.data() + bases[t].enc;
  }
}

size_t TableSet::MemoryBytes() const {
  return dec_.size() * sizeof(DecTable) + enc_tables_.size() * sizeof(EncTable) + cdf_.size() * sizeof(uint32_t) +
         lut_.size() * sizeof(uint16_t) + enc_symbols_.size() * sizeof(EncSymbol);
}

}  // namespace ncodec
