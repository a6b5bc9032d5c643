#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "integration/server_test.hpp"

namespace ombud::test {
namespace {

using std::chrono::seconds;

constexpr int kReadTimeoutSeconds = 2;

// Strict input: every bad request is refused, writes nothing and leaves the server healthy.
class BadInputTest : public ServerTest {
 protected:
  std::vector<std::string> ExtraArgs() const override {
    return {"--read-timeout", std::to_string(kReadTimeoutSeconds)};
  }

  void SetUp() override {
    ServerTest::SetUp();
    if (HasFatalFailure()) return;
    customer_id_ = CreateCustomer("Baseline", "+85550000000");
    ASSERT_FALSE(CreateTicket(customer_id_, "baseline").is_null());
    tickets_before_ = ListAllTickets(admin()).size();
  }

  // Nothing was written and the server still answers.
  void ExpectUnharmed() {
    HttpClient client = NewClient();
    const Response health = client.Get("/healthz");
    EXPECT_EQ(health.status, 200) << Describe(health);
    EXPECT_EQ(StrAt(health.Json(), "status"), "ok");
    HttpClient reader = NewClient();
    reader.UseBearer(admin().bearer());
    EXPECT_EQ(ListAllTickets(reader).size(), tickets_before_) << "a refused request wrote";
  }

  // POSTs `body` verbatim as a new ticket and expects 400 naming `field` (when not empty).
  void ExpectRejected(const std::string& body, const std::string& field) {
    SCOPED_TRACE(body.substr(0, 200));
    const Response response = admin().Request("POST", "/api/v1/tickets", body);
    EXPECT_EQ(response.status, 400) << Describe(response);
    EXPECT_EQ(response.ErrorCode(), "invalid_argument") << Describe(response);
    if (!field.empty()) {
      EXPECT_EQ(response.ErrorField(), field) << Describe(response);
    }
  }

  // A valid ticket body with `member` (`"name":value`) added or replacing one.
  std::string BodyWith(const std::string& member) const {
    return R"({"customer_id":)" + std::to_string(customer_id_) +
           R"(,"channel":"phone","body":"text",)" + member + "}";
  }

  // Request line, Host and the admin's Authorization header, without the final blank line.
  std::string RawHead(std::string_view method, std::string_view target) {
    return std::string(method) + " " + std::string(target) +
           " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(server().port()) +
           "\r\nAuthorization: Bearer " + admin().bearer() + "\r\n";
  }

  std::int64_t customer_id_ = 0;
  std::size_t tickets_before_ = 0;
};

TEST_F(BadInputTest, MalformedJsonIs400) {
  ExpectRejected(R"({"customer_id":1,"channel":"phone","subject":)", "");
  ExpectRejected(R"({"subject":"a" "body":"b"})", "");
  ExpectRejected("", "");
  ExpectRejected(BodyWith(R"("subject":"trailing")") + " garbage", "");
  ExpectUnharmed();
}

TEST_F(BadInputTest, BodyThatIsNotAnObjectIs400) {
  ExpectRejected(R"(["subject","body"])", "");
  ExpectRejected(R"("a string")", "");
  ExpectRejected("42", "");
  ExpectRejected("null", "");
  ExpectUnharmed();
}

TEST_F(BadInputTest, WrongTypesAre400NamingTheField) {
  ExpectRejected(BodyWith(R"("subject":42)"), "subject");
  ExpectRejected(BodyWith(R"("subject":null)"), "subject");
  ExpectRejected(BodyWith(R"("subject":"ok","department_id":"3")"), "department_id");
  ExpectRejected(BodyWith(R"("subject":"ok","custom_fields":[1])"), "custom_fields");
  ExpectRejected(BodyWith(R"("subject":"ok","attachments":{})"), "attachments");
  ExpectRejected(R"({"customer_id":"1","channel":"phone","subject":"s","body":"b"})",
                 "customer_id");
  ExpectUnharmed();
}

TEST_F(BadInputTest, UnknownFieldsAre400NamingTheField) {
  ExpectRejected(BodyWith(R"("subject":"ok","colour":"red")"), "colour");
  const Response nested = admin().Request(
      "POST", "/api/v1/tickets",
      R"({"customer":{"name":"N","phone":"+85550000009","age":3},"channel":"phone","subject":"s","body":"b"})");
  EXPECT_EQ(nested.status, 400) << Describe(nested);
  EXPECT_NE(nested.ErrorField().find("age"), std::string::npos) << Describe(nested);
  const Response user = admin().Request(
      "POST", "/api/v1/users",
      R"({"login":"u1","display_name":"U","role":"agent","password":"long-enough-pw","admin":true})");
  EXPECT_EQ(user.status, 400) << Describe(user);
  EXPECT_EQ(user.ErrorField(), "admin");
  ExpectUnharmed();
}

TEST_F(BadInputTest, OutOfRangeValuesAre400NamingTheField) {
  ExpectRejected(BodyWith(R"("subject":"")"), "subject");
  ExpectRejected(BodyWith(R"("subject":")" + std::string(301, 's') + "\""), "subject");
  ExpectRejected(R"({"customer_id":)" + std::to_string(customer_id_) +
                     R"(,"channel":"phone","subject":"s","body":""})",
                 "body");
  ExpectRejected(R"({"customer_id":)" + std::to_string(customer_id_) +
                     R"(,"channel":"fax","subject":"s","body":"b"})",
                 "channel");
  ExpectRejected(BodyWith(R"("subject":"ok","kind":"rant")"), "kind");
  ExpectRejected(BodyWith(R"("subject":"ok","incident_date":"2999-01-01")"), "incident_date");
  ExpectRejected(BodyWith(R"("subject":"ok","incident_date":"2026-02-30")"), "incident_date");
  ExpectRejected(BodyWith(R"("subject":"ok","product":")" + std::string(101, 'p') + "\""),
                 "product");
  std::string many = R"("subject":"ok","custom_fields":{)";
  for (int i = 0; i < 65; ++i) many += (i ? "," : "") + ("\"k" + std::to_string(i) + "\":1");
  ExpectRejected(BodyWith(many + "}"), "custom_fields");

