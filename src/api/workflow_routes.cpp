#include "api/workflow_routes.hpp"
#include "api/chat_hub.hpp"
#include "api/portal_routes.hpp"

#include <boost/json.hpp>

#include "api/handler_support.hpp"
#include "api/json_input.hpp"
#include "api/json_output.hpp"
#include "desk/clocks.hpp"
#include "desk/workflow.hpp"
#include "domain/time/time_format.hpp"

namespace ombud::api {

namespace json = boost::json;
using desk::Actor;
using domain::Id;

namespace {

json::value ParseObject(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return json::object{};
  return v;
}

json::object RecordJson(const store::CaseRecord& r) {
  return {{"id", r.id},
          {"ticket_id", r.ticket_id},
          {"kind", r.kind},
          {"state", r.state},
          {"department_id", r.department_id ? json::value(*r.department_id) : nullptr},
          {"data", ParseObject(r.data)},
          {"created_by", r.created_by},
          {"created_at", FormatTime(r.created_at)},
          {"updated_at", FormatTime(r.updated_at)}};
}

json::object ClockJson(const store::ClockRow& c, domain::Millis now) {
  std::string state = c.state;
  // A running clock past its due time is breached even before its timer has fired.
  if (state == "running" && c.due_at && *c.due_at <= now) state = "breached";
  json::value instance = ParseObject(c.instance);
  json::value pauses = json::array{};
  if (instance.is_object() && instance.as_object().contains("pauses")) {
    pauses = instance.as_object()["pauses"];
  }
  return {{"id", c.id},
          {"name", c.name},
          {"scope", c.scope},
          {"department_id", c.department_id ? json::value(*c.department_id) : nullptr},
          {"state", state},
          {"started_at", FormatTime(c.started_at)},
          {"due_at", c.due_at ? json::value(FormatTime(*c.due_at)) : nullptr},
          {"stopped_at", c.stopped_at ? json::value(FormatTime(*c.stopped_at)) : nullptr},
          {"rule", c.rule_text},
          {"pauses", std::move(pauses)}};
}

// Parses the body with `fields`, then runs `build` to make the write; answers its errors.
template <typename Build>
void Write(store::Store& store, Request& req, const Reply& reply, int success,
           std::span<const std::string_view> fields, Build build) {
  auto in = JsonInput::Parse(req.body.empty() ? "{}" : req.body, fields);
  if (!in) return reply(ErrorResponse(in.error()));
  Result<WriteBody> body = build(*in);
  if (!body) return reply(ErrorResponse(body.error()));
  Commit(store, req, reply, success, std::move(*body));
}

domain::Millis NowMs(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch())
      .count();
}

}  // namespace

