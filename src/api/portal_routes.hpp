#pragma once

#include <memory>
#include <optional>

#include "api/chat_hub.hpp"
#include "api/json_input.hpp"
#include "api/router.hpp"
#include "desk/desk.hpp"
#include "domain/clock.hpp"
#include "store/attachment_store.hpp"
#include "store/store.hpp"

namespace ombud::desk {
class Policy;
}

namespace ombud::api {

// The customer portal (public complaint form, one-time code login, the customer's tickets,
// replies, information requests, documents) and the chat WebSockets (/api/v1/chat/ws for
// customers and visitors, /api/v1/agent/ws for staff). Everything referenced must outlive
// the router.
void RegisterPortalRoutes(Router& router, store::Store& store, store::AttachmentStore& attachments,
                          const Clock& clock, std::shared_ptr<const desk::Policy> policy,
                          ChatHub& hub);

// What a write did, for publishing to the hub once it committed. Filled by the write
// function (overwritten when it runs again).
struct Published {
  std::optional<domain::Ticket> ticket;
  std::optional<domain::Article> article;
  bool ticket_created = false;
};
// `reply`, publishing `published` to `hub` first when the answer is a success.
Reply PublishingReply(ChatHub& hub, std::shared_ptr<Published> published, Reply reply);

// Request fields shared with the staff API (src/api/api.cpp).
Result<desk::NewCustomer> NewCustomerFrom(const JsonInput& in);
Result<std::string> CustomFields(const JsonInput& in);

}  // namespace ombud::api
