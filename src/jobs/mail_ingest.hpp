#pragma once

#include <string_view>

#include "desk/inbound.hpp"
#include "desk/policy.hpp"
#include "store/attachment_store.hpp"
#include "store/store.hpp"

namespace ombud::app {

// Files a raw RFC 5322 message (MTA pipe, HTTP, IMAP): parsed by the e-mail channel, its
// attachments stored, then desk::IngestMessage in one durable write. kInvalidArgument when
// the message has no usable sender address.
Result<desk::IngestOutcome> IngestRawEmail(store::Store& store, store::AttachmentStore& attachments,
                                           const desk::Policy* policy, std::string_view raw);

}  // namespace ombud::app
