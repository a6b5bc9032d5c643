#include "api/handler_support.hpp"

#include <algorithm>
#include <charconv>
#include <memory>

#include "store/audit_chain.hpp"

namespace ombud::api {

namespace json = boost::json;
using domain::Id;

Response Json(int status, const json::value& v) {
  return Response{status, json::serialize(v), "application/json", {}};
}

// Runs a read-only query and answers its JSON, or its error.
void AnswerRead(store::Store& store, const Reply& reply,
                const std::function<Result<json::value>(store::ReadTx&)>& fn) {
  json::value out;
  auto status = store.Read([&](store::ReadTx& tx) -> Status {
    OMBUD_ASSIGN_OR_RETURN(out, fn(tx));
    return {};
  });
  reply(status ? Json(200, out) : ErrorResponse(status.error()));
}

Result<Id> ParseId(std::string_view s, std::string_view field) {
  Id id = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc() || p != s.data() + s.size() || id <= 0) {
    return Fail(ErrorCode::kInvalidArgument, std::string(field) + " must be a positive integer",
                std::string(field));
  }
  return id;
}

Result<Id> ResolveTicketId(store::ReadTx& tx, std::string_view param) {
  if (param.starts_with("C-")) {
    OMBUD_ASSIGN_OR_RETURN(auto t, tx.GetTicketByNumber(std::string(param)));
    return t.id;
  }
  auto id = ParseId(param, "id");
  if (!id) return Fail(ErrorCode::kNotFound, "ticket not found");
  return id;
}

// Runs `fn` as one durable write and answers `success` with its JSON. With an
// Idempotency-Key the first answer is stored in the same transaction and replayed after.
std::string SessionCookie(std::string_view token) {
  return std::string(kSessionCookie) + "=" + std::string(token) +
         "; HttpOnly; SameSite=Strict; Path=/; Max-Age=" + std::to_string(kSessionMillis / 1000);
}

void Commit(store::Store& store, const Request& req, const Reply& reply, int success,
            WriteBody fn) {
  CommitText(store, req, reply, success,
             [fn = std::move(fn)](store::WriteTx& tx) -> Result<std::string> {
               OMBUD_ASSIGN_OR_RETURN(auto value, fn(tx));
               return value.is_null() ? std::string() : json::serialize(value);
             });
}

void CommitText(store::Store& store, const Request& req, const Reply& reply, int success,
                WriteText fn) {
  const std::string key(req.header("Idempotency-Key"));
  if (key.size() > 128 ||
      std::any_of(key.begin(), key.end(), [](char c) { return c < 0x21 || c > 0x7e; })) {
    return reply(ErrorResponse(400, "invalid_argument",
                               "Idempotency-Key must be 1 to 128 printable ASCII characters",
                               "Idempotency-Key"));
  }
  const std::string principal = req.actor ? req.actor->audit_name : "anonymous";
  const std::string fingerprint =
      key.empty() ? std::string() : store::HashHex(req.method + " " + req.target + "\n" + req.body);
  auto out = std::make_shared<Response>();
  store.Write(
      [key, principal, fingerprint, out, success,
       fn = std::move(fn)](store::WriteTx& tx) -> Status {
        if (!key.empty()) {
          OMBUD_ASSIGN_OR_RETURN(auto prior, tx.FindIdempotent(principal, key));
          if (prior) {
            if (std::string(prior->fingerprint.begin(), prior->fingerprint.end()) != fingerprint) {
              return Fail(ErrorCode::kConflict, "Idempotency-Key was used with a different request",
                          "Idempotency-Key");
            }
            *out = Response{prior->status,
                            std::move(prior->body),
                            "application/json",
                            {{"Idempotent-Replay", "true"}}};
            return {};
          }
        }
        OMBUD_ASSIGN_OR_RETURN(auto text, fn(tx));
        *out = Response{success, std::move(text), "application/json", {}};
        if (!key.empty()) {
          store::StoredResponse stored{
              {fingerprint.begin(), fingerprint.end()}, out->status, out->body};
          OMBUD_RETURN_IF_ERROR(tx.SaveIdempotent(principal, key, stored));
        }
        return {};
      },
      [out, reply](Status s) { reply(s ? std::move(*out) : ErrorResponse(s.error())); });
}

}  // namespace ombud::api
