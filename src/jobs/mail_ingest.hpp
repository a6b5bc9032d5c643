#pragma once

#include <string_view>

#include "desk/inbound.hpp"
#include "desk/policy.hpp"
#include "store/attachment_store.hpp"
#include "store/store.hpp"

// E-mail intake shared by every way a raw RFC 5322 message arrives (MTA pipe, HTTP, IMAP
// poller). Thread-safe.
namespace ombud::jobs {

// Parses `raw` with the e-mail channel and stores its attachments: the desk message to file.
// kInvalidArgument when the message has no usable sender address. Stored attachments are
// content-addressed, so preparing the same message twice is harmless.
Result<desk::InboundMessage> PrepareEmail(store::AttachmentStore& attachments,
                                          std::string_view raw);

// PrepareEmail, then desk::IngestMessage in one durable write.
Result<desk::IngestOutcome> IngestRawEmail(store::Store& store, store::AttachmentStore& attachments,
                                           const desk::Policy* policy, std::string_view raw);

}  // namespace ombud::jobs