  for (const char* limit : {"0", "201", "-1", "abc"}) {
    const Response list = admin().Get(std::string("/api/v1/tickets?limit=") + limit);
    EXPECT_EQ(list.status, 400) << "limit=" << limit << ": " << Describe(list);
    EXPECT_EQ(list.ErrorField(), "limit") << Describe(list);
  }
  ExpectUnharmed();
}

TEST_F(BadInputTest, InvalidUtf8InsideAJsonStringIs400) {
  ExpectRejected(BodyWith("\"subject\":\"bad \xC3\x28 byte\""), "");
  ExpectRejected(BodyWith("\"subject\":\"lone \xFF byte\""), "");
  ExpectRejected(BodyWith("\"subject\":\"overlong \xC0\xAF slash\""), "");
  ExpectRejected(BodyWith("\"subject\":\"cut \xE1\x9E\""), "");
  ExpectRejected(BodyWith("\"subject\":\"surrogate \xED\xA0\x80 bytes\""), "");
  // Valid multi-byte text (Khmer, Vietnamese) is accepted.
  const Response ok = admin().Request(
      "POST", "/api/v1/tickets",
      BodyWith("\"subject\":\"\xE1\x9E\x80\xE1\x9E\xB6 Ti\xE1\xBA\xBFng Vi\xE1\xBB\x87t\""));
  EXPECT_EQ(ok.status, 201) << Describe(ok);
  EXPECT_EQ(StrAt(ok.Json(), "ticket.subject"),
            "\xE1\x9E\x80\xE1\x9E\xB6 Ti\xE1\xBA\xBFng Vi\xE1\xBB\x87t");
  ++tickets_before_;
  ExpectUnharmed();
}

TEST_F(BadInputTest, BodyOverOneMebibyteIs413OrClosed) {
  const std::string filler(1024 * 1024 + 1024, 'x');
  const std::string body = BodyWith(R"("subject":")" + filler + "\"");
  Connection connection;
  ASSERT_TRUE(connection.Connect(server().port()));
  const std::string request =
      RawHead("POST", "/api/v1/tickets") +
      "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body;
  // The server may stop reading and close before everything is sent.
  (void)connection.Send(request, seconds(10));
  const Response response = connection.ReadResponse(seconds(10));
  if (response.status != 0) {
    EXPECT_EQ(response.status, 413) << Describe(response);
    EXPECT_EQ(response.ErrorCode(), "payload_too_large") << Describe(response);
    EXPECT_TRUE(connection.WaitClosed(seconds(10))) << "connection kept open after 413";
  } else {
    EXPECT_FALSE(connection.connected()) << Describe(response);
  }
  ExpectUnharmed();
}

