#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>

#include "domain/model.hpp"
#include "domain/pack/pack.hpp"
#include "domain/result.hpp"

// Answer templates: mustache text (kainjow) over a flat map of variables, plain text out (no
// HTML escaping: answers go out as text/plain e-mail, SMS, chat). Pure functions.
namespace ombud::domain {

using TemplateVars = std::map<std::string, std::string>;

// The names a mustache text refers to: variables ({{x}}, {{{x}}}, {{&x}}) and sections
// ({{#x}}, {{^x}}). kInvalidArgument for an unclosed tag, a partial ({{>x}}), a delimiter
// change ({{=...=}}), dotted or empty names, or unbalanced sections.
[[nodiscard]] Result<std::set<std::string>> TemplateVariables(std::string_view text);

// Renders `text` with `vars`. Every variable the text names must be in `vars`
// (kInvalidArgument naming all missing ones, in `field` the first); a section name may be
// absent (false) and is true when present and neither "" nor "false".
[[nodiscard]] Result<std::string> RenderTemplate(std::string_view text, const TemplateVars& vars);

struct RenderedAnswer {
  std::string subject;  // Empty for channels without subject.
  std::string body;
};

// Renders template `key` for `language` and `channel` (the channel's own text, else "any").
// R-CSP-7: the pack's greeting for that channel and language is ADDED as the first line
// unless the body already starts with it, and the closing ADDED as the last line unless the
// body already ends with it (a template never carries them twice). kNotFound when the
// template, its language, or a text for the channel is missing; kFailedPrecondition when the
// channel requires a greeting or closing the pack lacks in that language.
[[nodiscard]] Result<RenderedAnswer> RenderAnswer(const Pack& pack, std::string_view key,
                                                  std::string_view language, Channel channel,
                                                  const TemplateVars& vars);

// R-CSP-7 for a free-written answer: kFailedPrecondition unless `body` (ignoring surrounding
// whitespace) starts with the greeting and ends with the closing required on `channel`.
[[nodiscard]] Status CheckAnswer(const Pack& pack, std::string_view language, Channel channel,
                                 std::string_view body);

// Adds the missing greeting/closing to a free-written answer, as RenderAnswer does.
[[nodiscard]] Result<std::string> FrameAnswer(const Pack& pack, std::string_view language,
                                              Channel channel, std::string_view body);

}  // namespace ombud::domain
