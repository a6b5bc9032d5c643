#include "channels/email/html_text.hpp"

#include <array>
#include <cctype>
#include <cstdint>

#include "channels/text.hpp"

namespace ombud::channels::email {

namespace {

struct NamedEntity {
  std::string_view name;
  char32_t cp;
};

constexpr std::array<NamedEntity, 32> kEntities{{
    {"amp", '&'},      {"lt", '<'},       {"gt", '>'},       {"quot", '"'},     {"apos", '\''},
    {"nbsp", 0xA0},    {"copy", 0xA9},    {"reg", 0xAE},     {"trade", 0x2122}, {"hellip", 0x2026},
    {"mdash", 0x2014}, {"ndash", 0x2013}, {"lsquo", 0x2018}, {"rsquo", 0x2019}, {"ldquo", 0x201C},
    {"rdquo", 0x201D}, {"laquo", 0xAB},   {"raquo", 0xBB},   {"bull", 0x2022},  {"middot", 0xB7},
    {"euro", 0x20AC},  {"pound", 0xA3},   {"yen", 0xA5},     {"cent", 0xA2},    {"deg", 0xB0},
    {"times", 0xD7},   {"divide", 0xF7},  {"sect", 0xA7},    {"para", 0xB6},    {"shy", 0xAD},
    {"zwnj", 0x200C},  {"zwj", 0x200D},
}};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsBlock(std::string_view tag) {
  static constexpr std::array<std::string_view, 26> kBlocks{
      "p",      "div",    "tr",      "table", "ul",  "ol",         "li",   "h1",      "h2",
      "h3",     "h4",     "h5",      "h6",    "pre", "blockquote", "hr",   "section", "article",
      "header", "footer", "address", "dl",    "dt",  "dd",         "form", "center"};
  for (const auto b : kBlocks) {
    if (tag == b) return true;
  }
  return false;
}

// Decodes the entity starting at html[*pos] == '&'; on success appends it and advances.
bool DecodeEntity(std::string_view html, std::size_t* pos, std::string* out) {
  const std::size_t start = *pos + 1;
  const std::size_t semi = html.find(';', start);
  if (semi == std::string_view::npos || semi - start > 10 || semi == start) return false;
  const std::string_view name = html.substr(start, semi - start);
  char32_t cp = 0;
  if (name[0] == '#') {
    std::uint32_t v = 0;
    const bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
    const std::size_t first = hex ? 2 : 1;
    if (first >= name.size()) return false;
    for (std::size_t i = first; i < name.size(); ++i) {
      const char c = name[i];
      int d = -1;
      if (c >= '0' && c <= '9') d = c - '0';
      if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
      if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
      if (d < 0) return false;
      v = v * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
      if (v > 0x10FFFF) return false;
    }
    cp = (v == 0 || (v >= 0xD800 && v <= 0xDFFF)) ? 0xFFFD : v;
  } else {
    bool found = false;
    for (const auto& e : kEntities) {
      if (e.name == name) {
        cp = e.cp;
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  AppendUtf8(cp == 0xA0 ? U' ' : cp, out);
  *pos = semi + 1;
  return true;
}

class TextSink {
 public:
  void Char(char c) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f') {
      if (pre_) {
        if (c == '\n') {
          Newline();
        } else if (c != '\r') {
          line_.push_back(c);
        }
      } else {
        pending_space_ = !line_.empty();
      }
      return;
    }
    if (pending_space_) line_.push_back(' ');
    pending_space_ = false;
    line_.push_back(c);
  }
  void Text(std::string_view s) {
    for (const char c : s) Char(c);
  }
  // Ends the current line; `blank` asks for an empty line after it (paragraphs).
  void Newline(bool blank = false) {
    FlushLine();
    ++newlines_;
    if (blank) ++newlines_;
  }
  void BlockBreak() {
    if (!line_.empty()) Newline();
  }
  void SetPre(bool pre) { pre_ = pre; }
  std::string Finish() {
    FlushLine();
    while (!out_.empty() && (out_.back() == '\n' || out_.back() == ' ')) out_.pop_back();
    return out_;
  }

 private:
  void FlushLine() {
    while (!line_.empty() && line_.back() == ' ' && !pre_) line_.pop_back();
    if (line_.empty()) return;
    if (!out_.empty()) {
      const int breaks = newlines_ < 1 ? 1 : (newlines_ > 2 ? 2 : newlines_);
      out_.append(static_cast<std::size_t>(breaks), '\n');
    }
    out_ += line_;
    line_.clear();
    newlines_ = 0;
    pending_space_ = false;
  }

  std::string out_;
  std::string line_;
  int newlines_ = 0;
  bool pending_space_ = false;
  bool pre_ = false;
};

}  // namespace

std::string HtmlToText(std::string_view html) {
  TextSink sink;
  std::size_t pos = 0;
  std::string entity;
  while (pos < html.size()) {
    const char c = html[pos];
    if (c == '&') {
      entity.clear();
      if (DecodeEntity(html, &pos, &entity)) {
        sink.Text(entity);
      } else {
        sink.Char('&');
        ++pos;
      }
      continue;
    }
    if (c != '<') {
      sink.Char(c);
      ++pos;
      continue;
    }
    if (html.compare(pos, 4, "<!--") == 0) {
      const std::size_t end = html.find("-->", pos + 4);
      pos = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    const std::size_t gt = html.find('>', pos + 1);
    if (gt == std::string_view::npos) {
      pos = html.size();
      break;
    }
    std::string_view tag = html.substr(pos + 1, gt - pos - 1);
    pos = gt + 1;
    const bool closing = !tag.empty() && tag.front() == '/';
    if (closing) tag.remove_prefix(1);
    std::size_t name_end = 0;
    while (name_end < tag.size() &&
           (std::isalnum(static_cast<unsigned char>(tag[name_end])) != 0)) {
      ++name_end;
    }
    const std::string name = Lower(tag.substr(0, name_end));
    if (name.empty()) continue;  // <!DOCTYPE>, <?xml?>, stray '<'.
    if (!closing && (name == "script" || name == "style" || name == "head" || name == "title")) {
      const std::string close = "</" + name;
      std::size_t end = pos;
      while (true) {
        end = html.find("</", end);
        if (end == std::string_view::npos) break;
        if (Lower(html.substr(end, close.size())) == close) break;
        end += 2;
      }
      if (end == std::string_view::npos) {
        pos = html.size();
      } else {
        const std::size_t close_gt = html.find('>', end);
        pos = close_gt == std::string_view::npos ? html.size() : close_gt + 1;
      }
      continue;
    }
    if (name == "br") {
      sink.Newline();
    } else if (name == "pre") {
      sink.BlockBreak();
      sink.SetPre(!closing);
    } else if (name == "p") {
      sink.Newline(true);
    } else if (name == "li" && !closing) {
      sink.BlockBreak();
      sink.Text("- ");
    } else if (name == "td" || name == "th") {
      if (closing) sink.Char(' ');
    } else if (IsBlock(name)) {
      sink.BlockBreak();
    }
  }
  return sink.Finish();
}

}  // namespace ombud::channels::email
