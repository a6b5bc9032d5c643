#include "api/chat_hub.hpp"

#include <boost/json.hpp>

#include <algorithm>

#include "api/json_output.hpp"

namespace ombud::api {

namespace json = boost::json;

void ChatHub::Add(Kind kind, std::optional<domain::Id> id, const std::shared_ptr<WsConnection>& c) {
  std::lock_guard lock(mu_);
  for (const auto& s : subscribers_) {
    if (s.key == c.get() && s.kind == kind && s.id == id) return;
  }
  subscribers_.push_back({c, c.get(), kind, id});
}

void ChatHub::AddCustomer(domain::Id customer_id, const std::shared_ptr<WsConnection>& connection) {
  Add(Kind::kCustomer, customer_id, connection);
}

void ChatHub::AddTicket(domain::Id ticket_id, const std::shared_ptr<WsConnection>& connection) {
  Add(Kind::kTicket, ticket_id, connection);
}

void ChatHub::AddAgent(std::optional<domain::Id> department_id,
                       const std::shared_ptr<WsConnection>& connection) {
  Add(Kind::kAgent, department_id, connection);
}

void ChatHub::Remove(const WsConnection* connection) {
  std::lock_guard lock(mu_);
  std::erase_if(subscribers_, [connection](const Subscriber& s) { return s.key == connection; });
}

std::string ChatHub::MessageFrame(const domain::Ticket& ticket, const domain::Article& article) {
  return json::serialize(json::object{{"type", "message"},
                                      {"ticket_id", ticket.id},
                                      {"ticket_number", ticket.number},
                                      {"article_id", article.id},
                                      {"direction", domain::Name(article.direction)},
                                      {"body", article.body},
                                      {"created_at", article.created_at}});
}

void ChatHub::TicketCreated(const domain::Ticket& ticket, const domain::Article& article) {
  Publish("ticket.created", ticket, article);
}

void ChatHub::ArticleAdded(const domain::Ticket& ticket, const domain::Article& article) {
  Publish("article.created", ticket, article);
}

void ChatHub::Publish(std::string_view type, const domain::Ticket& ticket,
                      const domain::Article& article) {
  // The frame is built only when an agent listens: most writes have nobody to tell.
  const auto agents = AgentsFollowing(ticket.department_id);
  if (!agents.empty()) {
    const std::string frame = json::serialize(
        json::object{{"type", type}, {"ticket", ToJson(ticket)}, {"article", ToJson(article)}});
    for (const auto& c : agents) c->Send(frame);
  }
  ToWidgets(ticket, article);
}

std::vector<std::shared_ptr<WsConnection>> ChatHub::AgentsFollowing(
    std::optional<domain::Id> department_id) {
  std::vector<std::shared_ptr<WsConnection>> targets;
  std::lock_guard lock(mu_);
  std::erase_if(subscribers_, [](const Subscriber& s) { return s.connection.expired(); });
  for (const auto& s : subscribers_) {
    // Agents without a department follow every ticket; others only their department's.
    if (s.kind != Kind::kAgent || (s.id && s.id != department_id)) continue;
    if (auto c = s.connection.lock()) targets.push_back(std::move(c));
  }
  return targets;
}

void ChatHub::ToWidgets(const domain::Ticket& ticket, const domain::Article& article) {
  const bool chat =
      ticket.channel == domain::Channel::kChat || article.channel == domain::Channel::kChat;
  if (!chat || article.direction == domain::Direction::kInternal) return;
  const std::string frame = MessageFrame(ticket, article);
  std::vector<std::shared_ptr<WsConnection>> targets;
  {
    std::lock_guard lock(mu_);
    for (const auto& s : subscribers_) {
      const bool wanted = (s.kind == Kind::kCustomer && s.id == ticket.customer_id) ||
                          (s.kind == Kind::kTicket && s.id == ticket.id);
      if (!wanted) continue;
      if (auto c = s.connection.lock()) targets.push_back(std::move(c));
    }
  }
  for (const auto& c : targets) c->Send(frame);
}

}  // namespace ombud::api
