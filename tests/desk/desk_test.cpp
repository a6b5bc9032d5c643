#include "desk/desk.hpp"

#include <sqlite3.h>

#include "store/store_fixture.hpp"

namespace ombud::desk {
namespace {

using domain::Channel;
using domain::IdentityKind;
using domain::TicketState;

class DeskTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    domain::User u;
    u.login = "agent";
    u.display_name = "Agent";
    ASSERT_TRUE(store_->WriteSync([&](store::WriteTx& tx) -> Status {
      OMBUD_ASSIGN_OR_RETURN(u, CreateUser(tx, SystemActor("test"), u, "hash"));
      return {};
    }));
    agent_ = Actor{"user:" + std::to_string(u.id), domain::Role::kAgent, u.id, std::nullopt};
  }

  Actor agent_;

  TicketCreated Create(CreateTicketCmd cmd, const Actor& actor) {
    TicketCreated out;
    auto s = store_->WriteSync([&](store::WriteTx& tx) -> Status {
      OMBUD_ASSIGN_OR_RETURN(out, CreateTicket(tx, actor, cmd));
      return {};
    });
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    return out;
  }
  CreateTicketCmd Complaint(std::vector<domain::Identity> identities, Channel channel) {
    CreateTicketCmd cmd;
    cmd.customer = NewCustomer{"Sok Dara", "km", std::move(identities)};
    cmd.channel = channel;
    cmd.subject = "Charged twice";
    cmd.body = "I was charged twice for my data package.";
    return cmd;
  }
  std::int64_t Count(const std::string& table) {
    sqlite3* db = nullptr;
    sqlite3_open(path().c_str(), &db);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, ("SELECT COUNT(*) FROM " + table).c_str(), -1, &st, nullptr);
    sqlite3_step(st);
    const auto n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
  }
};

TEST_F(DeskTest, IntakeFindsTheCustomerByAnyIdentityAndLearnsNewOnes) {
  auto first = Create(Complaint({{IdentityKind::kPhone, "+85512345678"}}, Channel::kPhone), agent_);
  auto second = Create(
      Complaint({{IdentityKind::kEmail, "dara@example.kh"}, {IdentityKind::kPhone, "+85512345678"}},
                Channel::kEmail),
      agent_);
  EXPECT_EQ(first.customer.id, second.customer.id);
  EXPECT_EQ(second.customer.identities.size(), 2u);
  EXPECT_EQ(second.ticket.state, TicketState::kNew);
  EXPECT_EQ(second.article.direction, domain::Direction::kInbound);
  EXPECT_EQ(Count("customers"), 1);
}

TEST_F(DeskTest, IntakeQueuesTheAcknowledgementInTheSameTransaction) {
  auto created =
      Create(Complaint({{IdentityKind::kEmail, "dara@example.kh"}}, Channel::kEmail), agent_);
  EXPECT_EQ(Count("outbox"), 1);
  sqlite3* db = nullptr;
  sqlite3_open(path().c_str(), &db);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT channel, recipient, dedupe_key FROM outbox", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "email");
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 1)), "dara@example.kh");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 2))),
            "ack:" + created.ticket.number);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

TEST_F(DeskTest, ACustomerFilesOnlyForThemself) {
  auto created = Create(Complaint({{IdentityKind::kPhone, "+85599000111"}}, Channel::kWeb), agent_);
  const Actor customer{"customer:1", domain::Role::kCustomer, 99, created.customer.id};
  CreateTicketCmd other = Complaint({{IdentityKind::kPhone, "+85599000222"}}, Channel::kWeb);
  auto refused = store_->WriteSync([&](store::WriteTx& tx) -> Status {
    OMBUD_RETURN_IF_ERROR(CreateTicket(tx, customer, other));
    return {};
  });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
  CreateTicketCmd own;
  own.channel = Channel::kWeb;
  own.subject = "Again";
  own.body = "Still charged twice.";
  auto mine = Create(own, customer);
  EXPECT_EQ(mine.ticket.customer_id, created.customer.id);
  EXPECT_EQ(Count("tickets"), 2);
}