TEST_F(BadInputTest, DeclaredLengthOverOneMebibyteIsRefusedBeforeTheBody) {
  Connection connection;
  ASSERT_TRUE(connection.Connect(server().port()));
  ASSERT_TRUE(connection.Send(RawHead("POST", "/api/v1/tickets") +
                                  "Content-Type: application/json\r\nContent-Length: " +
                                  std::to_string(64 * 1024 * 1024) + "\r\n\r\n{",
                              seconds(10)));
  const Response response = connection.ReadResponse(seconds(10));
  if (response.status != 0) {
    EXPECT_EQ(response.status, 413) << Describe(response);
    EXPECT_TRUE(connection.WaitClosed(seconds(10)));
  } else {
    EXPECT_EQ(response.transport_error, "closed") << Describe(response);
  }
  ExpectUnharmed();
}

TEST_F(BadInputTest, ChunkedBodyOverOneMebibyteIs413OrClosed) {
  Connection connection;
  ASSERT_TRUE(connection.Connect(server().port()));
  std::string request = RawHead("POST", "/api/v1/tickets") +
                        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string chunk(64 * 1024, ' ');
  for (int i = 0; i < 20; ++i) request += "10000\r\n" + chunk + "\r\n";
  request += "0\r\n\r\n";
  (void)connection.Send(request, seconds(10));
  const Response response = connection.ReadResponse(seconds(10));
  if (response.status != 0) {
    EXPECT_EQ(response.status, 413) << Describe(response);
  } else {
    EXPECT_FALSE(connection.connected()) << Describe(response);
  }
  ExpectUnharmed();
}

TEST_F(BadInputTest, HeadersOverEightKibibytesAre431OrClosed) {
  Connection connection;
  ASSERT_TRUE(connection.Connect(server().port()));
  const std::string body = BodyWith(R"("subject":"big headers")");
  const std::string request =
      RawHead("POST", "/api/v1/tickets") + "X-Filler: " + std::string(9 * 1024, 'h') +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body;
  (void)connection.Send(request, seconds(10));
  const Response response = connection.ReadResponse(seconds(10));
  if (response.status != 0) {
    EXPECT_EQ(response.status, 431) << Describe(response);
  } else {
    EXPECT_FALSE(connection.connected()) << Describe(response);
  }
  ExpectUnharmed();
}

TEST_F(BadInputTest, StalledRequestIsDisconnectedWithoutBlockingOthers) {
  const auto started = std::chrono::steady_clock::now();
  Connection body_stall;
  ASSERT_TRUE(body_stall.Connect(server().port()));
  ASSERT_TRUE(body_stall.Send(RawHead("POST", "/api/v1/tickets") +
                                  "Content-Type: application/json\r\nContent-Length: 200\r\n\r\n"
                                  R"({"customer_id":)" +
                                  std::to_string(customer_id_) + R"(,"channel":"phone","subj)",
                              seconds(5)));
  Connection header_stall;
  ASSERT_TRUE(header_stall.Connect(server().port()));
  ASSERT_TRUE(
      header_stall.Send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Partial: ", seconds(5)));

  // Other clients are served meanwhile.
  HttpClient other = NewClient();
  const Response health = other.Get("/healthz");
  EXPECT_EQ(health.status, 200) << Describe(health);

  EXPECT_TRUE(body_stall.WaitClosed(seconds(kReadTimeoutSeconds + 20)))
      << "a request stalled in its body was not disconnected";
  EXPECT_TRUE(header_stall.WaitClosed(seconds(kReadTimeoutSeconds + 20)))
      << "a request stalled in its headers was not disconnected";
  EXPECT_GE(std::chrono::steady_clock::now() - started, seconds(kReadTimeoutSeconds) / 2)
      << "disconnected before the read timeout";
  ExpectUnharmed();
}

TEST_F(BadInputTest, UnknownRouteIs404AndWrongMethodIs405) {
  const Response unknown = admin().Get("/api/v1/no-such-thing");
  EXPECT_EQ(unknown.status, 404) << Describe(unknown);
  EXPECT_EQ(unknown.ErrorCode(), "not_found");
  const Response put = admin().Request("PUT", "/api/v1/tickets", BodyWith(R"("subject":"put")"));
  EXPECT_EQ(put.status, 405) << Describe(put);
  EXPECT_EQ(put.ErrorCode(), "method_not_allowed");
  const Response del = admin().Delete("/api/v1/tickets/1");
  EXPECT_EQ(del.status, 405) << Describe(del);
  EXPECT_EQ(del.ErrorCode(), "method_not_allowed");
  ExpectUnharmed();
}

}  // namespace
}  // namespace ombud::test
