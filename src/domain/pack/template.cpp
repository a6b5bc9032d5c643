#include "domain/pack/template.hpp"

#include <kainjow/mustache.hpp>

#include <algorithm>
#include <cctype>
#include <vector>

namespace ombud::domain {
namespace {

std::string_view Trim(std::string_view s) {
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool ValidName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
  });
}

std::unexpected<Error> Bad(std::string what) {
  return Fail(ErrorCode::kInvalidArgument, "template: " + std::move(what), "template");
}

struct Scan {
  std::set<std::string> variables;
  std::set<std::string> sections;
};

Result<Scan> ScanTemplate(std::string_view text) {
  Scan out;
  std::vector<std::string> open;
  size_t pos = 0;
  while ((pos = text.find("{{", pos)) != std::string_view::npos) {
    const bool triple = text.substr(pos, 3) == "{{{";
    const std::string_view close = triple ? "}}}" : "}}";
    const size_t begin = pos + close.size();
    const size_t end = text.find(close, begin);
    if (end == std::string_view::npos) {
      return Bad("unclosed tag at byte " + std::to_string(pos));
    }
    std::string_view tag = Trim(text.substr(begin, end - begin));
    pos = end + close.size();
    char sigil = 0;
    if (!triple && !tag.empty() &&
        std::string_view("!#^/>=&").find(tag.front()) != std::string_view::npos) {
      sigil = tag.front();
      tag = Trim(tag.substr(1));
    }
    if (sigil == '!') continue;
    if (sigil == '>') return Bad("partials ({{>" + std::string(tag) + "}}) are not allowed");
    if (sigil == '=') return Bad("delimiter changes ({{=...=}}) are not allowed");
    const std::string name(tag);
    if (!ValidName(name)) {
      return Bad("'{{" + name + "}}' is not a plain variable name (letters, digits, _ and -)");
    }
    if (sigil == '#' || sigil == '^') {
      open.push_back(name);
      out.sections.insert(name);
    } else if (sigil == '/') {
      if (open.empty() || open.back() != name) {
        return Bad("{{/" + name + "}} closes no open section");
      }
      open.pop_back();
    } else {
      out.variables.insert(name);
    }
  }
  if (!open.empty()) return Bad("section {{#" + open.back() + "}} is never closed");
  return out;
}

std::unexpected<Error> Precondition(std::string what, std::string field) {
  return Fail(ErrorCode::kFailedPrecondition, std::move(what), std::move(field));
}

// The greeting / closing `channel` needs in `language`, "" when none; an error when the pack
// requires one but lacks that language.
Result<std::string> Required(const std::optional<std::string>& text, std::string_view what,
                             std::string_view language, Channel channel) {
  if (!text) return std::string();
  if (text->empty()) {
    return Precondition("pack has no " + std::string(what) + " in language " +
                            std::string(language) + " for channel " + std::string(Name(channel)) +
                            " (R-CSP-7)",
                        std::string(what));
  }
  return *text;
}

}  // namespace

Result<std::set<std::string>> TemplateVariables(std::string_view text) {
  OMBUD_ASSIGN_OR_RETURN(Scan scan, ScanTemplate(text));
  scan.variables.merge(scan.sections);
  return scan.variables;
}

Result<std::string> RenderTemplate(std::string_view text, const TemplateVars& vars) {
  OMBUD_ASSIGN_OR_RETURN(Scan scan, ScanTemplate(text));
  std::string missing;
  std::string first_missing;
  for (const std::string& v : scan.variables) {
    if (vars.contains(v)) continue;
    if (first_missing.empty()) first_missing = v;
    missing += (missing.empty() ? "" : ", ") + v;
  }
  if (!missing.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "template: missing variables: " + missing,
                first_missing);
  }
  kainjow::mustache::data data(kainjow::mustache::data::type::object);
  for (const auto& [name, value] : vars) {
    if (scan.sections.contains(name) && (value.empty() || value == "false")) {
      data.set(name, kainjow::mustache::data(false));
    } else {
      data.set(name, value);
    }
  }
  kainjow::mustache::mustache tmpl{std::string(text)};
  if (!tmpl.is_valid()) return Bad(tmpl.error_message());
  tmpl.set_custom_escape([](const std::string& s) { return s; });  // Plain text out.
  std::string out = tmpl.render(data);
  if (!tmpl.is_valid()) return Bad(tmpl.error_message());
  return out;
}

Result<std::string> FrameAnswer(const Pack& pack, std::string_view language, Channel channel,
                                std::string_view body) {
  OMBUD_ASSIGN_OR_RETURN(std::string greeting, Required(GreetingFor(pack, channel, language),
                                                        "greeting", language, channel));
  OMBUD_ASSIGN_OR_RETURN(std::string closing, Required(ClosingFor(pack, channel, language),
                                                       "closing", language, channel));
  std::string out(Trim(body));
  if (!greeting.empty() && !out.starts_with(greeting)) out = greeting + "\n\n" + out;
  if (!closing.empty() && !out.ends_with(closing)) out += "\n\n" + closing;
  return out;
}

Status CheckAnswer(const Pack& pack, std::string_view language, Channel channel,
                   std::string_view body) {
  OMBUD_ASSIGN_OR_RETURN(std::string greeting, Required(GreetingFor(pack, channel, language),
                                                        "greeting", language, channel));
  OMBUD_ASSIGN_OR_RETURN(std::string closing, Required(ClosingFor(pack, channel, language),
                                                       "closing", language, channel));
  const std::string_view text = Trim(body);
  if (!greeting.empty() && !text.starts_with(greeting)) {
    return Precondition("a " + std::string(Name(channel)) + " answer must start with \"" +
                            greeting + "\" (R-CSP-7)",
                        "body");
  }
  if (!closing.empty() && !text.ends_with(closing)) {
    return Precondition(
        "a " + std::string(Name(channel)) + " answer must end with \"" + closing + "\" (R-CSP-7)",
        "body");
  }
  return {};
}

Result<RenderedAnswer> RenderAnswer(const Pack& pack, std::string_view key,
                                    std::string_view language, Channel channel,
                                    const TemplateVars& vars) {
  const AnswerTemplate* tmpl = nullptr;
  for (const AnswerTemplate& t : pack.templates) {
    if (t.key == key) tmpl = &t;
  }
  if (tmpl == nullptr) {
    return Fail(ErrorCode::kNotFound,
                "pack " + pack.id + " has no template '" + std::string(key) + "'", "template");
  }
  auto by_language = tmpl->texts.find(std::string(language));
  if (by_language == tmpl->texts.end()) {
    return Fail(ErrorCode::kNotFound,
                "template " + tmpl->key + " has no text in language " + std::string(language),
                "language");
  }
  auto text = by_language->second.find(std::string(Name(channel)));
  if (text == by_language->second.end()) text = by_language->second.find("any");
  if (text == by_language->second.end()) {
    return Fail(ErrorCode::kNotFound,
                "template " + tmpl->key + " has no " + std::string(language) +
                    " text for channel " + std::string(Name(channel)),
                "channel");
  }
  RenderedAnswer out;
  if (!text->second.subject.empty()) {
    OMBUD_ASSIGN_OR_RETURN(out.subject, RenderTemplate(text->second.subject, vars));
  }
  OMBUD_ASSIGN_OR_RETURN(std::string body, RenderTemplate(text->second.body, vars));
  OMBUD_ASSIGN_OR_RETURN(out.body, FrameAnswer(pack, language, channel, body));
  return out;
}

}  // namespace ombud::domain
