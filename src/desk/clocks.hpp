#pragma once

#include <boost/json.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "desk/desk.hpp"
#include "desk/policy.hpp"
#include "domain/time/deadline_clock.hpp"
#include "store/store.hpp"

// Deadline clocks at work: the pack's clock definitions applied to a ticket's events, their
// instances stored with the ticket, and durable timers for warnings and breaches.
namespace ombud::desk {

// An audit entry's details as a JSON object text, built in a stack buffer: every write path
// audits, and a json::object on the heap per entry was a measurable part of the writer.
std::string AuditDetails(
    std::initializer_list<std::pair<boost::json::string_view, boost::json::value_ref>> fields);

// Ticket events the desk emits. Pack clocks start, stop and pause on these names.
namespace event {
inline constexpr std::string_view kReceived = "received";
inline constexpr std::string_view kAcknowledged = "acknowledged";
inline constexpr std::string_view kAnswered = "answered";
inline constexpr std::string_view kResolved = "resolved";
inline constexpr std::string_view kClosed = "closed";
inline constexpr std::string_view kWaitingForCustomer = "waiting_for_customer";
inline constexpr std::string_view kCustomerReplied = "customer_replied";
inline constexpr std::string_view kTransferred = "transferred";
inline constexpr std::string_view kResultReported = "result_reported";
inline constexpr std::string_view kProcessingStarted = "processing_started";
inline constexpr std::string_view kPreviousIssueProcessed = "previous_issue_processed";
}  // namespace event

std::string ClockInstanceToJson(const domain::ClockInstance& clock);
Result<domain::ClockInstance> ClockInstanceFromJson(std::string_view json);

// Applies `event` at the transaction's time to the ticket's clocks: starts the pack clocks
// that start on it (department clocks run on `department`'s calendar), stops those that stop
// on it (met or breached), pauses those that pause on it and resumes paused clocks on
// customer_replied; resolved and closed stop every open clock. Timers follow. No-op without
// a policy.
Status ApplyClockEvent(store::WriteTx& tx, const Policy* policy, const domain::Ticket& ticket,
                       std::string_view event, const Actor& actor,
                       std::optional<domain::Department> department = std::nullopt);

// Fires a due timer: a warning notifies the ticket's owner (or its department's agents), a
// breach marks the clock breached, audits it and notifies supervisors. Marks the timer fired.
Status FireTimer(store::WriteTx& tx, const store::Timer& timer);

// Waives a clock with a recorded reason (e.g. force majeure, R-VIE-2) and an optional note.
// Under a pack, the reason must be one the pack lists as `waivable` for that clock; a clock
// the pack lists no reasons for cannot be waived.
Status WaiveClock(store::WriteTx& tx, const Actor& actor, domain::Id clock_id,
                  const std::string& reason, const Policy* policy, const std::string& note = {});

// Recomputes every open clock on the policy's calendars (after a pack or calendar change):
// due times, warnings, timers and rule texts follow. Returns how many clocks moved.
Result<std::int64_t> RecomputeOpenClocks(store::WriteTx& tx, const Policy& policy,
                                         const Actor& actor);

// Milliseconds of an instant and back.
inline domain::Millis ToMillis(ombud::Instant t) { return t.time_since_epoch().count() * 1000; }
inline ombud::Instant FromMillis(domain::Millis ms) {
  return ombud::Instant(std::chrono::seconds(ms / 1000));
}

}  // namespace ombud::desk
