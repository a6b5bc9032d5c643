#include "domain/model.hpp"

#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <string>
#include <utility>

namespace ombud::domain {
namespace {

template <typename E, std::size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

constexpr NameTable<Role, 4> kRoles{{{Role::kAdmin, "admin"},
                                     {Role::kSupervisor, "supervisor"},
                                     {Role::kAgent, "agent"},
                                     {Role::kCustomer, "customer"}}};
constexpr NameTable<TicketKind, 2> kKinds{
    {{TicketKind::kComplaint, "complaint"}, {TicketKind::kConsultancy, "consultancy"}}};
constexpr NameTable<Channel, 7> kChannels{{{Channel::kPhone, "phone"},
                                           {Channel::kEmail, "email"},
                                           {Channel::kSms, "sms"},
                                           {Channel::kWeb, "web"},
                                           {Channel::kChat, "chat"},
                                           {Channel::kMessenger, "messenger"},
                                           {Channel::kInPerson, "in_person"}}};
constexpr NameTable<TicketState, 6> kStates{
    {{TicketState::kNew, "new"},
     {TicketState::kOpen, "open"},
     {TicketState::kPendingCustomer, "pending_customer"},
     {TicketState::kPendingDepartment, "pending_department"},
     {TicketState::kResolved, "resolved"},
     {TicketState::kClosed, "closed"}}};
constexpr NameTable<Direction, 3> kDirections{{{Direction::kInbound, "inbound"},
                                               {Direction::kOutbound, "outbound"},
                                               {Direction::kInternal, "internal"}}};
constexpr NameTable<IdentityKind, 4> kIdentityKinds{{{IdentityKind::kPhone, "phone"},
                                                     {IdentityKind::kEmail, "email"},
                                                     {IdentityKind::kFacebook, "facebook"},
                                                     {IdentityKind::kAccount, "account"}}};

template <typename E, std::size_t N>
std::string_view NameIn(const NameTable<E, N>& table, E v) {
  for (const auto& [e, name] : table) {
    if (e == v) return name;
  }
  return "unknown";
}

template <typename E, std::size_t N>
Result<E> ParseIn(const NameTable<E, N>& table, std::string_view s, std::string_view field) {
  for (const auto& [e, name] : table) {
    if (name == s) return e;
  }
  std::string allowed;
  for (const auto& [e, name] : table) {
    if (!allowed.empty()) allowed += ", ";
    allowed += name;
  }
  return Fail(ErrorCode::kInvalidArgument, std::string(field) + " must be one of: " + allowed,
              std::string(field));
}

}  // namespace

std::string_view Name(Role v) { return NameIn(kRoles, v); }
std::string_view Name(TicketKind v) { return NameIn(kKinds, v); }
std::string_view Name(Channel v) { return NameIn(kChannels, v); }
std::string_view Name(TicketState v) { return NameIn(kStates, v); }
std::string_view Name(Direction v) { return NameIn(kDirections, v); }
std::string_view Name(IdentityKind v) { return NameIn(kIdentityKinds, v); }

Result<Role> ParseRole(std::string_view s, std::string_view f) { return ParseIn(kRoles, s, f); }
Result<TicketKind> ParseTicketKind(std::string_view s, std::string_view f) {
  return ParseIn(kKinds, s, f);
}
Result<Channel> ParseChannel(std::string_view s, std::string_view f) {
  return ParseIn(kChannels, s, f);
}
Result<TicketState> ParseTicketState(std::string_view s, std::string_view f) {
  return ParseIn(kStates, s, f);
}
Result<Direction> ParseDirection(std::string_view s, std::string_view f) {
  return ParseIn(kDirections, s, f);
}
Result<IdentityKind> ParseIdentityKind(std::string_view s, std::string_view f) {
  return ParseIn(kIdentityKinds, s, f);
}

TicketView View(const Ticket& t) {
  return TicketView{.id = t.id,
                    .number = t.number,
                    .kind = Name(t.kind),
                    .channel = Name(t.channel),
                    .customer_id = t.customer_id,
                    .subject = t.subject,
                    .category = t.category,
                    .product = t.product,
                    .incident_date = t.incident_date,
                    .state = Name(t.state),
                    .department_id = t.department_id,
                    .owner_id = t.owner_id,
                    .custom_fields_json = t.custom_fields_json,
                    .created_at = t.created_at,
                    .updated_at = t.updated_at,
                    .complaint_type = t.complaint_type,
                    .language = t.language,
                    .flags_json = t.flags_json};
}

std::string FormatTicketNumber(int year, std::int64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "C-%04d-%06lld", year, static_cast<long long>(seq));
  return buf;
}

Status CheckTransition(TicketState from, TicketState to) {
  using S = TicketState;
  bool ok = false;
  switch (from) {
    case S::kNew:
    case S::kOpen:
      ok = to != S::kNew && to != from;
      break;
    case S::kPendingCustomer:
    case S::kPendingDepartment:
      ok = to == S::kOpen || to == S::kResolved || to == S::kClosed;
      break;
    case S::kResolved:
      ok = to == S::kClosed || to == S::kOpen;  // Close, or reopen.
      break;
    case S::kClosed:
      ok = to == S::kOpen;  // Reopen.
      break;
  }
  if (ok) return {};
  return Fail(ErrorCode::kFailedPrecondition,
              "a ticket cannot go from " + std::string(Name(from)) + " to " + std::string(Name(to)),
              "state");
}

Result<std::string> NormalizeIdentity(IdentityKind kind, std::string_view value,
                                      std::string_view field) {
  const std::string f(field);
  if (value.empty() || value.size() > 320) {
    return Fail(ErrorCode::kInvalidArgument, f + " must have 1 to 320 characters", f);
  }
  std::string out;
  switch (kind) {
    case IdentityKind::kPhone: {
      for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        if (std::isdigit(static_cast<unsigned char>(c))) {
          out += c;
        } else if (c == '+' && out.empty() && i == value.find_first_not_of(' ')) {
          out += c;
        } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') {
          return Fail(ErrorCode::kInvalidArgument, f + " is not a phone number", f);
        }
      }
      const std::size_t digits = out.size() - (out.starts_with('+') ? 1 : 0);
      if (digits < 3 || digits > 15) {
        return Fail(ErrorCode::kInvalidArgument, f + " must have 3 to 15 digits", f);
      }
      return out;
    }
    case IdentityKind::kEmail: {
      const auto at = value.find('@');
      if (at == 0 || at == std::string_view::npos || at + 1 >= value.size() ||
          value.find('@', at + 1) != std::string_view::npos ||
          value.find_first_of(" \t\r\n<>") != std::string_view::npos) {
        return Fail(ErrorCode::kInvalidArgument, f + " is not an e-mail address", f);
      }
      for (const char c : value)
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return out;
    }
    case IdentityKind::kFacebook:
    case IdentityKind::kAccount:
      if (value.find_first_of(" \t\r\n") != std::string_view::npos) {
        return Fail(ErrorCode::kInvalidArgument, f + " must not contain white space", f);
      }
      return std::string(value);
  }
  return Fail(ErrorCode::kInternal, "unknown identity kind", f);
}

bool IsIsoDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (const std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  const int y = std::stoi(std::string(s.substr(0, 4)));
  const unsigned m = static_cast<unsigned>(std::stoi(std::string(s.substr(5, 2))));
  const unsigned d = static_cast<unsigned>(std::stoi(std::string(s.substr(8, 2))));
  return std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m},
                                     std::chrono::day{d}}
      .ok();
}

}  // namespace ombud::domain
