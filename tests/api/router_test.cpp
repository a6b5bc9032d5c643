#include "api/router.hpp"

#include <gtest/gtest.h>

namespace ombud::api {
namespace {

TEST(Router, MatchesPatternsAndExtractsParams) {
  Router r;
  r.Add("GET", "/api/v1/tickets", Access::kAuthenticated, [](Request&, Reply) {});
  r.Add("GET", "/api/v1/tickets/{id}", Access::kAuthenticated, [](Request&, Reply) {});
  r.Add("POST", "/api/v1/tickets/{id}/state", Access::kAuthenticated, [](Request&, Reply) {});
  auto m = r.Find("GET", "/api/v1/tickets/C-2026-000001");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/tickets/{id}");
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0].second, "C-2026-000001");

  auto wrong_method = r.Find("DELETE", "/api/v1/tickets/7");
  EXPECT_EQ(wrong_method.route, nullptr);
  EXPECT_TRUE(wrong_method.path_known);

  auto unknown = r.Find("GET", "/api/v1/nothing");
  EXPECT_EQ(unknown.route, nullptr);
  EXPECT_FALSE(unknown.path_known);
  EXPECT_EQ(r.Find("GET", "/api/v1/tickets/").route, nullptr);
}

TEST(ErrorTable, MapsEveryCodeToOneStatus) {
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kConflict), 409);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kFailedPrecondition), 422);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInternal), 500);
  auto r = ErrorResponse(Error{ErrorCode::kNotFound, "ticket not found", "id"});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"error":{"code":"not_found","message":"ticket not found","field":"id"}})");
}

}  // namespace
}  // namespace ombud::api
