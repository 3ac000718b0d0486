// Status: how the pure C++ core reports failure without exceptions.
//
// Every fallible core function returns a Status. The N-API binding maps the code to a JavaScript error:
// kOutOfRange -> RangeError, kTruncated -> CodecError ERR_BITSTREAM_TRUNCATED, kCorrupt -> CodecError
// ERR_BITSTREAM_CORRUPT. Messages follow the library's one shape,
// "Expected <what> for <name> but received <value>", wherever they describe a bad argument.
#ifndef NCODEC_STATUS_H_
#define NCODEC_STATUS_H_

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

namespace ncodec {

enum class StatusCode {
  kOk = 0,
  kOutOfRange,  // an argument (table, symbol, index, option) is outside what the coder accepts
  kTruncated,   // the bitstream ends before the decoder is done
  kCorrupt,     // the bitstream is inconsistent (bad header, impossible state, trailing bytes, ...)
};

class Status {
 public:
  Status() = default;

  static Status Ok() { return Status(); }
  static Status OutOfRange(std::string message) { return Status(StatusCode::kOutOfRange, std::move(message)); }
  static Status Truncated(std::string message) { return Status(StatusCode::kTruncated, std::move(message)); }
  static Status Corrupt(std::string message) { return Status(StatusCode::kCorrupt, std::move(message)); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// "Expected <what> for <name> but received number <value>" (the shape of src/validate.ts).
inline std::string ExpectedMessage(const std::string& what, const std::string& name, int64_t value) {
  return "Expected " + what + " for " + name + " but received number " + std::to_string(value);
}

// A double as JavaScript's String(number) writes it (shortest round-trip form).
inline std::string NumberString(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, result.ptr);
}

// ExpectedMessage for a floating-point value.
inline std::string ExpectedNumber(const std::string& what, const std::string& name, double value) {
  return "Expected " + what + " for " + name + " but received number " + NumberString(value);
}

// "<array>[<index>]", the name of one element in an error message.
inline std::string ElementName(const char* array, uint64_t index) {
  return std::string(array) + "[" + std::to_string(index) + "]";
}

// "an integer between <lo> and <hi>".
inline std::string IntegerBetween(int64_t lo, int64_t hi) {
  return "an integer between " + std::to_string(lo) + " and " + std::to_string(hi);
}

}  // namespace ncodec

#define NCODEC_RETURN_IF_ERROR(...)         \
  do {                                      \
    ::ncodec::Status status_ = (__VA_ARGS__); \
    if (!status_.ok()) return status_;      \
  } while (false)

#if defined(__GNUC__) || defined(__clang__)
#define NCODEC_LIKELY(x) __builtin_expect(!!(x), 1)
#define NCODEC_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define NCODEC_ALWAYS_INLINE inline __attribute__((always_inline))
#define NCODEC_NOINLINE __attribute__((noinline))
#else
#define NCODEC_LIKELY(x) (x)
#define NCODEC_UNLIKELY(x) (x)
#define NCODEC_ALWAYS_INLINE __forceinline
#define NCODEC_NOINLINE __declspec(noinline)
#endif

#endif  // NCODEC_STATUS_H_
