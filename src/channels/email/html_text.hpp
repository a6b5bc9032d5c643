#pragma once

#include <string>
#include <string_view>

namespace ombud::channels::email {

// Readable plain text from an HTML body: tags dropped, script/style/head content removed,
// entities decoded, line breaks kept for <br> and block elements, list items prefixed "- ",
// runs of blank lines collapsed. Total on any input (never fails); `html` should be UTF-8.
std::string HtmlToText(std::string_view html);

}  // namespace ombud::channels::email
