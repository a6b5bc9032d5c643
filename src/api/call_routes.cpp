#include "api/call_routes.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <iterator>
#include <limits>

#include "api/handler_support.hpp"
#include "api/json_input.hpp"
#include "api/json_output.hpp"

namespace ombud::api {

namespace json = boost::json;

boost::json::object CallLoggedJson(const desk::CallLogged& logged) {
  json::object out{{"action", logged.action}, {"ticket", ToJson(logged.ticket)}};
  out["article"] = logged.article ? json::value(ToJson(*logged.article)) : json::value(nullptr);
  if (logged.record) {
    boost::system::error_code ec;
    json::value data = json::parse(logged.record->data, ec);
    out["call"] = json::object{{"id", logged.record->id},
                               {"ticket_id", logged.record->ticket_id},
                               {"outcome", logged.record->state},
                               {"data", ec ? json::value(json::object{}) : std::move(data)},
                               {"created_by", logged.record->created_by},
                               {"created_at", FormatTime(logged.record->created_at)}};
  } else {
    out["call"] = nullptr;
  }
  return out;
}

void RegisterCallRoutes(Router& router, store::Store& store,
                        std::shared_ptr<const desk::Policy> policy) {
  router.Add(
      "POST", "/api/v1/calls", Access::kAuthenticated, [&store, policy](Request& req, Reply reply) {
        auto in = JsonInput::Parse(req.body.empty() ? "{}" : req.body,
                                   {"number", "name", "direction", "outcome", "notes", "ticket_id",
                                    "answers", "subject", "duration_seconds"});
        if (!in) return reply(ErrorResponse(in.error()));
        const auto parsed = [&]() -> Result<desk::LogCallCmd> {
          desk::LogCallCmd cmd;
          OMBUD_ASSIGN_OR_RETURN(auto number, in->String("number", 1, 40));
          OMBUD_ASSIGN_OR_RETURN(
              cmd.caller.value,
              domain::NormalizeIdentity(domain::IdentityKind::kPhone, number, "number"));
          cmd.caller.kind = domain::IdentityKind::kPhone;
          OMBUD_ASSIGN_OR_RETURN(auto name, in->OptString("name", 200));
          cmd.customer_name = name.value_or("");
          OMBUD_ASSIGN_OR_RETURN(auto direction, in->OptString("direction", 20));
          if (direction) {
            OMBUD_ASSIGN_OR_RETURN(cmd.direction, domain::ParseDirection(*direction, "direction"));
          }
          OMBUD_ASSIGN_OR_RETURN(auto outcome, in->OptString("outcome", 40));
          if (outcome) {
            static constexpr std::string_view kOutcomes[] = {"answered",  "missed", "abandoned",
                                                             "voicemail", "busy",   "failed"};
            if (std::find(std::begin(kOutcomes), std::end(kOutcomes), *outcome) ==
                std::end(kOutcomes)) {
              return Fail(ErrorCode::kInvalidArgument,
                          "outcome is one of answered, missed, abandoned, voicemail, busy, failed",
                          "outcome");
            }
            cmd.outcome = *outcome;
          }
          OMBUD_ASSIGN_OR_RETURN(auto notes, in->OptString("notes", 100000));
          cmd.notes = notes.value_or("");
          OMBUD_ASSIGN_OR_RETURN(auto subject, in->OptString("subject", 300));
          cmd.subject = subject.value_or("");
          OMBUD_ASSIGN_OR_RETURN(
              cmd.ticket_id, in->OptInt("ticket_id", 1, std::numeric_limits<std::int64_t>::max()));
          OMBUD_ASSIGN_OR_RETURN(auto answers, in->OptBool("answers"));
          cmd.answers = answers.value_or(false);
          OMBUD_ASSIGN_OR_RETURN(auto duration, in->OptInt("duration_seconds", 0, 86400));
          // The call has just ended: it started `duration` seconds ago (made absolute in the
          // write, with the transaction's time).
          if (duration) cmd.ended_at = *duration;
          return cmd;
        }();
        if (!parsed) return reply(ErrorResponse(parsed.error()));
        Commit(
            store, req, reply, 201,
            [actor = *req.actor, cmd = *parsed, policy](store::WriteTx& tx) -> Result<json::value> {
              desk::LogCallCmd c = cmd;
              c.started_at = tx.Now() - (c.ended_at ? *c.ended_at * 1000 : 0);
              if (c.ended_at) c.ended_at = tx.Now();
              OMBUD_ASSIGN_OR_RETURN(auto logged, desk::LogCall(tx, actor, c, policy.get()));
              return CallLoggedJson(logged);
            });
      });
}

}  // namespace ombud::api
