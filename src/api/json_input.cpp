#include "api/json_input.hpp"

#include <algorithm>
#include <cstring>

namespace ombud::api {

namespace json = boost::json;

namespace {

// Counts Unicode code points, the unit of every length limit in the API.
std::size_t CodePoints(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

Status CheckFields(const json::object& o, const std::string& prefix,
                   std::span<const std::string_view> allowed) {
  for (const auto& kv : o) {
    if (std::find(allowed.begin(), allowed.end(), kv.key()) == allowed.end()) {
      const std::string name = prefix + std::string(kv.key());
      return Fail(ErrorCode::kInvalidArgument, "unknown field " + name, name);
    }
  }
  return {};
}

}  // namespace

Result<JsonInput> JsonInput::Parse(std::string_view body,
                                   std::initializer_list<std::string_view> allowed) {
  return Parse(body, std::span<const std::string_view>(allowed.begin(), allowed.size()));
}

Result<JsonInput> JsonInput::Parse(std::string_view body,
                                   std::span<const std::string_view> allowed) {
  json::parse_options options;
  options.max_depth = 32;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec, {}, options);
  if (ec) {
    return Fail(ErrorCode::kInvalidArgument, "request body is not valid JSON: " + ec.message(),
                "body");
  }
  if (!v.is_object()) {
    return Fail(ErrorCode::kInvalidArgument, "request body must be a JSON object", "body");
  }
  return FromObject(std::move(v.as_object()), "", allowed);  // Moved: the tree is not copied.
}

Result<JsonInput> JsonInput::FromObject(const json::object& object, std::string prefix,
                                        std::initializer_list<std::string_view> allowed) {
  return FromObject(object, std::move(prefix),
                    std::span<const std::string_view>(allowed.begin(), allowed.size()));
}

Result<JsonInput> JsonInput::FromObject(json::object object, std::string prefix,
                                        std::span<const std::string_view> allowed) {
  OMBUD_RETURN_IF_ERROR(CheckFields(object, prefix, allowed));
  return JsonInput(std::move(object), std::move(prefix));
}

Error JsonInput::TypeError(std::string_view name, std::string_view expected) const {
  const std::string field = FieldName(name);
  return Error{ErrorCode::kInvalidArgument, field + " must be " + std::string(expected), field};
}

bool JsonInput::Has(std::string_view name) const { return object_.contains(name); }

const json::value* JsonInput::Raw(std::string_view name) const { return object_.if_contains(name); }

Result<std::optional<std::string>> JsonInput::OptString(std::string_view name,
                                                        std::size_t max_len) const {
  const json::value* v = Raw(name);
  if (v == nullptr || v->is_null()) return std::optional<std::string>{};
  if (!v->is_string()) return std::unexpected(TypeError(name, "a string"));
  const auto& s = v->get_string();
  if (std::memchr(s.data(), '\0', s.size()) != nullptr) {
    return std::unexpected(TypeError(name, "a string without NUL characters"));
  }
  if (CodePoints(s) > max_len) {
    return std::unexpected(
        TypeError(name, "at most " + std::to_string(max_len) + " characters long"));
  }
  return std::optional<std::string>{std::string(s)};
}

Result<std::string> JsonInput::String(std::string_view name, std::size_t min_len,
                                      std::size_t max_len) const {
  OMBUD_ASSIGN_OR_RETURN(auto s, OptString(name, max_len));
  if (!s) {
    const std::string field = FieldName(name);
    return Fail(ErrorCode::kInvalidArgument, field + " is required", field);
  }
  if (CodePoints(*s) < min_len) {
    return std::unexpected(
        TypeError(name, "at least " + std::to_string(min_len) + " characters long"));
  }
  return std::move(*s);
}

Result<std::optional<std::int64_t>> JsonInput::OptInt(std::string_view name, std::int64_t min,
                                                      std::int64_t max) const {
  const json::value* v = Raw(name);
  if (v == nullptr || v->is_null()) return std::optional<std::int64_t>{};
  std::int64_t n = 0;
  if (v->is_int64()) {
    n = v->get_int64();
  } else if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    n = static_cast<std::int64_t>(v->get_uint64());
  } else {
    return std::unexpected(TypeError(name, "an integer"));
  }
  if (n < min || n > max) {
    return std::unexpected(
        TypeError(name, "between " + std::to_string(min) + " and " + std::to_string(max)));
  }
  return std::optional<std::int64_t>{n};
}

Result<std::int64_t> JsonInput::Int(std::string_view name, std::int64_t min,
                                    std::int64_t max) const {
  OMBUD_ASSIGN_OR_RETURN(auto n, OptInt(name, min, max));
  if (!n) {
    const std::string field = FieldName(name);
    return Fail(ErrorCode::kInvalidArgument, field + " is required", field);
  }
  return *n;
}

Result<std::optional<bool>> JsonInput::OptBool(std::string_view name) const {
  const json::value* v = Raw(name);
  if (v == nullptr || v->is_null()) return std::optional<bool>{};
  if (!v->is_bool()) return std::unexpected(TypeError(name, "true or false"));
  return std::optional<bool>{v->get_bool()};
}

Result<std::optional<std::optional<std::int64_t>>> JsonInput::OptNullableInt(
    std::string_view name, std::int64_t min, std::int64_t max) const {
  const json::value* v = Raw(name);
  if (v == nullptr) return std::optional<std::optional<std::int64_t>>{};
  if (v->is_null())
    return std::optional<std::optional<std::int64_t>>{std::optional<std::int64_t>{}};
  OMBUD_ASSIGN_OR_RETURN(auto n, OptInt(name, min, max));
  return std::optional<std::optional<std::int64_t>>{n};
}

}  // namespace ombud::api
