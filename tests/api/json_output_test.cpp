#include "api/json_output.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace ombud::api {
namespace {

std::string Direct(const domain::Ticket& t) {
  std::string out;
  AppendJson(out, t);
  return out;
}

TEST(JsonOutput, FormatTimeIsRfc3339WithMilliseconds) {
  EXPECT_EQ(FormatTime(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTime(1'795'321'811'123), "2026-11-22T04:30:11.123Z");
  EXPECT_EQ(FormatTime(951'782'400'000 - 1), "2000-02-28T23:59:59.999Z");
  EXPECT_EQ(FormatTime(951'868'800'000), "2000-03-01T00:00:00.000Z");  // After 29 February.
  EXPECT_EQ(FormatTime(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatTime(253'402'300'799'999), "9999-12-31T23:59:59.999Z");
}

TEST(JsonOutput, DirectTicketJsonEqualsTheJsonValue) {
  domain::Ticket t;
  t.id = 42;
  t.number = "C-2026-000042";
  t.customer_id = 7;
  t.subject = "Quote \" backslash \\ tab \t newline \n bell \x07 del \x7f";
  t.category = "Mạng di động";  // UTF-8 passes through.
  t.product = "ស្មាត";
  t.incident_date = "2026-11-20";
  t.created_at = 1'795'321'811'123;
  t.updated_at = 1'795'321'899'001;
  t.complaint_type = "billing";
  t.language = "vi";
  EXPECT_EQ(Direct(t), boost::json::serialize(ToJson(t)));

  t.department_id = 3;
  t.owner_id = 12;
  t.state = domain::TicketState::kOpen;
  // Stored as the API stores it: serialized by boost::json.
  t.custom_fields_json = boost::json::serialize(
      boost::json::parse(R"({"contract":"HD-1","amount":12.5,"tags":["a"]})"));
  t.flags_json = R"({"out_of_window":true})";
  EXPECT_EQ(Direct(t), boost::json::serialize(ToJson(t)));

  t.custom_fields_json = "";
  t.flags_json = "{}";
  const auto parsed = boost::json::parse(Direct(t));
  EXPECT_TRUE(parsed.at("custom_fields").as_object().empty());
  EXPECT_EQ(parsed.at("subject").as_string(), t.subject);
}

TEST(JsonOutput, WorstCaseEscapingFitsAndMatches) {
  // Every byte a control character: each is written as \u00XX, six times its size.
  std::string controls;
  for (int i = 0; i < 300; ++i) controls += static_cast<char>(i % 0x20);
  domain::Ticket t;
  t.id = -9'223'372'036'854'775'807 - 1;
  t.customer_id = 9'223'372'036'854'775'807;
  t.number = t.subject = t.category = t.product = t.incident_date = t.complaint_type = t.language =
      controls;
  t.department_id = -1;
  t.created_at = 253'402'300'800'000;  // Year 10000: outside RFC 3339.
  EXPECT_EQ(Direct(t), boost::json::serialize(ToJson(t)));
  std::string out = "prefix:";
  AppendJsonString(out, controls);
  EXPECT_EQ(out, "prefix:" + boost::json::serialize(boost::json::value(controls)));
  EXPECT_EQ(FormatTime(t.created_at), "0000-01-01T00:00:00.000Z");
}

TEST(JsonOutput, DirectArticleAndCustomerJsonEqualTheJsonValue) {
  domain::Article a;
  a.id = 5;
  a.ticket_id = 42;
  a.direction = domain::Direction::kOutbound;
  a.channel = domain::Channel::kSms;
  a.author_user_id = 3;
  a.body = "Xin chào \"khách\"\n\x01 ស្មាត";
  a.created_at = 1'795'321'811'123;
  const auto direct = [](const auto& v) {
    std::string out = "[";
    AppendJson(out, v);
    return out;
  };
  EXPECT_EQ(direct(a), "[" + boost::json::serialize(ToJson(a)));
  a.author_customer_id = 9;
  a.attachments = {{1, "bill \"1\".pdf", "application/pdf", 1234, "ab12"},
                   {2, "x\ty.png", "image/png", 0, "cd34"}};
  a.delivery = "sent";
  a.delivery_report = "delivered\x02";
  EXPECT_EQ(direct(a), "[" + boost::json::serialize(ToJson(a)));

  domain::Customer c;
  c.id = 7;
  c.name = "Nguyễn \"An\"\x1f";
  c.language = "vi";
  c.created_at = 1'795'321'899'001;
  EXPECT_EQ(direct(c), "[" + boost::json::serialize(ToJson(c)));
  c.identities = {{domain::IdentityKind::kPhone, "+85512345678"},
                  {domain::IdentityKind::kEmail, "an@example.com"}};
  c.merged_into = 11;
  EXPECT_EQ(direct(c), "[" + boost::json::serialize(ToJson(c)));
}

}  // namespace
}  // namespace ombud::api
