#include <set>
#include <string>

#include <gtest/gtest.h>

#include "integration/server_test.hpp"

namespace ombud::test {
namespace {

using CustomersTest = ServerTest;

std::string CustomerPath(std::int64_t id) { return "/api/v1/customers/" + std::to_string(id); }

std::set<std::string> IdentitySet(const boost::json::value& customer) {
  std::set<std::string> identities;
  for (const auto& identity : ArrayAt(customer, "identities")) {
    identities.insert(StrAt(identity, "kind") + ":" + StrAt(identity, "value"));
  }
  return identities;
}

TEST_F(CustomersTest, CreatesCustomerAndFindsItByNormalisedPhone) {
  const Response created = admin().Post(
      "/api/v1/customers",
      boost::json::object{{"name", "Sok Dara"}, {"language", "km"}, {"phone", "+85512345678"}});
  ASSERT_EQ(created.status, 201) << Describe(created);
  const auto json = created.Json();
  const std::int64_t id = IntAt(json, "id");
  EXPECT_GT(id, 0);
  EXPECT_EQ(StrAt(json, "name"), "Sok Dara");
  EXPECT_EQ(StrAt(json, "language"), "km");
  EXPECT_TRUE(IsNullAt(json, "merged_into"));
  EXPECT_EQ(IdentitySet(json), (std::set<std::string>{"phone:+85512345678"}));

  const Response found = admin().Get("/api/v1/customers?phone=" + UrlEncode("+855 12-345 678"));
  ASSERT_EQ(found.status, 200) << Describe(found);
  EXPECT_EQ(IntAt(found.Json(), "id"), id);

  const Response by_id = admin().Get(CustomerPath(id));
  ASSERT_EQ(by_id.status, 200) << Describe(by_id);
  EXPECT_EQ(by_id.Json(), json);
}

TEST_F(CustomersTest, StoresPhoneNormalisedAndFindsEmailIgnoringCase) {
  const Response created =
      admin().Post("/api/v1/customers", boost::json::object{{"name", "Tran Thi Binh"},
                                                            {"phone", "+84 90-123 4567"},
                                                            {"email", "Binh.Tran@Example.com"}});
  ASSERT_EQ(created.status, 201) << Describe(created);
  const std::int64_t id = IntAt(created.Json(), "id");
  EXPECT_EQ(IdentitySet(created.Json()),
            (std::set<std::string>{"phone:+84901234567", "email:binh.tran@example.com"}));

  const Response by_phone = admin().Get("/api/v1/customers?phone=" + UrlEncode("+84901234567"));
  ASSERT_EQ(by_phone.status, 200) << Describe(by_phone);
  EXPECT_EQ(IntAt(by_phone.Json(), "id"), id);
  const Response by_email =
      admin().Get("/api/v1/customers?email=" + UrlEncode("binh.tran@EXAMPLE.com"));
  ASSERT_EQ(by_email.status, 200) << Describe(by_email);
  EXPECT_EQ(IntAt(by_email.Json(), "id"), id);

  const Response none = admin().Get("/api/v1/customers?phone=" + UrlEncode("+85599999999"));
  EXPECT_EQ(none.status, 404) << Describe(none);
  EXPECT_EQ(none.ErrorCode(), "not_found");
  const Response missing = admin().Get(CustomerPath(id + 100));
  EXPECT_EQ(missing.status, 404) << Describe(missing);
}

TEST_F(CustomersTest, AddsIdentityAndRejectsOneThatBelongsToAnotherCustomer) {
  const std::int64_t first = CreateCustomer("First", "+85520000001");
  const std::int64_t second = CreateCustomer("Second", "+85520000002");
  ASSERT_GT(first, 0);
  ASSERT_GT(second, 0);

  const Response added =
      admin().Post(CustomerPath(first) + "/identities",
                   boost::json::object{{"kind", "account"}, {"value", "ACC-0001"}});
  ASSERT_EQ(added.status, 201) << Describe(added);
  EXPECT_EQ(IntAt(added.Json(), "id"), first);
  EXPECT_EQ(IdentitySet(added.Json()),
            (std::set<std::string>{"phone:+85520000001", "account:ACC-0001"}));
  const Response found = admin().Get("/api/v1/customers?account=ACC-0001");
  ASSERT_EQ(found.status, 200) << Describe(found);
  EXPECT_EQ(IntAt(found.Json(), "id"), first);

  const Response taken =
      admin().Post(CustomerPath(second) + "/identities",
                   boost::json::object{{"kind", "phone"}, {"value", "+855 20 000 001"}});
  EXPECT_EQ(taken.status, 409) << Describe(taken);
  EXPECT_EQ(taken.ErrorCode(), "already_exists");

  const Response duplicate = admin().Post(
      "/api/v1/customers", boost::json::object{{"name", "Copy"}, {"phone", "+85520000002"}});
  EXPECT_EQ(duplicate.status, 409) << Describe(duplicate);
  EXPECT_EQ(duplicate.ErrorCode(), "already_exists");

  // Neither conflict changed anything.
  EXPECT_EQ(IdentitySet(admin().Get(CustomerPath(second)).Json()),
            (std::set<std::string>{"phone:+85520000002"}));
}

TEST_F(CustomersTest, MergeMovesIdentitiesAndTickets) {
  const std::int64_t into = CreateCustomer("Keeper", "+85530000001");
  const std::int64_t from = CreateCustomer("Duplicate", "+85530000002");
  const auto kept_ticket = CreateTicket(into, "kept");
  const auto moved_ticket = CreateTicket(from, "moved");
  ASSERT_FALSE(kept_ticket.is_null());
  ASSERT_FALSE(moved_ticket.is_null());

  const Response merged =
      admin().Post(CustomerPath(into) + "/merge", boost::json::object{{"from_customer_id", from}});
  ASSERT_EQ(merged.status, 200) << Describe(merged);
  EXPECT_EQ(IntAt(merged.Json(), "id"), into);
  EXPECT_EQ(IdentitySet(merged.Json()),
            (std::set<std::string>{"phone:+85530000001", "phone:+85530000002"}));

  const Response old = admin().Get(CustomerPath(from));
  ASSERT_EQ(old.status, 200) << Describe(old);
  EXPECT_EQ(IntAt(old.Json(), "merged_into"), into);

  const Response by_old_phone = admin().Get("/api/v1/customers?phone=" + UrlEncode("+85530000002"));
  ASSERT_EQ(by_old_phone.status, 200) << Describe(by_old_phone);
  EXPECT_EQ(IntAt(by_old_phone.Json(), "id"), into);

  const auto tickets = ListAllTickets(admin(), "customer_id=" + std::to_string(into));
  std::set<std::string> subjects;
  for (const auto& ticket : tickets) subjects.insert(StrAt(ticket, "subject"));
  EXPECT_EQ(subjects, (std::set<std::string>{"kept", "moved"}));
  EXPECT_EQ(ListAllTickets(admin(), "customer_id=" + std::to_string(from)).size(), 0u);
  EXPECT_EQ(
      IntAt(admin().Get("/api/v1/tickets/" + std::to_string(IntAt(moved_ticket, "id"))).Json(),
            "ticket.customer_id"),
      into);

  const Response missing = admin().Post(CustomerPath(into) + "/merge",
                                        boost::json::object{{"from_customer_id", from + 1000}});
  EXPECT_EQ(missing.status, 404) << Describe(missing);
}

}  // namespace
}  // namespace ombud::test
