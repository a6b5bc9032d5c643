#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/result.hpp"

// Entities and value types of the desk. Plain data; invariants are checked by the functions
// declared at the end and by the desk use cases that build these values.
namespace ombud::domain {

using Id = std::int64_t;
// Milliseconds since the Unix epoch, UTC. Stored times use it; deadlines use Instant.
using Millis = std::int64_t;

enum class Role { kAdmin, kSupervisor, kAgent, kCustomer };
enum class TicketKind { kComplaint, kConsultancy };
enum class Channel { kPhone, kEmail, kSms, kWeb, kChat, kMessenger, kInPerson };
enum class TicketState { kNew, kOpen, kPendingCustomer, kPendingDepartment, kResolved, kClosed };
enum class Direction { kInbound, kOutbound, kInternal };
enum class IdentityKind { kPhone, kEmail, kFacebook, kAccount };

std::string_view Name(Role v);
std::string_view Name(TicketKind v);
std::string_view Name(Channel v);
std::string_view Name(TicketState v);
std::string_view Name(Direction v);
std::string_view Name(IdentityKind v);

// Parse the stable snake_case names above; `field` names the input in the error.
Result<Role> ParseRole(std::string_view s, std::string_view field = "role");
Result<TicketKind> ParseTicketKind(std::string_view s, std::string_view field = "kind");
Result<Channel> ParseChannel(std::string_view s, std::string_view field = "channel");
Result<TicketState> ParseTicketState(std::string_view s, std::string_view field = "state");
Result<Direction> ParseDirection(std::string_view s, std::string_view field = "direction");
Result<IdentityKind> ParseIdentityKind(std::string_view s, std::string_view field = "kind");

struct Identity {
  IdentityKind kind = IdentityKind::kPhone;
  std::string value;  // Normalised (see NormalizeIdentity).
};

struct Customer {
  Id id = 0;
  std::string name;
  std::string language = "en";  // en, vi or km.
  std::vector<Identity> identities;
  std::optional<Id> merged_into;
  Millis created_at = 0;
};

struct Department {
  Id id = 0;
  std::string name;
  std::vector<std::string> scope;  // Categories this department may handle.
  Millis created_at = 0;
  std::string key;     // The policy pack's key, "" for departments made by hand.
  bool owner = false;  // Customer Support: owns every ticket (R-MET-4).
};

struct User {
  Id id = 0;
  std::string login;
  std::string display_name;
  Role role = Role::kAgent;
  std::optional<Id> department_id;
  std::optional<Id> customer_id;  // Set for customer accounts only.
  bool active = true;
  Millis created_at = 0;
};

struct Attachment {
  Id id = 0;
  std::string filename;
  std::string content_type;
  std::int64_t size = 0;
  std::string sha;  // BLAKE2b-256 of the content, hex; the file's name in the attachment store.
};

struct Article {
  Id id = 0;
  Id ticket_id = 0;
  Direction direction = Direction::kInbound;
  Channel channel = Channel::kWeb;
  std::optional<Id> author_user_id;
  std::optional<Id> author_customer_id;
  std::string body;
  std::vector<Attachment> attachments;
  Millis created_at = 0;
  // How the article went out, when it was sent to the customer (the outbox row made for it):
  // pending | sent | dead, and the latest delivery report (SMS: delivered, failed, ...).
  std::string delivery;
  std::string delivery_report;
};

struct Ticket {
  Id id = 0;
  std::string number;  // C-2026-000123
  TicketKind kind = TicketKind::kComplaint;
  Channel channel = Channel::kWeb;
  Id customer_id = 0;
  std::string subject;
  std::string category;
  std::string product;
  std::string incident_date;  // YYYY-MM-DD, empty when unknown.
  TicketState state = TicketState::kNew;
  std::optional<Id> department_id;
  std::optional<Id> owner_id;
  std::string custom_fields_json = "{}";  // A JSON object, validated at the API edge.
  Millis created_at = 0;
  Millis updated_at = 0;
  std::string complaint_type;     // The pack's complaint type key, "" without a pack.
  std::string language;           // The customer's language when filed.
  std::string flags_json = "{}";  // E.g. {"out_of_window":{...},"urgent":true}.
};

// A ticket's fields borrowed from where they are kept (a stored row, or a Ticket), enums as
// their names: what writing a page of tickets out needs, without copying every field first.
// Valid only while what it borrows from is.
struct TicketView {
  Id id = 0;
  std::string_view number;
  std::string_view kind;
  std::string_view channel;
  Id customer_id = 0;
  std::string_view subject;
  std::string_view category;
  std::string_view product;
  std::string_view incident_date;
  std::string_view state;
  std::optional<Id> department_id;
  std::optional<Id> owner_id;
  std::string_view custom_fields_json;
  Millis created_at = 0;
  Millis updated_at = 0;
  std::string_view complaint_type;
  std::string_view language;
  std::string_view flags_json;
};

TicketView View(const Ticket& t);

// The human ticket number for the `seq`-th ticket of `year`: C-2026-000123.
std::string FormatTicketNumber(int year, std::int64_t seq);

// OK when a ticket may move from `from` to `to` (the ticket state machine).
Status CheckTransition(TicketState from, TicketState to);

// Canonical form of an identity value: phone numbers keep digits and a leading '+',
// e-mail addresses are lower-cased; errors name `field`.
Result<std::string> NormalizeIdentity(IdentityKind kind, std::string_view value,
                                      std::string_view field);

// True when `s` is a valid calendar date written YYYY-MM-DD.
bool IsIsoDate(std::string_view s);

}  // namespace ombud::domain
