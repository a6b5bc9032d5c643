#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/model.hpp"
#include "domain/result.hpp"

// Small text helpers shared by the channel drivers. Pure functions, thread-safe.
namespace ombud::channels {

// Decodes the next UTF-8 code point of `s` at `*pos` and advances `*pos`. Invalid or truncated
// sequences, overlong forms and surrogates yield U+FFFD and advance by one byte.
char32_t NextCodePoint(std::string_view s, std::size_t* pos);

// Appends `cp` to `out` as UTF-8.
void AppendUtf8(char32_t cp, std::string* out);

bool IsValidUtf8(std::string_view s);

// `s` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string MakeValidUtf8(std::string_view s);

// Percent-encodes everything but RFC 3986 unreserved characters (for query values).
std::string UrlEncode(std::string_view s);

// Decodes an application/x-www-form-urlencoded query string ("a=1&b=x+y") into pairs in
// order. Fails on a malformed escape.
Result<std::vector<std::pair<std::string, std::string>>> DecodeQuery(std::string_view query);

// ASCII case-insensitive equality.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// `s` without leading and trailing ASCII white space.
std::string_view Trim(std::string_view s);

// Parses an RFC 3339 timestamp ("2026-03-01T08:30:00Z", "…+07:00", fractional seconds
// allowed) into milliseconds since the epoch; errors name `field`.
Result<domain::Millis> ParseRfc3339(std::string_view s, std::string_view field);

// Milliseconds since the epoch of a UTC civil time; `month` 1–12.
domain::Millis MillisFromCivil(int year, int month, int day, int hour, int minute, int second);

}  // namespace ombud::channels
