#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/websocket.hpp"
#include "domain/model.hpp"

namespace ombud::api {

// The in-process fan-out of live chat and desk updates to open WebSockets. Publish only after
// the change committed. Holds connections weakly: a closed socket simply stops receiving.
// Thread-safe.
class ChatHub {
 public:
  // A signed-in customer's chat widget: receives the messages of their chat tickets.
  void AddCustomer(domain::Id customer_id, const std::shared_ptr<WsConnection>& connection);
  // A visitor's chat widget: receives the messages of the one ticket it started.
  void AddTicket(domain::Id ticket_id, const std::shared_ptr<WsConnection>& connection);
  // A staff member's live feed; `department_id` limits it to that department's tickets
  // (nullopt: every ticket).
  void AddAgent(std::optional<domain::Id> department_id,
                const std::shared_ptr<WsConnection>& connection);
  void Remove(const WsConnection* connection);

  // A ticket was filed: agents hear of it; a chat ticket's first message reaches the widget.
  void TicketCreated(const domain::Ticket& ticket, const domain::Article& article);
  // An article was added: agents hear of it; the customer's widget gets customer-visible
  // messages of chat tickets.
  void ArticleAdded(const domain::Ticket& ticket, const domain::Article& article);

  // The frame a customer's widget receives for an article.
  static std::string MessageFrame(const domain::Ticket& ticket, const domain::Article& article);

 private:
  enum class Kind { kCustomer, kTicket, kAgent };
  struct Subscriber {
    std::weak_ptr<WsConnection> connection;
    const WsConnection* key = nullptr;
    Kind kind = Kind::kAgent;
    std::optional<domain::Id> id;  // Customer id, ticket id, or the agent's department.
  };
  void Publish(std::string_view type, const domain::Ticket& ticket, const domain::Article& article);
  void Add(Kind kind, std::optional<domain::Id> id, const std::shared_ptr<WsConnection>& c);
  std::vector<std::shared_ptr<WsConnection>> AgentsFollowing(
      std::optional<domain::Id> department_id);
  void ToWidgets(const domain::Ticket& ticket, const domain::Article& article);

  std::mutex mu_;
  std::vector<Subscriber> subscribers_;
};

}  // namespace ombud::api
