#include "rans_codec.h"

#include <cmath>
#include <cstring>

#include "byte_io.h"
#include "escape_code.h"

#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#endif

namespace ncodec {
namespace {

constexpr uint64_t kRansL = uint64_t{1} << 31;  // states live in [L, 2^32 L) = [2^31, 2^63)
constexpr uint64_t kRansStateEnd = uint64_t{1} << 63;

inline uint64_t MulHi64(uint64_t a, uint64_t b) {
#if defined(_MSC_VER) && !defined(__clang__)
  return __umulh(a, b);
#else
  return static_cast<uint64_t>((static_cast<unsigned __int128>(a) * b) >> 64);
#endif
}

#if defined(__clang__)
#define NCODEC_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define NCODEC_UNROLL _Pragma("GCC unroll 8")
#else
#define NCODEC_UNROLL
#endif

// Branch-free renormalization steps. Whether a word moves is data-dependent (about one symbol in eight
// at 4 bits per symbol) and so unpredictable; compilers sometimes turn the plain C forms below into
// jumps, so on x86-64 we spell out the conditional moves.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define NCODEC_X86_ASM 1
#endif

// Encoder: if x >= x_max, drop its low word (already stored at ptr[-1]) by x >>= 32 and --ptr.
NCODEC_ALWAYS_INLINE void EncoderFlushStep(uint64_t& x, uint32_t*& ptr, uint64_t x_max) {
#ifdef NCODEC_X86_ASM
  uint64_t t;
  __asm__("mov %[x], %[t]\n\t"
          "shr $32, %[t]\n\t"
          "cmp %[max], %[x]\n\t"
          "cmovae %[t], %[x]\n\t"
          "lea -4(%[p]), %[t]\n\t"
          "cmovae %[t], %[p]"
          : [x] "+&r"(x), [p] "+&r"(ptr), [t] "=&r"(t)
          : [max] "r"(x_max)
          : "cc");
#else
  const uint64_t flush = x >= x_max ? 1 : 0;
  ptr -= flush;
  x >>= flush << 5;
#endif
}

// Decoder: if x < L, x = (x << 32) | next word and the word pointer advances. `p` must point at a
// readable word.
NCODEC_ALWAYS_INLINE void DecoderRefillStep(uint64_t& x, const uint8_t*& p) {
  const uint64_t refilled = (x << 32) | LoadLe32(p);
#ifdef NCODEC_X86_ASM
  uint64_t t;
  __asm__("mov %[x], %[t]\n\t"
          "shr $31, %[t]\n\t"  // ZF = (x < 2^31)
          "cmovz %[y], %[x]\n\t"
          "lea 4(%[p]), %[t]\n\t"
          "cmovz %[t], %[p]"
          : [x] "+&r"(x), [p] "+&r"(p), [t] "=&r"(t)
          : [y] "r"(refilled)
          : "cc");
#else
  const uint64_t refill = x < kRansL ? 1 : 0;
  x = refill != 0 ? refilled : x;
  p += refill << 2;
#endif
}

Status IndexError(const TableSet& tables, Span<const int32_t> indexes, size_t i) {
  return Status::OutOfRange(ExpectedMessage(IntegerBetween(0, int64_t{tables.table_count()} - 1),
                                            ElementName("indexes", i), indexes[i]));
}

// Table symbol for `value`: value - offset when the table codes it directly, else the escape symbol.
// 64-bit arithmetic: value - offset can leave the int32 range; negative differences wrap to huge
// unsigned numbers and so select the escape as well.
template <typename Table>
inline uint32_t SymbolOf(const Table& t, int32_t value) {
  const uint64_t s = static_cast<uint64_t>(int64_t{value} - t.offset);
  return s < t.escape ? static_cast<uint32_t>(s) : t.escape;
}

// ---------------------------------------------------------------------------------------------------
// Encoder

// Forward pass: checks every index and writes the escape codes (in symbol order, which is also the
// decoder's order) into the bypass section.
Status WriteEscapes(const TableSet& tables, Span<const int32_t> symbols, Span<const int32_t> indexes,
                    std::vector<uint8_t>* bypass) {
  const EncTable* info = tables.enc();
  const uint32_t count = tables.table_count();
  BitWriter writer(bypass);
  for (size_t i = 0; i < symbols.size(); ++i) {
    const uint32_t t = static_cast<uint32_t>(indexes[i]);
    if (NCODEC_UNLIKELY(t >= count)) return IndexError(tables, indexes, i);
    const int64_t s = int64_t{symbols[i]} - info[t].offset;
    if (NCODEC_UNLIKELY(static_cast<uint64_t>(s) >= info[t].escape)) writer.PutEscape(FoldEscape(s, info[t].escape));
  }
  writer.Finish();
  return Status::Ok();
}

// Encodes one symbol into state x, writing at most one word just below ptr (ryg_rans'
// Rans64EncPutSymbol, made branch-free: the low word is always stored to ptr[-1], but ptr only moves
// when the word is really emitted). P is the precision when known at compile time (16, the common
// case), else 0 and `precision` is used.
template <int P>
NCODEC_ALWAYS_INLINE void EncodeOne(uint64_t& x, uint32_t*& ptr, const EncSymbol& e, int precision) {
  const int prec = P != 0 ? P : precision;
  const uint64_t freq = (uint64_t{1} << prec) - e.cmpl_freq;
  // Renormalize: x must stay below 2^63 after the step, which multiplies it by about M / freq.
  ptr[-1] = static_cast<uint32_t>(x);
  EncoderFlushStep(x, ptr, freq << (63 - prec));
  // x' = (x / freq) * M + (x % freq) + start, with the division done by reciprocal multiplication.
  const uint64_t q = MulHi64(x, e.rcp_freq) >> e.rcp_shift;
  x = x + e.bias + q * e.cmpl_freq;
}

NCODEC_ALWAYS_INLINE const EncSymbol& LookupEnc(const EncTable* tables, int32_t index, int32_t value) {
  const EncTable& t = tables[index];
  return t.enc[SymbolOf(t, value)];
}

// Encodes all symbols last to first into the words ending at `end`, K interleaved states (symbol i
// uses state i % K); returns the first word written.
template <int K, int P>
uint32_t* EncodeLanes(const TableSet& tables, const int32_t* sym, const int32_t* idx, size_t n, uint32_t* end) {
  const EncTable* tab = tables.enc();
  const int precision = tables.precision();
  uint32_t* ptr = end;
  uint64_t x[K];
  NCODEC_UNROLL
  for (int j = 0; j < K; ++j) x[j] = kRansL;
  size_t i = n - n % K;
  NCODEC_UNROLL
  for (int j = K - 1; j >= 0; --j) {  // the last n % K symbols
    if (i + static_cast<size_t>(j) < n) EncodeOne<P>(x[j], ptr, LookupEnc(tab, idx[i + j], sym[i + j]), precision);
  }
  while (i > 0) {
    i -= K;
    NCODEC_UNROLL
    for (int j = K - 1; j >= 0; --j) EncodeOne<P>(x[j], ptr, LookupEnc(tab, idx[i + j], sym[i + j]), precision);
  }
  // Flush: the decoder starts from these final states, state 0 first.
  NCODEC_UNROLL
  for (int j = K - 1; j >= 0; --j) {
    ptr -= 2;
    ptr[0] = static_cast<uint32_t>(x[j]);
    ptr[1] = static_cast<uint32_t>(x[j] >> 32);
  }
  return ptr;
}

template <int K>
uint32_t* EncodeAll(const TableSet& tables, const int32_t* sym, const int32_t* idx, size_t n, uint32_t* end) {
  return tables.precision() == 16 ? EncodeLanes<K, 16>(tables, sym, idx, n, end)
                                  : EncodeLanes<K, 0>(tables, sym, idx, n, end);
}

// ---------------------------------------------------------------------------------------------------
// Decoder

// The decoder's slow paths (escapes, errors), kept out of the hot loop.
struct DecodeContext {
  const TableSet& tables;
  Span<const int32_t> indexes;
  Span<int32_t> out;
  BitReader bypass;
  Status status;

