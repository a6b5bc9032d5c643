#include "channels/email/mime_parser.hpp"

#include <gtest/gtest.h>

#include "channels/email/html_text.hpp"
#include "channels/test_data.hpp"
#include "channels/text.hpp"

namespace ombud::channels::email {
namespace {

InboundEmail Parse(const std::string& name) {
  const std::string raw = ReadChannelData(name);
  EXPECT_FALSE(raw.empty()) << name;
  auto parsed = ParseEmail(raw);
  EXPECT_TRUE(parsed.has_value()) << name << ": " << (parsed ? "" : parsed.error().message);
  return parsed ? *parsed : InboundEmail{};
}

TEST(MimeParser, VietnameseUtf8QuotedPrintableWithThreadHeaders) {
  const InboundEmail m = Parse("vi_utf8.eml");
  EXPECT_EQ(m.from.name, "Nguyễn Văn An");
  EXPECT_EQ(m.from.address, "nguyen.van.an@example.vn");
  ASSERT_EQ(m.to.size(), 1u);
  EXPECT_EQ(m.to[0].name, "Hỗ trợ");
  EXPECT_EQ(m.to[0].address, "support@desk.example");
  ASSERT_EQ(m.cc.size(), 2u);
  EXPECT_EQ(m.cc[0].address, "an.backup@example.vn");
  EXPECT_EQ(m.cc[1].name, "Tran Thi Binh");
  EXPECT_EQ(m.subject, "Re: [C-2026-000123] Khiếu nại cước phí tháng 2");
  EXPECT_EQ(m.ticket_number, "C-2026-000123");
  ASSERT_TRUE(m.date.has_value());
  EXPECT_EQ(*m.date, MillisFromCivil(2026, 3, 1, 1, 30, 0));
  EXPECT_EQ(m.message_id, "msg-vi-1@example.vn");
  EXPECT_EQ(m.in_reply_to, "C-2026-000123.a1b2c3@desk.example");
  EXPECT_EQ(m.references, (std::vector<std::string>{"C-2026-000123.root@desk.example",
                                                    "C-2026-000123.a1b2c3@desk.example"}));
  EXPECT_EQ(m.text,
            "Kính gửi bộ phận chăm sóc khách hàng,\n\nTôi bị trừ cước 50.000 đồng không rõ "
            "lý do.\nXin cảm ơn.\n");
  EXPECT_FALSE(m.text_from_html);
  EXPECT_FALSE(m.MustNotAnswer());
  EXPECT_EQ(ThreadKeys(m), (std::vector<std::string>{"C-2026-000123.a1b2c3@desk.example",
                                                     "C-2026-000123.root@desk.example"}));
}

TEST(MimeParser, Windows1258BodyAndSubjectComposeToneMarks) {
  const InboundEmail m = Parse("vi_cp1258.eml");
  EXPECT_EQ(m.subject, "Máng chấm");
  EXPECT_EQ(m.text, "Tôi muốn khiếu nại về dịch vụ Internet.\nMạng chậm từ ngày 25/02.\n");
  EXPECT_TRUE(m.warnings.empty()) << m.warnings.front();
}

TEST(MimeParser, KhmerSubjectInTwoEncodedWordsAndBase64Body) {
  const InboundEmail m = Parse("km_subject.eml");
  EXPECT_EQ(m.from.name, "សុខ ដារ៉ា");
  EXPECT_EQ(m.subject, "សំណើរប្តឹងតវ៉ា");  // Adjacent encoded words join without a space.
  EXPECT_EQ(m.text, "សូមជួយពិនិត្យលេខទូរស័ព្ទរបស់ខ្ញុំ។\n");
  EXPECT_EQ(m.ticket_number, "");
}

TEST(MimeParser, Iso2022JpHeadersAndBody) {
  const InboundEmail m = Parse("iso2022jp.eml");
  EXPECT_EQ(m.from.name, "山田太郎");
  EXPECT_EQ(m.subject, "請求書について");
  EXPECT_EQ(m.text, "お問い合わせありがとうございます。\n確認いたします。\n");
}

TEST(MimeParser, HtmlOnlyMailIsConvertedToReadableText) {
  const InboundEmail m = Parse("html_only.eml");
  EXPECT_TRUE(m.text_from_html);
  EXPECT_EQ(m.text,
            "Dear support,\n\nMy number 0912 345 678 was blocked & I <really> need it.\n\n"
            "- since Monday\n- no SMS\nThanks,\nMinh");
  EXPECT_NE(m.html.find("<script>"), std::string::npos);
}

TEST(MimeParser, AttachmentsAndInlineImage) {
  const InboundEmail m = Parse("attachments.eml");
  EXPECT_EQ(m.from.name, "Pham Quoc");
  EXPECT_EQ(m.text, "See the screenshot and the invoice.");
  EXPECT_FALSE(m.text_from_html);
  EXPECT_NE(m.html.find("cid:shot1@example.vn"), std::string::npos);
  ASSERT_EQ(m.attachments.size(), 2u);
  const MailAttachment& image = m.attachments[0];
  EXPECT_EQ(image.content_type, "image/png");
  EXPECT_EQ(image.content_id, "shot1@example.vn");
  EXPECT_TRUE(image.is_inline);
  EXPECT_EQ(image.data.size(), 70u);
  EXPECT_EQ(image.data.substr(1, 3), "PNG");
  const MailAttachment& pdf = m.attachments[1];
  EXPECT_EQ(pdf.filename, "Hóa đơn.pdf");
  EXPECT_EQ(pdf.content_type, "application/pdf");
  EXPECT_FALSE(pdf.is_inline);
  EXPECT_EQ(pdf.data, "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
}

TEST(MimeParser, MalformedMessageIsTakenAsWellAsPossible) {
  const InboundEmail m = Parse("malformed.eml");
  EXPECT_EQ(m.from.address, "broken@example.vn");
  EXPECT_EQ(m.from.name, "=?utf-8?B?broken");  // A broken encoded word stays as text.
  EXPECT_EQ(m.subject, "Cước phí sai");        // Raw 8-bit header taken as UTF-8.
  EXPECT_EQ(m.message_id, "bad-1@example.vn");
  EXPECT_EQ(m.text, "Part one text.");
  ASSERT_EQ(m.attachments.size(), 1u);  // Unclosed multipart: the last part runs to the end.
  EXPECT_EQ(m.attachments[0].filename, "x.bin");
  EXPECT_FALSE(m.warnings.empty());
}

TEST(MimeParser, AutoReplyIsFlagged) {
  const InboundEmail m = Parse("auto_reply.eml");
  EXPECT_TRUE(m.is_auto_reply);
  EXPECT_FALSE(m.is_bounce);
  EXPECT_TRUE(m.MustNotAnswer());
  EXPECT_EQ(m.ticket_number, "C-2026-000777");
  EXPECT_EQ(m.in_reply_to, "C-2026-000777.f00d@desk.example");
}

TEST(MimeParser, DeliveryStatusNotificationNamesTheBouncedMessage) {
  const InboundEmail m = Parse("dsn_bounce.eml");
  EXPECT_TRUE(m.is_bounce);
  EXPECT_TRUE(m.MustNotAnswer());
  EXPECT_EQ(m.bounced_message_id, "C-2026-000045.9f8e7d@desk.example");
  EXPECT_EQ(m.text, "Your message could not be delivered to nobody@example.vn.");
  EXPECT_TRUE(m.attachments.empty());
  EXPECT_EQ(ThreadKeys(m), (std::vector<std::string>{"C-2026-000045.9f8e7d@desk.example"}));
}

TEST(MimeParser, DeliveryStatusWithReturnedHeadersOnly) {
  const InboundEmail m = Parse("dsn_headers.eml");
  EXPECT_TRUE(m.is_bounce);
  EXPECT_FALSE(m.is_auto_reply);
  EXPECT_EQ(m.bounced_message_id, "C-2026-000046.aa11@desk.example");
}

TEST(MimeParser, RejectsInputWithNothingUsable) {
  EXPECT_EQ(ParseEmail("").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseEmail("   \r\n  ").error().code, ErrorCode::kInvalidArgument);
  const auto garbage = ParseEmail(std::string("\0\x01\x02\xff", 4));
  EXPECT_FALSE(garbage.has_value());
}

TEST(MimeParser, NeverCrashesOnTruncations) {
  for (const char* name : {"vi_utf8.eml", "attachments.eml", "dsn_bounce.eml", "iso2022jp.eml"}) {
    const std::string raw = ReadChannelData(name);
    for (std::size_t n = 0; n < raw.size(); n += 7) {
      auto parsed = ParseEmail(std::string_view(raw).substr(0, n));
      if (parsed) {
        EXPECT_TRUE(IsValidUtf8(parsed->subject));
        EXPECT_TRUE(IsValidUtf8(parsed->text));
      }
    }
  }
}

TEST(MimeParser, TicketNumberFallsBackToOurMessageIds) {
  const auto m = ParseEmail(
      "From: a@example.vn\nSubject: Re: your answer\nMessage-ID: <r1@example.vn>\n"
      "In-Reply-To: <x@example.vn>\nReferences: <C-2026-000009.aa@desk.example> <x@example.vn>\n"
      "\nthanks\n");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->ticket_number, "C-2026-000009");
  EXPECT_EQ(m->text, "thanks\n");
}

TEST(MimeParser, ExtractsTicketNumbers) {
  EXPECT_EQ(ExtractTicketNumber("Re: [C-2026-000123] x"), "C-2026-000123");
  EXPECT_EQ(ExtractTicketNumber("C-2026-1234567 follow-up"), "C-2026-1234567");
  EXPECT_EQ(ExtractTicketNumber("ticket C-2026-000123."), "C-2026-000123");
  EXPECT_EQ(ExtractTicketNumber("ABC-2026-000123"), "");
  EXPECT_EQ(ExtractTicketNumber("C-2026-00012"), "");
  EXPECT_EQ(ExtractTicketNumber("C-26-000123"), "");
  EXPECT_EQ(ExtractTicketNumber(""), "");
}

TEST(MimeParser, ConvertsLegacyCharsets) {
  bool lossy = false;
  EXPECT_EQ(ToUtf8("\xe0", "iso-8859-1", &lossy), "à");
  EXPECT_FALSE(lossy);
  EXPECT_EQ(ToUtf8("Vi\xea\xf2t", "windows-1258", &lossy), "Việt");
  EXPECT_EQ(ToUtf8("Vi\xd6t Nam", "tcvn", &lossy), "Việt Nam");  // TCVN 5712 (VN1).
  EXPECT_EQ(ToUtf8("Vi\xd6t Nam", "TCVN5712-1", &lossy), "Việt Nam");
  EXPECT_EQ(ToUtf8("Vi\xaet Nam", "viscii", &lossy), "Việt Nam");
  EXPECT_FALSE(lossy);
  EXPECT_EQ(ToUtf8("caf\xe9", "", &lossy), "café");  // Unlabelled 8-bit: windows-1258.
  EXPECT_EQ(ToUtf8("ok", "x-no-such-charset", &lossy), "ok");
  EXPECT_TRUE(lossy);
  lossy = false;
  EXPECT_EQ(ToUtf8("a\xff", "utf-8", &lossy), "a\xEF\xBF\xBD");
  EXPECT_TRUE(lossy);
}

TEST(MimeParser, DecodesHeaderTextLikeRfc2047) {
  bool lossy = false;
  // Padding inside each word, and a character split across two words.
  EXPECT_EQ(DecodeHeaderText("=?UTF-8?B?YQ==?= =?UTF-8?B?Y2Q=?=", &lossy), "acd");
  EXPECT_EQ(DecodeHeaderText("=?utf-8?B?4bq=?=\r\n =?utf-8?B?vw==?=", &lossy), "ế");
  EXPECT_EQ(DecodeHeaderText("=?utf-8?q?Ch=C3=A0o_b=E1=BA=A1n?= ok", &lossy), "Chào bạn ok");
  EXPECT_FALSE(lossy);
  EXPECT_EQ(DecodeHeaderText("a =?iso-8859-1?q?=E9?= b =?x?q?c?=", &lossy), "a é b c");
  EXPECT_TRUE(lossy);  // Charset "x" is unknown: the bytes were taken as they are.
  EXPECT_EQ(DecodeHeaderText("=?utf-8?B?broken", &lossy), "=?utf-8?B?broken");
  EXPECT_EQ(DecodeHeaderText("=?utf-8*vi?Q?=C4=91?=", &lossy), "đ");
}

TEST(MimeParser, DisplayNamesSplitOverPaddedEncodedWordsStayWhole) {
  const auto m = ParseEmail(
      "From: =?UTF-8?B?Tmd1eeG7hW4=?=\r\n =?UTF-8?B?IFbEg24gQW4=?= <an@example.vn>\r\n"
      "To: \"=?utf-8?q?Ch=C4=83m?= =?utf-8?q?_s=C3=B3c?=\" <care@desk.example>, b@example.vn\r\n"
      "Subject: x\r\n\r\nbody\r\n");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->from.name, "Nguyễn Văn An");
  EXPECT_EQ(m->from.address, "an@example.vn");
  ASSERT_EQ(m->to.size(), 2u);
  EXPECT_EQ(m->to[0].name, "Chăm sóc");
  EXPECT_EQ(m->to[1].address, "b@example.vn");
  EXPECT_EQ(MergeEncodedWords("=?UTF-8?B?YQ==?= =?utf-8?B?Yg==?= c =?x?Q?d?="),
            "=?UTF-8?B?YWI=?= c =?x?B?ZA==?=");
}

TEST(HtmlText, BlocksEntitiesAndPre) {
  EXPECT_EQ(HtmlToText("<p>a</p><p>b</p>"), "a\n\nb");
  EXPECT_EQ(HtmlToText("x<br/>y<br>z"), "x\ny\nz");
  EXPECT_EQ(HtmlToText("<pre>  a\n  b</pre>c"), "  a\n  b\nc");
  EXPECT_EQ(HtmlToText("&#8364;&euro;&unknown;&#xZZ;"), "€€&unknown;&#xZZ;");
  EXPECT_EQ(HtmlToText("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>"),
            "a b\nc");
  EXPECT_EQ(HtmlToText("<SCRIPT>x</SCRIPT>ok<style"), "ok");
  EXPECT_EQ(HtmlToText("a < b"), "a");
}

}  // namespace
}  // namespace ombud::channels::email
