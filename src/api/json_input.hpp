#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "domain/result.hpp"

namespace ombud::api {

// Strict reading of a JSON object request body: unknown fields, wrong types and values out of
// range are errors that name the field. Not thread-safe; one per request.
class JsonInput {
 public:
  // Parses `body` (must be a JSON object, valid UTF-8, depth ≤ 32) and rejects any field
  // not in `allowed`.
  static Result<JsonInput> Parse(std::string_view body,
                                 std::initializer_list<std::string_view> allowed);
  static Result<JsonInput> Parse(std::string_view body, std::span<const std::string_view> allowed);
  // Wraps an already parsed object (nested objects), with the same field check.
  static Result<JsonInput> FromObject(const boost::json::object& object, std::string prefix,
                                      std::initializer_list<std::string_view> allowed);
  static Result<JsonInput> FromObject(boost::json::object object, std::string prefix,
                                      std::span<const std::string_view> allowed);

  bool Has(std::string_view name) const;
  Result<std::string> String(std::string_view name, std::size_t min_len, std::size_t max_len) const;
  Result<std::optional<std::string>> OptString(std::string_view name, std::size_t max_len) const;
  Result<std::optional<std::int64_t>> OptInt(std::string_view name, std::int64_t min,
                                             std::int64_t max) const;
  Result<std::int64_t> Int(std::string_view name, std::int64_t min, std::int64_t max) const;
  Result<std::optional<bool>> OptBool(std::string_view name) const;
  // Present and null → engaged optional holding nullopt; absent → nullopt.
  Result<std::optional<std::optional<std::int64_t>>> OptNullableInt(std::string_view name,
                                                                    std::int64_t min,
                                                                    std::int64_t max) const;
  const boost::json::value* Raw(std::string_view name) const;
  std::string FieldName(std::string_view name) const { return prefix_ + std::string(name); }

 private:
  JsonInput(boost::json::object object, std::string prefix)
      : object_(std::move(object)), prefix_(std::move(prefix)) {}
  Error TypeError(std::string_view name, std::string_view expected) const;

  boost::json::object object_;
  std::string prefix_;
};

}  // namespace ombud::api
