#include "channels/phone/cti.hpp"

#include <gtest/gtest.h>

#include "channels/test_data.hpp"
#include "channels/text.hpp"

namespace ombud::channels::phone {
namespace {

TEST(Cti, ParsesADocumentedInboundCall) {
  const auto call = ParseCtiEvent(ReadChannelData("cti_inbound.json"));
  ASSERT_TRUE(call.has_value()) << call.error().message;
  EXPECT_EQ(call->call_id, "pbx-2026-03-01-000017");
  EXPECT_EQ(call->from, "+85512345678");
  EXPECT_EQ(call->to, "888");
  EXPECT_EQ(call->customer_number(), "+85512345678");
  EXPECT_EQ(call->direction, domain::Direction::kInbound);
  EXPECT_EQ(call->started_at, MillisFromCivil(2026, 3, 1, 1, 30, 0));
  EXPECT_EQ(call->ended_at, MillisFromCivil(2026, 3, 1, 1, 34, 12) + 500);
  EXPECT_EQ(call->agent_login, "sokha");
  EXPECT_EQ(call->outcome, CallOutcome::kAnswered);
  EXPECT_EQ(call->notes, "Customer says number was taken (R-SMT-2)");
  EXPECT_EQ(call->recording_url, "https://pbx.example/rec/17.wav");
}

TEST(Cti, MinimalOutboundCallInProgress) {
  const auto call = ParseCtiEvent(
      R"({"call_id":"c1","from":"1900","to":"0912 345 678","direction":"outbound","started_at":"2026-03-01T01:00:00Z","ended_at":null})");
  ASSERT_TRUE(call.has_value()) << call.error().message;
  EXPECT_EQ(call->customer_number(), "0912345678");
  EXPECT_FALSE(call->ended_at.has_value());
  EXPECT_EQ(call->outcome, CallOutcome::kUnknown);
}

TEST(Cti, ErrorsNameTheField) {
  const std::string base =
      R"("call_id":"c1","from":"1900","to":"0912","direction":"inbound","started_at":"2026-03-01T01:00:00Z")";
  const auto field = [&](const std::string& extra) {
    const auto r = ParseCtiEvent("{" + base + extra + "}");
    return r ? std::string("(ok)") : r.error().field;
  };
  EXPECT_EQ(field(""), "(ok)");
  EXPECT_EQ(field(R"(,"caller":"x")"), "caller");
  EXPECT_EQ(field(R"(,"ended_at":"2026-03-01T00:59:59Z")"), "ended_at");
  EXPECT_EQ(field(R"(,"ended_at":"yesterday")"), "ended_at");
  EXPECT_EQ(field(R"(,"outcome":"hung up")"), "outcome");
  EXPECT_EQ(field(R"(,"agent_login":7)"), "agent_login");
  EXPECT_EQ(field(R"(,"recording_url":"file:///etc/passwd")"), "recording_url");
  EXPECT_EQ(ParseCtiEvent(R"({"call_id":"c1"})").error().field, "from");
  EXPECT_EQ(ParseCtiEvent(R"({"call_id":"","from":"1"})").error().field, "call_id");
  EXPECT_EQ(ParseCtiEvent(R"({"call_id":"c","from":"abc","to":"1"})").error().field, "from");
  EXPECT_EQ(
      ParseCtiEvent(
          R"({"call_id":"c","from":"123","to":"456","direction":"sideways","started_at":"x"})")
          .error()
          .field,
      "direction");
  EXPECT_EQ(
      ParseCtiEvent(
          R"({"call_id":"c","from":"123","to":"456","direction":"inbound","started_at":"2026-02-30T00:00:00Z"})")
          .error()
          .field,
      "started_at");
  EXPECT_EQ(ParseCtiEvent("[1]").error().field, "body");
  EXPECT_EQ(ParseCtiEvent("{").error().field, "body");
  EXPECT_EQ(ParseCtiEvent("").error().field, "body");
}

TEST(Rfc3339, ParsesOffsetsAndFractions) {
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z", "t").value(), 0);
  EXPECT_EQ(ParseRfc3339("1970-01-01T07:00:00+07:00", "t").value(), 0);
  EXPECT_EQ(ParseRfc3339("1969-12-31T23:00:00-01:00", "t").value(), 0);
  EXPECT_EQ(ParseRfc3339("2026-03-01T08:30:00.123456Z", "t").value(),
            MillisFromCivil(2026, 3, 1, 8, 30, 0) + 123);
  EXPECT_FALSE(ParseRfc3339("2026-03-01T08:30:00", "t").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-03-01T24:00:00Z", "t").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-03-01T08:30:00Zjunk", "t").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-03-01T08:30:00.Z", "t").has_value());
}

}  // namespace
}  // namespace ombud::channels::phone
