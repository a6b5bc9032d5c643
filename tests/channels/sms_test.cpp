#include <gtest/gtest.h>

#include "channels/sms/kannel.hpp"
#include "channels/sms/sms_split.hpp"
#include "channels/text.hpp"

namespace ombud::channels::sms {
namespace {

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(SmsSplit, PlainAsciiFitsOneGsmMessage) {
  const SmsPlan plan = SplitSms(std::string(160, 'a'));
  EXPECT_EQ(plan.coding, SmsCoding::kGsm7);
  EXPECT_EQ(plan.units, 160);
  EXPECT_EQ(plan.parts(), 1);
}

TEST(SmsSplit, LongGsmTextSplitsAt153Septets) {
  const SmsPlan plan = SplitSms(std::string(161, 'a'));
  EXPECT_EQ(plan.parts(), 2);
  EXPECT_EQ(plan.segments[0].size(), 153u);
  EXPECT_EQ(plan.segments[1].size(), 8u);
  EXPECT_EQ(SplitSms(std::string(306, 'b')).parts(), 2);
  EXPECT_EQ(SplitSms(std::string(307, 'b')).parts(), 3);
}

TEST(SmsSplit, ExtensionCharactersCountTwoAndAreNeverSplit) {
  EXPECT_EQ(SplitSms("€").units, 2);
  EXPECT_EQ(SplitSms("{}[]").units, 8);
  EXPECT_EQ(SplitSms("Giá: 50€").coding, SmsCoding::kUcs2);        // 'á' is not in GSM 03.38.
  EXPECT_EQ(SplitSms("Café £5 à Noël").coding, SmsCoding::kUcs2);  // 'ë' is not.
  EXPECT_EQ(SplitSms("Café £5 à Ñoño @ Δ").coding, SmsCoding::kGsm7);
  EXPECT_EQ(SplitSms(std::string(80, '{')).units, 160);
  const SmsPlan plan = SplitSms(std::string(152, 'a') + "€" + std::string(8, 'b'));  // 162.
  ASSERT_EQ(plan.parts(), 2);
  EXPECT_EQ(plan.segments[0], std::string(152, 'a'));  // ESC + € would make 154 > 153.
  EXPECT_EQ(plan.segments[1], "€" + std::string(8, 'b'));
}

TEST(SmsSplit, VietnameseIsUcs2With70And67Units) {
  // "Quý khách đã được hoàn tiền." — 28 characters, all in the BMP.
  const std::string vi = "Quý khách đã được hoàn tiền.";
  EXPECT_EQ(SplitSms(vi).coding, SmsCoding::kUcs2);
  EXPECT_EQ(SplitSms(vi).units, 28);
  const std::string seventy = Repeat("ệ", 70);
  EXPECT_EQ(SplitSms(seventy).parts(), 1);
  const SmsPlan plan = SplitSms(seventy + "a");
  ASSERT_EQ(plan.parts(), 2);
  EXPECT_EQ(plan.segments[0], Repeat("ệ", 67));
  EXPECT_EQ(plan.segments[1], Repeat("ệ", 3) + "a");
}

TEST(SmsSplit, KhmerCountsCodeUnitsIncludingCombiningSigns) {
  // "សូមអរគុណ" (thank you): 8 code points, vowel signs and coeng included.
  const std::string km = "សូមអរគុណ";
  const SmsPlan one = SplitSms(km);
  EXPECT_EQ(one.coding, SmsCoding::kUcs2);
  EXPECT_EQ(one.units, 8);
  const SmsPlan many = SplitSms(Repeat(km, 20));  // 160 units → 3 parts of ≤ 67.
  EXPECT_EQ(many.units, 160);
  ASSERT_EQ(many.parts(), 3);
  std::string joined;
  for (const auto& s : many.segments) joined += s;
  EXPECT_EQ(joined, Repeat(km, 20));
}

TEST(SmsSplit, SurrogatePairsCountTwoAndStayWhole) {
  EXPECT_EQ(SplitSms("😀").units, 2);
  const SmsPlan plan = SplitSms(std::string(66, 'a') + "é" + "😀");  // 67 + 2 = 69 ≤ 70.
  EXPECT_EQ(plan.parts(), 1);
  const SmsPlan split = SplitSms(Repeat("é", 66) + "😀" + Repeat("é", 3));  // 71 units.
  ASSERT_EQ(split.parts(), 2);
  EXPECT_EQ(split.segments[0], Repeat("é", 66));  // The pair would make 68 > 67.
  EXPECT_EQ(split.segments[1], "😀" + Repeat("é", 3));
}

TEST(SmsSplit, InvalidUtf8AndEmpty) {
  EXPECT_EQ(SplitSms("").parts(), 1);
  EXPECT_EQ(SplitSms("").units, 0);
  const SmsPlan bad = SplitSms("a\xff");
  EXPECT_EQ(bad.coding, SmsCoding::kUcs2);
  EXPECT_EQ(bad.segments[0], "a\xEF\xBF\xBD");
}

KannelConfig Config() {
  KannelConfig c;
  c.sendsms_url = "http://127.0.0.1:13013/cgi-bin/sendsms";
  c.username = "desk";
  c.password = "p&ss";
  c.from = "VieON";
  return c;
}

TEST(Kannel, SendUrlForGsmText) {
  const auto url = KannelSendUrl(Config(), "+84912345678", "Your ticket C-2026-000123 is open",
                                 KannelDlrUrl("http://127.0.0.1:8080/sms/dlr", "out-42"));
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(*url,
            "http://127.0.0.1:13013/cgi-bin/sendsms?username=desk&password=p%26ss&from=VieON"
            "&to=%2B84912345678&text=Your%20ticket%20C-2026-000123%20is%20open&dlr-mask=31"
            "&dlr-url=http%3A%2F%2F127.0.0.1%3A8080%2Fsms%2Fdlr%3Fref%3Dout-42%26type%3D%25d"
            "%26ts%3D%25T%26smsc%3D%25i%26reply%3D%25A%26to%3D%25p");
}

TEST(Kannel, SendUrlForVietnameseUsesUcs2AndConcatenation) {
  const std::string text = Repeat("Cảm ơn quý khách. ", 5);  // 90 units: 2 parts.
  const auto url = KannelSendUrl(Config(), "0912345678", text, "");
  ASSERT_TRUE(url.has_value());
  EXPECT_NE(url->find("&coding=2&charset=UTF-8"), std::string::npos);
  EXPECT_NE(url->find("&max-messages=2"), std::string::npos);
  EXPECT_NE(url->find("&text=C%E1%BA%A3m%20%C6%A1n"), std::string::npos);
  EXPECT_EQ(url->find("dlr-"), std::string::npos);
}

TEST(Kannel, SendUrlRejectsBadNumbers) {
  EXPECT_EQ(KannelSendUrl(Config(), "0912&to=1", "x", "").error().field, "to");
  EXPECT_EQ(KannelSendUrl(Config(), "", "x", "").error().field, "to");
}

TEST(Kannel, ParsesTheGetUrlCallback) {
  const auto q = DecodeQuery(
      "from=%2B85512345678&to=1234&text=Hello+desk&coding=0&charset=UTF-8&smsc=fake&ts=1772500000");
  ASSERT_TRUE(q.has_value());
  const auto sms = ParseKannelCallback(*q);
  ASSERT_TRUE(sms.has_value()) << sms.error().message;
  EXPECT_EQ(sms->from, "+85512345678");
  EXPECT_EQ(sms->to, "1234");
  EXPECT_EQ(sms->text, "Hello desk");
  EXPECT_EQ(sms->smsc_id, "fake");
  EXPECT_EQ(sms->received_at, 1772500000000);
}

TEST(Kannel, ConvertsUcs2KhmerFromTheBinaryText) {
  // "សួស្តី" (hello) as UTF-16BE, the way %b delivers a coding=2 message.
  const auto q = DecodeQuery(
      "from=85512345678&text=%17%9F%17%BD%17%9F%17%D2%17%8F%17%B8&coding=2&charset=UTF-16BE");
  ASSERT_TRUE(q.has_value());
  const auto sms = ParseKannelCallback(*q);
  ASSERT_TRUE(sms.has_value()) << sms.error().message;
  EXPECT_EQ(sms->text, "សួស្តី");
  const auto no_charset = DecodeQuery("from=1&text=%00a%1E%A1&coding=2");  // "aạ"
  ASSERT_TRUE(no_charset.has_value());
  EXPECT_EQ(ParseKannelCallback(*no_charset)->text, "aạ");
}

TEST(Kannel, CallbackErrorsNameTheParameter) {
  EXPECT_EQ(ParseKannelCallback({{"text", "x"}}).error().field, "from");
  EXPECT_EQ(ParseKannelCallback({{"from", "1"}}).error().field, "text");
  EXPECT_EQ(ParseKannelCallback({{"from", "1"}, {"text", "x"}, {"ts", "soon"}}).error().field,
            "ts");
  EXPECT_EQ(ParseKannelCallback({{"from", "1"}, {"text", "x"}, {"coding", "7"}}).error().field,
            "coding");
  EXPECT_EQ(ParseKannelCallback({{"from", "1"}, {"text", "abc"}, {"coding", "2"}}).error().field,
            "text");
  EXPECT_EQ(ParseKannelCallback({{"from", "\xff"}, {"text", "x"}}).error().field, "from");
  EXPECT_FALSE(DecodeQuery("a=%zz").has_value());
  EXPECT_FALSE(DecodeQuery("a=%4").has_value());
}

TEST(Kannel, ParsesDeliveryReports) {
  const auto q =
      DecodeQuery("ref=out-42&type=1&ts=1772500100&smsc=fake&reply=id%3A1+stat%3ADELIVRD");
  ASSERT_TRUE(q.has_value());
  const auto dlr = ParseKannelDlr(*q);
  ASSERT_TRUE(dlr.has_value());
  EXPECT_EQ(dlr->message_ref, "out-42");
  EXPECT_EQ(dlr->state, DeliveryState::kDelivered);
  EXPECT_TRUE(dlr->final());
  EXPECT_EQ(dlr->smsc_reply, "id:1 stat:DELIVRD");
  EXPECT_EQ(dlr->at, 1772500100000);
  const std::pair<const char*, DeliveryState> types[] = {{"2", DeliveryState::kFailed},
                                                         {"4", DeliveryState::kBuffered},
                                                         {"8", DeliveryState::kSmscSubmitted},
                                                         {"16", DeliveryState::kSmscRejected}};
  for (const auto& [type, state] : types) {
    const auto r = ParseKannelDlr({{"ref", "x"}, {"type", type}});
    ASSERT_TRUE(r.has_value()) << type;
    EXPECT_EQ(r->state, state) << Name(state);
  }
  EXPECT_FALSE(ParseKannelDlr({{"ref", "x"}, {"type", "4"}})->final());
  EXPECT_EQ(ParseKannelDlr({{"ref", "x"}, {"type", "3"}}).error().field, "type");
  EXPECT_EQ(ParseKannelDlr({{"type", "1"}}).error().field, "ref");
}

}  // namespace
}  // namespace ombud::channels::sms
