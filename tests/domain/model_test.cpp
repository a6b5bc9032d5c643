#include "domain/model.hpp"

#include <gtest/gtest.h>

namespace ombud::domain {
namespace {

TEST(TicketNumber, IsYearAndSixDigitSequence) {
  EXPECT_EQ(FormatTicketNumber(2026, 123), "C-2026-000123");
  EXPECT_EQ(FormatTicketNumber(2027, 1234567), "C-2027-1234567");
}

TEST(TicketStateMachine, AllowsTheDocumentedTransitionsOnly) {
  using S = TicketState;
  EXPECT_TRUE(CheckTransition(S::kNew, S::kOpen));
  EXPECT_TRUE(CheckTransition(S::kOpen, S::kPendingCustomer));
  EXPECT_TRUE(CheckTransition(S::kPendingCustomer, S::kOpen));
  EXPECT_TRUE(CheckTransition(S::kPendingDepartment, S::kResolved));
  EXPECT_TRUE(CheckTransition(S::kResolved, S::kClosed));
  EXPECT_TRUE(CheckTransition(S::kResolved, S::kOpen));
  EXPECT_TRUE(CheckTransition(S::kClosed, S::kOpen));
  EXPECT_FALSE(CheckTransition(S::kOpen, S::kNew));
  EXPECT_FALSE(CheckTransition(S::kOpen, S::kOpen));
  EXPECT_FALSE(CheckTransition(S::kClosed, S::kResolved));
  EXPECT_FALSE(CheckTransition(S::kPendingCustomer, S::kPendingDepartment));
  auto bad = CheckTransition(S::kClosed, S::kPendingCustomer);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(bad.error().field, "state");
}

TEST(Names, RoundTripAndRejectUnknownValues) {
  for (auto s : {TicketState::kNew, TicketState::kOpen, TicketState::kPendingCustomer,
                 TicketState::kPendingDepartment, TicketState::kResolved, TicketState::kClosed}) {
    EXPECT_EQ(*ParseTicketState(Name(s)), s);
  }
  for (auto c : {Channel::kPhone, Channel::kEmail, Channel::kSms, Channel::kWeb, Channel::kChat,
                 Channel::kMessenger, Channel::kInPerson}) {
    EXPECT_EQ(*ParseChannel(Name(c)), c);
  }
  auto bad = ParseChannel("fax", "channel");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "channel");
  EXPECT_NE(bad.error().message.find("messenger"), std::string::npos);
}

TEST(Identity, NormalisesPhonesAndEmails) {
  EXPECT_EQ(*NormalizeIdentity(IdentityKind::kPhone, "+855 12-345 678", "phone"), "+85512345678");
  EXPECT_EQ(*NormalizeIdentity(IdentityKind::kPhone, "(028) 3822.1234", "phone"), "02838221234");
  EXPECT_FALSE(NormalizeIdentity(IdentityKind::kPhone, "12+34", "phone"));
  EXPECT_FALSE(NormalizeIdentity(IdentityKind::kPhone, "call me", "phone"));
  EXPECT_FALSE(NormalizeIdentity(IdentityKind::kPhone, "12", "phone"));
  EXPECT_EQ(*NormalizeIdentity(IdentityKind::kEmail, "Lan.Nguyen@Example.VN", "email"),
            "lan.nguyen@example.vn");
  EXPECT_FALSE(NormalizeIdentity(IdentityKind::kEmail, "no-at-sign", "email"));
  EXPECT_FALSE(NormalizeIdentity(IdentityKind::kEmail, "a@b@c", "email"));
  EXPECT_FALSE(NormalizeIdentity(IdentityKind::kAccount, "two words", "account"));
  EXPECT_FALSE(NormalizeIdentity(IdentityKind::kAccount, "", "account"));
}

TEST(IsoDate, AcceptsRealCalendarDatesOnly) {
  EXPECT_TRUE(IsIsoDate("2024-02-29"));
  EXPECT_FALSE(IsIsoDate("2026-02-29"));
  EXPECT_FALSE(IsIsoDate("2026-13-01"));
  EXPECT_FALSE(IsIsoDate("2026-1-01"));
  EXPECT_FALSE(IsIsoDate("20260101"));
}

}  // namespace
}  // namespace ombud::domain
