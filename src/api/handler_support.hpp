#pragma once

#include <boost/json.hpp>

#include <functional>
#include <string_view>

#include "api/http_types.hpp"
#include "domain/model.hpp"
#include "store/store.hpp"

// Shared pieces of the route handlers.
namespace ombud::api {

inline constexpr std::string_view kSessionCookie = "ombud_session";
inline constexpr std::int64_t kSessionMillis = 12LL * 3600 * 1000;

// The Set-Cookie value that opens a session with `token` (kSessionMillis long).
std::string SessionCookie(std::string_view token);

using WriteBody = std::function<Result<boost::json::value>(store::WriteTx&)>;
// A write that returns its answer already serialized ("" for no body).
using WriteText = std::function<Result<std::string>(store::WriteTx&)>;

Response Json(int status, const boost::json::value& v);

// Runs a read-only query and answers its JSON (200), or its error.
void AnswerRead(store::Store& store, const Reply& reply,
                const std::function<Result<boost::json::value>(store::ReadTx&)>& fn);

// A positive integer path or query parameter; errors name `field`.
Result<domain::Id> ParseId(std::string_view s, std::string_view field);

// A ticket's id from its numeric id or its number (C-2026-000123).
Result<domain::Id> ResolveTicketId(store::ReadTx& tx, std::string_view param);

// Runs `fn` as one durable write and answers `success` with its JSON (204 bodies: null). With
// an Idempotency-Key the first answer is stored in the same transaction and replayed after.
void Commit(store::Store& store, const Request& req, const Reply& reply, int success, WriteBody fn);
// The same for a write that serializes its own answer (hot routes: no json::value is built on
// the writer thread).
void CommitText(store::Store& store, const Request& req, const Reply& reply, int success,
                WriteText fn);

}  // namespace ombud::api
