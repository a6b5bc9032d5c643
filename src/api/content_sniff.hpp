#pragma once

#include <string>
#include <string_view>

#include "domain/result.hpp"

namespace ombud::api {

// The MIME type of `bytes` as libmagic sniffs it from the content ("application/pdf"), never
// from a name or a claimed type. Thread-safe (one shared magic cookie behind a mutex).
Result<std::string> SniffMimeType(std::string_view bytes);

// Whether customers may upload documents of this sniffed type: PDF, JPEG, PNG, plain text.
bool IsAllowedDocumentType(std::string_view mime_type);

}  // namespace ombud::api