// R-MET-5: the customer's reply to a request for information resumes the work.
TEST_F(DeskTest, InboundReplyReopensATicketWaitingForTheCustomer) {
  auto created =
      Create(Complaint({{IdentityKind::kPhone, "+85512000001"}}, Channel::kPhone), agent_);
  ASSERT_TRUE(store_->WriteSync([&](store::WriteTx& tx) -> Status {
    OMBUD_RETURN_IF_ERROR(ChangeState(tx, agent_, created.ticket.id, TicketState::kPendingCustomer,
                                      "need the invoice"));
    return {};
  }));
  const Actor customer{"customer:1", domain::Role::kCustomer, std::nullopt, created.customer.id};
  ASSERT_TRUE(store_->WriteSync([&](store::WriteTx& tx) -> Status {
    AddArticleCmd reply;
    reply.body = "Here is the invoice.";
    OMBUD_RETURN_IF_ERROR(AddArticle(tx, customer, created.ticket.id, reply));
    return {};
  }));
  ASSERT_TRUE(store_->Read([&](store::ReadTx& tx) -> Status {
    OMBUD_ASSIGN_OR_RETURN(auto t, tx.GetTicket(created.ticket.id));
    EXPECT_EQ(t.state, TicketState::kOpen);
    return {};
  }));
}

TEST_F(DeskTest, AForbiddenTransitionChangesNothing) {
  auto created =
      Create(Complaint({{IdentityKind::kPhone, "+85512000002"}}, Channel::kPhone), agent_);
  ASSERT_TRUE(store_->WriteSync([&](store::WriteTx& tx) -> Status {
    OMBUD_RETURN_IF_ERROR(ChangeState(tx, agent_, created.ticket.id, TicketState::kClosed, "done"));
    return {};
  }));
  const auto audit_before = Count("audit_log");
  auto refused = store_->WriteSync([&](store::WriteTx& tx) -> Status {
    OMBUD_RETURN_IF_ERROR(
        ChangeState(tx, agent_, created.ticket.id, TicketState::kPendingCustomer, "x"));
    return {};
  });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(Count("audit_log"), audit_before);
}

// R-SMT-3: deactivating an employee revokes every session and token at once, audited.
TEST_F(DeskTest, DeactivationRevokesAllCredentials) {
  const Actor admin = SystemActor("cli");
  domain::User u;
  u.login = "sales1";
  u.display_name = "Sales One";
  ASSERT_TRUE(store_->WriteSync([&](store::WriteTx& tx) -> Status {
    OMBUD_ASSIGN_OR_RETURN(u, CreateUser(tx, admin, u, "hash"));
    const Actor self{"user:" + std::to_string(u.id), u.role, u.id, std::nullopt};
    OMBUD_RETURN_IF_ERROR(IssueApiToken(tx, self, "tokenhash", "t"));
    return OpenSession(tx, u, "sessionhash", "csrf", 1LL << 60);
  }));
  ASSERT_TRUE(
      store_->WriteSync([&](store::WriteTx& tx) { return DeactivateUser(tx, admin, u.id); }));
  ASSERT_TRUE(store_->Read([&](store::ReadTx& tx) -> Status {
    OMBUD_ASSIGN_OR_RETURN(auto token_user, tx.FindApiTokenUser("tokenhash"));
    EXPECT_FALSE(token_user.has_value());
    OMBUD_ASSIGN_OR_RETURN(auto session, tx.FindSession("sessionhash"));
    EXPECT_FALSE(session.has_value());
    OMBUD_ASSIGN_OR_RETURN(auto user, tx.GetUser(u.id));
    EXPECT_FALSE(user.active);
    return {};
  }));
}

TEST_F(DeskTest, OnlyAdminsManageUsersAndDepartments) {
  domain::Department d;
  d.name = "Technical";
  auto refused = store_->WriteSync([&](store::WriteTx& tx) -> Status {
    OMBUD_RETURN_IF_ERROR(CreateDepartment(tx, agent_, d));
    return {};
  });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(Count("departments"), 0);
}

}  // namespace
}  // namespace ombud::desk