void RegisterWorkflowRoutes(Router& router, store::Store& store, const Clock& clock,
                            std::shared_ptr<const desk::Policy> shared_policy,
                            const TestClockControl* test_clock,
                            std::function<void()> forget_credentials, ChatHub* hub) {
  const auto auth = Access::kAuthenticated;
  using Fields = std::vector<std::string_view>;
  // The policy lives as long as the routes (captured by every handler that uses it).
  auto keep = shared_policy;

  router.Add(
      "GET", "/api/v1/tickets/{id}/clocks", auth, [&store, &clock](Request& req, Reply reply) {
        const Actor actor = *req.actor;
        const std::string param(req.Param("id"));
        const auto now = NowMs(clock);
        AnswerRead(store, reply, [actor, param, now](store::ReadTx& tx) -> Result<json::value> {
          OMBUD_ASSIGN_OR_RETURN(const Id id, ResolveTicketId(tx, param));
          OMBUD_ASSIGN_OR_RETURN(auto t, desk::VisibleTicket(tx, actor, id));
          OMBUD_ASSIGN_OR_RETURN(auto clocks, tx.ListClocks(t.id));
          json::array arr;
          for (const auto& c : clocks) arr.push_back(ClockJson(c, now));
          return json::object{{"clocks", std::move(arr)}};
        });
      });

  router.Add(
      "POST", "/api/v1/tickets/{id}/clocks/{clock_id}/waive", auth,
      [&store, keep](Request& req, Reply reply) {
        auto clock_id = ParseId(req.Param("clock_id"), "clock_id");
        if (!clock_id) return reply(ErrorResponse(404, "not_found", "clock not found"));
        Write(store, req, reply, 200, Fields{"reason", "note"},
              [&](const JsonInput& in) -> Result<WriteBody> {
                OMBUD_ASSIGN_OR_RETURN(auto reason, in.String("reason", 1, 200));
                OMBUD_ASSIGN_OR_RETURN(auto note, in.OptString("note", 2000));
                return WriteBody([actor = *req.actor, id = *clock_id, reason,
                                  note = note.value_or(""),
                                  keep](store::WriteTx& tx) -> Result<json::value> {
                  OMBUD_RETURN_IF_ERROR(desk::WaiveClock(tx, actor, id, reason, keep.get(), note));
                  OMBUD_ASSIGN_OR_RETURN(auto row, tx.GetClock(id));
                  return ClockJson(row, tx.Now());
                });
              });
      });

  router.Add("GET", "/api/v1/tickets/{id}/audit", auth, [&store](Request& req, Reply reply) {
    const Actor actor = *req.actor;
    if (!actor.IsStaff()) return reply(ErrorResponse(403, "permission_denied", "staff only"));
    const std::string param(req.Param("id"));
    AnswerRead(store, reply, [param](store::ReadTx& tx) -> Result<json::value> {
      OMBUD_ASSIGN_OR_RETURN(const Id id, ResolveTicketId(tx, param));
      OMBUD_ASSIGN_OR_RETURN(auto entries, tx.ListAudit("ticket:" + std::to_string(id), 1000));
      json::array arr;
      for (const auto& e : entries) {
        arr.push_back(json::object{{"seq", e.seq},
                                   {"at", FormatTime(e.at)},
                                   {"actor", e.actor},
                                   {"action", e.action},
                                   {"details", ParseObject(e.details)},
                                   {"hash", e.hash}});
      }
      return json::object{{"entries", std::move(arr)}};
    });
  });

  router.Add("GET", "/api/v1/tickets/{id}/records", auth, [&store](Request& req, Reply reply) {
    const Actor actor = *req.actor;
    const std::string param(req.Param("id"));
    const std::string kind(req.Query("kind").value_or(""));
    AnswerRead(store, reply, [actor, param, kind](store::ReadTx& tx) -> Result<json::value> {
      OMBUD_ASSIGN_OR_RETURN(const Id id, ResolveTicketId(tx, param));
      OMBUD_ASSIGN_OR_RETURN(auto t, desk::VisibleTicket(tx, actor, id));
      OMBUD_ASSIGN_OR_RETURN(auto records, tx.ListCaseRecords(t.id, kind));
      json::array arr;
      for (const auto& r : records) arr.push_back(RecordJson(r));
      return json::object{{"records", std::move(arr)}};
    });
  });

  // A use case on one ticket that answers a case record.
  auto on_ticket = [&store, keep](Fields fields, auto make) {
    return [&store, keep, fields, make](Request& req, Reply reply) {
      const std::string param(req.Param("id"));
      Write(store, req, reply, 201, fields, [&](const JsonInput& in) -> Result<WriteBody> {
        OMBUD_ASSIGN_OR_RETURN(auto run, make(in, *req.actor, keep.get()));
        return WriteBody([param, run](store::WriteTx& tx) -> Result<json::value> {
          OMBUD_ASSIGN_OR_RETURN(const Id id, ResolveTicketId(tx, param));
          return run(tx, id);
        });
      });
    };
  };
  using TicketRun = std::function<Result<json::value>(store::WriteTx&, Id)>;

  // A use case on one ticket that writes an article the customer's chat widget and the agents'
  // live feeds must hear of (published after the commit).
  using ArticleRun = std::function<Result<domain::Article>(store::WriteTx&, Id)>;
  auto on_ticket_article = [&store, keep, hub](Fields fields, auto make) {
    return [&store, keep, hub, fields, make](Request& req, Reply reply) {
      const std::string param(req.Param("id"));
      auto published = std::make_shared<Published>();
      const Reply out =
          hub != nullptr ? PublishingReply(*hub, published, std::move(reply)) : std::move(reply);
      Write(store, req, out, 201, fields, [&](const JsonInput& in) -> Result<WriteBody> {
        OMBUD_ASSIGN_OR_RETURN(auto run, make(in, *req.actor, keep.get()));
        return WriteBody([param, run, published](store::WriteTx& tx) -> Result<json::value> {
          OMBUD_ASSIGN_OR_RETURN(const Id id, ResolveTicketId(tx, param));
          OMBUD_ASSIGN_OR_RETURN(auto article, run(tx, id));
          OMBUD_ASSIGN_OR_RETURN(published->ticket, tx.GetTicket(id));
          published->article = article;
          return ToJson(article);
        });
      });
    };
  };

  router.Add(
      "POST", "/api/v1/tickets/{id}/request-info", auth,
      on_ticket(
          Fields{"asked"},
          [](const JsonInput& in, const Actor& actor, const desk::Policy* p) -> Result<TicketRun> {
            OMBUD_ASSIGN_OR_RETURN(auto asked, in.String("asked", 1, 10000));
            return TicketRun([=](store::WriteTx& tx, Id id) -> Result<json::value> {
              OMBUD_ASSIGN_OR_RETURN(auto r, desk::RequestInfo(tx, actor, id, asked, p));
              return RecordJson(r);
            });
          }));
  router.Add("POST", "/api/v1/tickets/{id}/transfer", auth,
             on_ticket(Fields{"department_id", "note"},
                       [](const JsonInput& in, const Actor& actor,
                          const desk::Policy* p) -> Result<TicketRun> {
                         OMBUD_ASSIGN_OR_RETURN(auto dept, in.Int("department_id", 1, INT64_MAX));
                         OMBUD_ASSIGN_OR_RETURN(auto note, in.OptString("note", 10000));
                         return TicketRun([=](store::WriteTx& tx, Id id) -> Result<json::value> {
                           OMBUD_ASSIGN_OR_RETURN(
                               auto r, desk::Transfer(tx, actor, id, dept, note.value_or(""), p));
                           return RecordJson(r);
                         });
                       }));
  router.Add(
      "POST", "/api/v1/tickets/{id}/escalations", auth,
      on_ticket(
          Fields{"target", "reference", "body"},
          [](const JsonInput& in, const Actor& actor, const desk::Policy* p) -> Result<TicketRun> {
            OMBUD_ASSIGN_OR_RETURN(auto target, in.String("target", 1, 100));
            OMBUD_ASSIGN_OR_RETURN(auto ref, in.OptString("reference", 200));
            OMBUD_ASSIGN_OR_RETURN(auto body, in.OptString("body", 100000));
            return TicketRun([=](store::WriteTx& tx, Id id) -> Result<json::value> {
              OMBUD_ASSIGN_OR_RETURN(auto r, desk::Escalate(tx, actor, id, target, ref.value_or(""),
                                                            body.value_or(""), p));
              return RecordJson(r);
            });
          }));
  router.Add(
      "POST", "/api/v1/tickets/{id}/compensation", auth,
      on_ticket(
          Fields{"description", "amount", "currency"},
          [](const JsonInput& in, const Actor& actor, const desk::Policy* p) -> Result<TicketRun> {
            OMBUD_ASSIGN_OR_RETURN(auto what, in.String("description", 1, 10000));
            OMBUD_ASSIGN_OR_RETURN(auto amount, in.OptString("amount", 40));
            OMBUD_ASSIGN_OR_RETURN(auto currency, in.OptString("currency", 10));
            return TicketRun([=](store::WriteTx& tx, Id id) -> Result<json::value> {
              OMBUD_ASSIGN_OR_RETURN(
                  auto r, desk::OfferCompensation(tx, actor, id, what, amount.value_or(""),
                                                  currency.value_or(""), p));
              return RecordJson(r);
            });
          }));
  router.Add("POST", "/api/v1/tickets/{id}/negotiation", auth,
             on_ticket(Fields{"note"},
                       [](const JsonInput& in, const Actor& actor,
                          const desk::Policy* p) -> Result<TicketRun> {
                         OMBUD_ASSIGN_OR_RETURN(auto note, in.OptString("note", 10000));
                         return TicketRun([=](store::WriteTx& tx, Id id) -> Result<json::value> {
                           OMBUD_ASSIGN_OR_RETURN(auto r, desk::RequestNegotiation(
                                                              tx, actor, id, note.value_or(""), p));
                           return RecordJson(r);
                         });
                       }));
  router.Add(
      "POST", "/api/v1/tickets/{id}/answer", auth,
      on_ticket_article(
          Fields{"template", "vars", "body", "method", "resolve", "interim", "attachments"},
          [](const JsonInput& in, const Actor& actor, const desk::Policy* p) -> Result<ArticleRun> {
            desk::AnswerCmd cmd;
            OMBUD_ASSIGN_OR_RETURN(auto tmpl, in.OptString("template", 100));
            cmd.template_key = tmpl.value_or("");
            OMBUD_ASSIGN_OR_RETURN(auto body, in.OptString("body", 100000));
            cmd.body = body.value_or("");
            OMBUD_ASSIGN_OR_RETURN(auto method, in.String("method", 1, 20));
            OMBUD_ASSIGN_OR_RETURN(cmd.method, domain::ParseChannel(method, "method"));
            OMBUD_ASSIGN_OR_RETURN(auto resolve, in.OptBool("resolve"));
            cmd.resolve = resolve.value_or(false);
            OMBUD_ASSIGN_OR_RETURN(auto interim, in.OptBool("interim"));
            cmd.interim = interim.value_or(false);
            if (const auto* files = in.Raw("attachments"); files != nullptr && !files->is_null()) {
              if (!files->is_array() || files->get_array().size() > 10) {
                return Fail(ErrorCode::kInvalidArgument,
                            "attachments is a list of at most 10 attachment ids", "attachments");
              }
              for (const auto& id : files->get_array()) {
                if (!id.is_int64() || id.get_int64() <= 0) {
                  return Fail(ErrorCode::kInvalidArgument,
                              "attachments holds positive attachment ids", "attachments");
                }
                cmd.attachment_ids.push_back(id.get_int64());
              }
            }
            if (const auto* vars = in.Raw("vars"); vars != nullptr && !vars->is_null()) {
              if (!vars->is_object()) {
                return Fail(ErrorCode::kInvalidArgument, "vars must be an object", "vars");
              }
              for (const auto& kv : vars->get_object()) {
                if (!kv.value().is_string()) {
                  return Fail(ErrorCode::kInvalidArgument, "template variables are strings",
                              "vars." + std::string(kv.key()));
                }
                cmd.vars[std::string(kv.key())] = std::string(kv.value().get_string());
              }
            }
            if (cmd.template_key.empty() && cmd.body.empty()) {
              return Fail(ErrorCode::kInvalidArgument, "give a body or a template", "body");
            }
            return ArticleRun([=](store::WriteTx& tx, Id id) -> Result<domain::Article> {
              return desk::Answer(tx, actor, id, cmd, p);
            });
          }));
  router.Add("POST", "/api/v1/tickets/{id}/accept-late", auth,
             on_ticket(Fields{"justification"},
                       [](const JsonInput& in, const Actor& actor,
                          const desk::Policy*) -> Result<TicketRun> {
                         OMBUD_ASSIGN_OR_RETURN(auto why, in.String("justification", 1, 10000));
                         return TicketRun([=](store::WriteTx& tx, Id id) -> Result<json::value> {
                           OMBUD_ASSIGN_OR_RETURN(auto t, desk::AcceptLate(tx, actor, id, why));
                           return ToJson(t);
                         });
                       }));
  router.Add(
      "POST", "/api/v1/tickets/{id}/fields", auth,
      on_ticket(
          Fields{"custom_fields"},
          [](const JsonInput& in, const Actor& actor, const desk::Policy* p) -> Result<TicketRun> {
            const auto* fields = in.Raw("custom_fields");
            if (fields == nullptr || !fields->is_object()) {
              return Fail(ErrorCode::kInvalidArgument, "custom_fields must be an object",
                          "custom_fields");
            }
            for (const auto& kv : fields->get_object()) {
              const auto& v = kv.value();
              const bool ok = kv.key().size() >= 1 && kv.key().size() <= 64 &&
                              (v.is_string() ? v.get_string().size() <= 10000
                                             : v.is_number() || v.is_bool() || v.is_null());
              if (!ok) {
                return Fail(ErrorCode::kInvalidArgument,
                            "custom fields are strings (≤10000), numbers, booleans "
                            "or null",
                            "custom_fields." + std::string(kv.key()));
              }
            }
            const std::string text = json::serialize(*fields);
            return TicketRun([=](store::WriteTx& tx, Id id) -> Result<json::value> {
              OMBUD_ASSIGN_OR_RETURN(auto t, desk::UpdateFields(tx, actor, id, text, p));
              return ToJson(t);
            });
          }));
  router.Add("POST", "/api/v1/tickets/{id}/assign", auth,
             on_ticket(Fields{"user_id"},
                       [](const JsonInput& in, const Actor& actor,
                          const desk::Policy*) -> Result<TicketRun> {
                         OMBUD_ASSIGN_OR_RETURN(auto user, in.Int("user_id", 1, INT64_MAX));
                         return TicketRun([=](store::WriteTx& tx, Id id) -> Result<json::value> {
                           OMBUD_ASSIGN_OR_RETURN(auto t, desk::Assign(tx, actor, id, user));
                           return ToJson(t);
                         });
                       }));

  router.Add("POST", "/api/v1/tickets/take-next", auth, [&store, keep](Request& req, Reply reply) {
    Write(store, req, reply, 200, Fields{}, [&](const JsonInput&) -> Result<WriteBody> {
      return WriteBody([actor = *req.actor, keep](store::WriteTx& tx) -> Result<json::value> {
        OMBUD_ASSIGN_OR_RETURN(auto next, desk::TakeNext(tx, actor, keep.get()));
        if (!next) return json::object{{"ticket", nullptr}};
        return json::object{{"ticket", ToJson(*next)}};
      });
    });
  });

  // Case-record actions.
  auto on_record = [&store, keep](Fields fields, auto make) {
    return [&store, keep, fields, make](Request& req, Reply reply) {
      auto id = ParseId(req.Param("id"), "id");
      if (!id) return reply(ErrorResponse(404, "not_found", "record not found"));
      Write(store, req, reply, 200, fields, [&](const JsonInput& in) -> Result<WriteBody> {
        OMBUD_ASSIGN_OR_RETURN(auto run, make(in, *req.actor, keep.get()));
        return WriteBody([id = *id, run](store::WriteTx& tx) -> Result<json::value> {
          OMBUD_ASSIGN_OR_RETURN(auto r, run(tx, id));
          return RecordJson(r);
        });
      });
    };
  };
  using RecordRun = std::function<Result<store::CaseRecord>(store::WriteTx&, Id)>;
  router.Add("POST", "/api/v1/records/{id}/return", auth,
             on_record(Fields{"result"},
                       [](const JsonInput& in, const Actor& actor,
                          const desk::Policy* p) -> Result<RecordRun> {
                         OMBUD_ASSIGN_OR_RETURN(auto result, in.String("result", 1, 100000));
                         return RecordRun([=](store::WriteTx& tx, Id id) {
                           return desk::ReturnResult(tx, actor, id, result, p);
                         });
                       }));
  router.Add("POST", "/api/v1/records/{id}/messages", auth,
             on_record(Fields{"direction", "body"},
                       [](const JsonInput& in, const Actor& actor,
                          const desk::Policy* p) -> Result<RecordRun> {
                         OMBUD_ASSIGN_OR_RETURN(auto direction, in.String("direction", 1, 10));
                         OMBUD_ASSIGN_OR_RETURN(auto body, in.String("body", 1, 100000));
                         return RecordRun([=](store::WriteTx& tx, Id id) {
                           return desk::RecordEscalationMessage(tx, actor, id, direction, body, p);
                         });
                       }));
  router.Add("POST", "/api/v1/records/{id}/close", auth,
             on_record(Fields{"outcome"},
                       [](const JsonInput& in, const Actor& actor,
                          const desk::Policy* p) -> Result<RecordRun> {
                         OMBUD_ASSIGN_OR_RETURN(auto outcome, in.String("outcome", 1, 100000));
                         return RecordRun([=](store::WriteTx& tx, Id id) {
                           return desk::CloseEscalation(tx, actor, id, outcome, p);
                         });
                       }));
  router.Add(
      "POST", "/api/v1/records/{id}/decision", auth,
      on_record(
          {"accepted", "note"},
          [](const JsonInput& in, const Actor& actor, const desk::Policy* p) -> Result<RecordRun> {
            OMBUD_ASSIGN_OR_RETURN(auto accepted, in.OptBool("accepted"));
            if (!accepted) {
              return Fail(ErrorCode::kInvalidArgument, "accepted is required", "accepted");
            }
            OMBUD_ASSIGN_OR_RETURN(auto note, in.OptString("note", 10000));
            return RecordRun([=](store::WriteTx& tx, Id id) {
              return desk::DecideCompensation(tx, actor, id, *accepted, note.value_or(""), p);
            });
          }));
  router.Add("POST", "/api/v1/records/{id}/negotiated", auth,
             on_record(Fields{"outcome"},
                       [](const JsonInput& in, const Actor& actor,
                          const desk::Policy* p) -> Result<RecordRun> {
                         OMBUD_ASSIGN_OR_RETURN(auto outcome, in.String("outcome", 1, 100000));
                         return RecordRun([=](store::WriteTx& tx, Id id) {
                           return desk::RecordNegotiation(tx, actor, id, outcome, p);
                         });
                       }));

  router.Add("POST", "/api/v1/users/{id}/suspend", auth,
             [&store, forget_credentials](Request& req, Reply answer) {
               Reply reply = [forget_credentials, answer](Response r) {
                 forget_credentials();
                 answer(std::move(r));
               };
               auto id = ParseId(req.Param("id"), "id");
               if (!id) return reply(ErrorResponse(404, "not_found", "user not found"));
               Write(store, req, reply, 200, Fields{"reason"},
                     [&](const JsonInput& in) -> Result<WriteBody> {
                       OMBUD_ASSIGN_OR_RETURN(auto reason, in.String("reason", 1, 10000));
                       return WriteBody([actor = *req.actor, id = *id,
                                         reason](store::WriteTx& tx) -> Result<json::value> {
                         OMBUD_ASSIGN_OR_RETURN(auto released,
                                                desk::SuspendEmployee(tx, actor, id, reason));
                         return json::object{
                             {"user_id", id}, {"suspended", true}, {"tickets_released", released}};
                       });
                     });
             });

  router.Add("GET", "/api/v1/notifications", auth, [&store](Request& req, Reply reply) {
    const Actor actor = *req.actor;
    Id after = 0;
    if (auto a = req.Query("after")) {
      auto parsed = ParseId(*a, "after");
      if (!parsed) return reply(ErrorResponse(parsed.error()));
      after = *parsed;
    }
    AnswerRead(store, reply, [actor, after](store::ReadTx& tx) -> Result<json::value> {
      OMBUD_ASSIGN_OR_RETURN(
          auto list, tx.ListNotifications(actor.user_id.value_or(0),
                                          std::string(domain::Name(actor.role)), after, 200));
      json::array arr;
      for (const auto& n : list) {
        arr.push_back(json::object{{"id", n.id},
                                   {"ticket_id", n.ticket_id ? json::value(*n.ticket_id) : nullptr},
                                   {"kind", n.kind},
                                   {"message", n.message},
                                   {"created_at", FormatTime(n.created_at)}});
      }
      return json::object{{"notifications", std::move(arr)}};
    });
  });

  router.Add("GET", "/api/v1/pack", auth, [keep](Request&, Reply reply) {
    if (!keep) return reply(Json(200, json::object{{"pack", nullptr}}));
    const auto& pack = keep->pack();
    json::array types;
    for (const auto& t : pack.complaint_types) {
      json::array form;
      for (const auto& f : t.form) {
        form.push_back(json::object{
            {"name", f.name}, {"type", domain::Name(f.type)}, {"required", f.required}});
      }
      types.push_back(json::object{{"key", t.key},
                                   {"kind", domain::Name(t.kind)},
                                   {"category", t.category},
                                   {"form", std::move(form)}});
    }
    json::array departments;
    for (const auto& d : pack.departments) {
      departments.push_back(json::object{{"key", d.key},
                                         {"owner", d.owner},
                                         {"scope", json::array(d.scope.begin(), d.scope.end())}});
    }
    json::array clocks;
    for (const auto& c : pack.clocks) {
      clocks.push_back(json::object{{"name", c.definition.name},
                                    {"start", c.definition.start_event},
                                    {"stop", c.definition.stop_event},
                                    {"target", domain::DescribeTarget(c.definition.target)},
                                    {"rule", c.rule}});
    }
    reply(Json(200,
               json::object{{"pack", json::object{{"id", pack.id},
                                                  {"name", pack.name},
                                                  {"languages", json::array(pack.languages.begin(),
                                                                            pack.languages.end())},
                                                  {"complaint_types", std::move(types)},
                                                  {"departments", std::move(departments)},
                                                  {"clocks", std::move(clocks)}}}}));
  });

  if (test_clock != nullptr) {
    router.Add("GET", "/api/v1/_test/clock", auth, [&clock](Request& req, Reply reply) {
      if (!req.actor->IsAdmin())
        return reply(ErrorResponse(403, "permission_denied", "admin only"));
      reply(Json(200, json::object{{"now", FormatTime(NowMs(clock))}}));
    });
    router.Add(
        "POST", "/api/v1/_test/clock", auth, [&clock, test_clock](Request& req, Reply reply) {
          if (!req.actor->IsAdmin()) {
            return reply(ErrorResponse(403, "permission_denied", "admin only"));
          }
          auto in = JsonInput::Parse(req.body, {"set", "advance_seconds"});
          if (!in) return reply(ErrorResponse(in.error()));
          auto set = in->OptString("set", 40);
          auto advance = in->OptInt("advance_seconds", 0, 100LL * 365 * 86400);
          if (!set) return reply(ErrorResponse(set.error()));
          if (!advance) return reply(ErrorResponse(advance.error()));
          if (set->has_value() == advance->has_value()) {
            return reply(ErrorResponse(400, "invalid_argument",
                                       "give exactly one of set, advance_seconds", "set"));
          }
          if (*set) {
            auto at = domain::ParseInstant(**set);
            if (!at)
              return reply(ErrorResponse(400, "invalid_argument", at.error().message, "set"));
            test_clock->set(std::chrono::system_clock::time_point(at->time_since_epoch()));
          } else {
            test_clock->advance(std::chrono::seconds(**advance));
          }
          reply(Json(200, json::object{{"now", FormatTime(NowMs(clock))}}));
        });
  }
}

}  // namespace ombud::api