  NCODEC_NOINLINE bool Fail(Status st) {
    status = std::move(st);
    return false;
  }

  NCODEC_NOINLINE bool FailIndex(size_t i) { return Fail(IndexError(tables, indexes, i)); }

  NCODEC_NOINLINE bool DecodeEscape(const DecTable& d, size_t i) {
    uint64_t raw = 0;
    Status st = bypass.GetEscape(&raw);
    if (!st.ok()) return Fail(std::move(st));
    const int64_t value = int64_t{d.offset} + UnfoldEscape(raw, d.escape);
    if (value < INT32_MIN || value > INT32_MAX) return Fail(Status::Corrupt("The bitstream has an invalid escape code"));
    out[i] = static_cast<int32_t>(value);
    return true;
  }
};

// The hot path: decodes one symbol from state x (without renormalization). Plain values, so they stay
// in registers. P is the precision when known at compile time (16), else 0.
template <int P>
struct SymbolDecoder {
  const DecTable* tab;
  uint32_t table_count;
  int precision;
  const int32_t* idx;
  int32_t* out;
  DecodeContext* ctx;

  // False on an error, kept in ctx->status.
  NCODEC_ALWAYS_INLINE bool Decode(uint64_t& x, size_t i) const {
    const int prec = P != 0 ? P : precision;
    const uint32_t t = static_cast<uint32_t>(idx[i]);
    if (NCODEC_UNLIKELY(t >= table_count)) return ctx->FailIndex(i);
    const DecTable& d = tab[t];
    const uint32_t slot = static_cast<uint32_t>(x) & ((uint32_t{1} << prec) - 1);
    // Find s with cdf[s] <= slot < cdf[s+1]: the lookup gives the symbol at the start of the slot's
    // bucket; one branch-free step covers a bucket with one boundary, a short loop the rare rest.
    uint32_t s = d.lut[slot >> d.lut_shift];
    s += static_cast<uint32_t>(d.cdf[s + 1] <= slot);
    uint32_t start = d.cdf[s];
    uint32_t next = d.cdf[s + 1];
    while (NCODEC_UNLIKELY(next <= slot)) {  // ends: cdf[n] = M > slot
      ++s;
      start = next;
      next = d.cdf[s + 1];
    }
    x = static_cast<uint64_t>(next - start) * (x >> prec) + (slot - start);
    if (NCODEC_UNLIKELY(s == d.escape)) return ctx->DecodeEscape(d, i);
    out[i] = static_cast<int32_t>(int64_t{d.offset} + s);  // fits: checked when the table was made
    return true;
  }
};

struct Sections {
  Span<const uint8_t> words;
  Span<const uint8_t> bypass;
};

// Renormalization: while x < L, shift in the next 32-bit word. A decoded state is at least 2^15, so one
// word always suffices. The unchecked form is branch-free; its caller guarantees a readable word.
NCODEC_ALWAYS_INLINE void RefillUnchecked(uint64_t& x, const uint8_t*& p) { DecoderRefillStep(x, p); }

NCODEC_ALWAYS_INLINE bool RefillChecked(uint64_t& x, const uint8_t*& p, const uint8_t* end) {
  if (x >= kRansL) return true;
  if (p == end) return false;
  x = (x << 32) | LoadLe32(p);
  p += 4;
  return true;
}

// The header announced the section's full length, so running out of words means corruption.
Status MissingWords() { return Status::Corrupt("The rANS section ends before the last symbol"); }

// Decodes n symbols with K interleaved states (symbol i uses state i % K). Blocks whose worst-case word
// use (one per symbol) is available run without bounds checks; the rest check every read.
template <int K, int P>
Status DecodeLanes(const SymbolDecoder<P> dec, uint64_t (&states)[K], const uint8_t*& p_ref, const uint8_t* end,
                   size_t n) {
  constexpr size_t kBlock = 64 * K;
  uint64_t x[K];  // a local copy the compiler can keep in registers
  NCODEC_UNROLL
  for (int j = 0; j < K; ++j) x[j] = states[j];
  const uint8_t* p = p_ref;
  const size_t full = n - n % K;
  size_t i = 0;
  while (i < full) {
    const size_t block_end = full - i > kBlock ? i + kBlock : full;
    if (static_cast<size_t>(end - p) / 4 >= block_end - i) {
      for (; i < block_end; i += K) {
        NCODEC_UNROLL
        for (int j = 0; j < K; ++j) {
          if (NCODEC_UNLIKELY(!dec.Decode(x[j], i + j))) return dec.ctx->status;
          RefillUnchecked(x[j], p);
        }
      }
    } else {
      for (; i < block_end; i += K) {
        NCODEC_UNROLL
        for (int j = 0; j < K; ++j) {
          if (NCODEC_UNLIKELY(!dec.Decode(x[j], i + j))) return dec.ctx->status;
          if (!RefillChecked(x[j], p, end)) return MissingWords();
        }
      }
    }
  }
  NCODEC_UNROLL
  for (int j = 0; j < K; ++j) {  // the last n % K symbols
    if (i + j < n) {
      if (!dec.Decode(x[j], i + j)) return dec.ctx->status;
      if (!RefillChecked(x[j], p, end)) return MissingWords();
    }
  }
  NCODEC_UNROLL
  for (int j = 0; j < K; ++j) states[j] = x[j];
  p_ref = p;
  return Status::Ok();
}

template <int K, int P>
Status DecodeStream(const TableSet& tables, Span<const int32_t> indexes, Span<int32_t> out, const Sections& sections) {
  DecodeContext ctx{tables, indexes, out, BitReader(sections.bypass), Status::Ok()};
  const SymbolDecoder<P> dec{tables.dec(), tables.table_count(), tables.precision(), indexes.data(), out.data(), &ctx};
  const uint8_t* p = sections.words.data();
  const uint8_t* const end = p + sections.words.size();
  if (sections.words.size() < 8 * K) return Status::Corrupt("The rANS section is too short for its initial states");
  uint64_t x[K];
  for (int j = 0; j < K; ++j, p += 8) {
    x[j] = LoadLe32(p) | (uint64_t{LoadLe32(p + 4)} << 32);
    if (x[j] < kRansL || x[j] >= kRansStateEnd) return Status::Corrupt("The bitstream has an invalid rANS state");
  }
  NCODEC_RETURN_IF_ERROR(DecodeLanes<K, P>(dec, x, p, end, out.size()));
  for (int j = 0; j < K; ++j) {
    if (x[j] != kRansL) return Status::Corrupt("The rANS decoder did not end in its initial state");
  }
  if (p != end) return Status::Corrupt("The rANS section has unused words");
  if (!ctx.bypass.AtCleanEnd()) return Status::Corrupt("The escape section has unused bits");
  return Status::Ok();
}

// Reads the header and checks that the input holds exactly the two sections it announces.
Status ParseSections(Span<const uint8_t> bytes, Sections* sections) {
  size_t pos = 0;
  uint64_t word_count = 0;
  uint64_t bypass_bytes = 0;
  NCODEC_RETURN_IF_ERROR(GetVarint(bytes, &pos, uint64_t{1} << 40, &word_count));
  NCODEC_RETURN_IF_ERROR(GetVarint(bytes, &pos, uint64_t{1} << 40, &bypass_bytes));
  const uint64_t need = 4 * word_count + bypass_bytes;
  const uint64_t have = bytes.size() - pos;
  if (have < need) return Status::Truncated("The bitstream is truncated: the rANS stream needs " +
                                            std::to_string(need) + " bytes after its header but has " +
                                            std::to_string(have));
  if (have > need) return Status::Corrupt("The rANS stream has " + std::to_string(have - need) + " trailing bytes");
  sections->words = Span<const uint8_t>(bytes.data() + pos, 4 * word_count);
  sections->bypass = Span<const uint8_t>(bytes.data() + pos + 4 * word_count, bypass_bytes);
  return Status::Ok();
}

}  // namespace

size_t RansStream::size() const { return header_.size() + 4 * word_count_ + bypass_.size(); }

void RansStream::WriteTo(uint8_t* dst) const {
  if (!header_.empty()) std::memcpy(dst, header_.data(), header_.size());
  dst += header_.size();
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (word_count_ != 0) std::memcpy(dst, words_, 4 * word_count_);
#else
  for (size_t k = 0; k < word_count_; ++k) StoreLe32(words_[k], dst + 4 * k);
#endif
  dst += 4 * word_count_;
  if (!bypass_.empty()) std::memcpy(dst, bypass_.data(), bypass_.size());
}

std::vector<uint8_t> RansStream::ToBytes() const {
  std::vector<uint8_t> bytes(size());
  if (!bytes.empty()) WriteTo(bytes.data());
  return bytes;
}

Status RansEncode(const TableSet& tables, Span<const int32_t> symbols, Span<const int32_t> indexes,
                  RansStream* out) {
  const size_t n = symbols.size();
  if (indexes.size() != n) {
    return Status::OutOfRange(ExpectedMessage("one index per symbol (" + std::to_string(n) + ")", "indexes.length",
                                              static_cast<int64_t>(indexes.size())));
  }
  *out = RansStream();
  NCODEC_RETURN_IF_ERROR(WriteEscapes(tables, symbols, indexes, &out->bypass_));
  if (n > 0) {
    const int lanes = RansLanes(n);
    // At most one word per symbol, two per flushed state, one slack word for EncodeOne's early store.
    // Left uninitialized: only the words written are ever touched.
    const size_t capacity = n + 2 * static_cast<size_t>(lanes) + 1;
    out->buffer_.reset(new uint32_t[capacity]);
    uint32_t* const end = out->buffer_.get() + capacity;
    uint32_t* const begin = lanes == 4 ? EncodeAll<4>(tables, symbols.data(), indexes.data(), n, end)
                                       : EncodeAll<1>(tables, symbols.data(), indexes.data(), n, end);
    out->words_ = begin;
    out->word_count_ = static_cast<size_t>(end - begin);
  }
  PutVarint(out->word_count_, &out->header_);
  PutVarint(out->bypass_.size(), &out->header_);
  return Status::Ok();
}

Status RansEncode(const TableSet& tables, Span<const int32_t> symbols, Span<const int32_t> indexes,
                  std::vector<uint8_t>* out) {
  RansStream stream;
  NCODEC_RETURN_IF_ERROR(RansEncode(tables, symbols, indexes, &stream));
  *out = stream.ToBytes();
  return Status::Ok();
}

Status RansDecode(const TableSet& tables, Span<const uint8_t> bytes, Span<const int32_t> indexes,
                  Span<int32_t> symbols) {
  const size_t n = symbols.size();
  if (indexes.size() != n) {
    return Status::OutOfRange(ExpectedMessage("one index per symbol (" + std::to_string(n) + ")", "indexes.length",
                                              static_cast<int64_t>(indexes.size())));
  }
  Sections sections;
  NCODEC_RETURN_IF_ERROR(ParseSections(bytes, &sections));
  if (n == 0) {
    if (!sections.words.empty() || !sections.bypass.empty()) {
      return Status::Corrupt("The rANS stream holds data but no symbols were expected");
    }
    return Status::Ok();
  }
  const bool p16 = tables.precision() == 16;
  if (RansLanes(n) == 4) {
    return p16 ? DecodeStream<4, 16>(tables, indexes, symbols, sections)
               : DecodeStream<4, 0>(tables, indexes, symbols, sections);
  }
  return p16 ? DecodeStream<1, 16>(tables, indexes, symbols, sections)
             : DecodeStream<1, 0>(tables, indexes, symbols, sections);
}

Status RansIdealBits(const TableSet& tables, Span<const int32_t> symbols, Span<const int32_t> indexes,
                     double* bits) {
  if (indexes.size() != symbols.size()) {
    return Status::OutOfRange(ExpectedMessage("one index per symbol (" + std::to_string(symbols.size()) + ")",
                                              "indexes.length", static_cast<int64_t>(indexes.size())));
  }
  const EncTable* info = tables.enc();
  double total = 0;
  for (size_t i = 0; i < symbols.size(); ++i) {
    const uint32_t t = static_cast<uint32_t>(indexes[i]);
    if (t >= tables.table_count()) return IndexError(tables, indexes, i);
    const uint32_t s = SymbolOf(info[t], symbols[i]);
    total += tables.precision() - std::log2(static_cast<double>(tables.Freq(t, s)));
    if (s == info[t].escape) {
      total += EscapeCodeBits(FoldEscape(int64_t{symbols[i]} - info[t].offset, info[t].escape));
    }
  }
  *bits = total;
  return Status::Ok();
}

}  // namespace ncodec
