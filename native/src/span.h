// Span: a pointer and a length (C++17 has no std::span). The binding builds spans straight over the
// memory of JavaScript TypedArrays, so the core reads inputs and writes outputs without copies.
#ifndef NCODEC_SPAN_H_
#define NCODEC_SPAN_H_

#include <cstddef>
#include <type_traits>
#include <vector>

namespace ncodec {

template <typename T>
class Span {
 public:
  Span() = default;
  Span(T* data, size_t size) : data_(size == 0 ? nullptr : data), size_(size) {}
  // A read-only view of a writable span.
  template <typename U, typename = std::enable_if_t<std::is_same<const U, T>::value>>
  Span(const Span<U>& other) : Span(other.data(), other.size()) {}  // NOLINT: implicit, like T* -> const T*
  template <typename U>
  Span(const std::vector<U>& v) : Span(v.data(), v.size()) {}  // NOLINT: implicit view of a vector
  template <typename U>
  Span(std::vector<U>& v) : Span(v.data(), v.size()) {}  // NOLINT

  T* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](size_t i) const { return data_[i]; }
  T* begin() const { return data_; }
  T* end() const { return data_ + size_; }

 private:
  T* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace ncodec

#endif  // NCODEC_SPAN_H_
