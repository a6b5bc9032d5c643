#include "channels/email/mime_builder.hpp"

#include <gtest/gtest.h>

#include "channels/email/mime_parser.hpp"
#include "channels/text.hpp"

namespace ombud::channels::email {
namespace {

OutboundEmail Sample() {
  OutboundEmail e;
  e.from = {"Chăm sóc khách hàng", "care@desk.example"};
  e.to = {{"Nguyễn Văn An", "an@example.vn"}};
  e.cc = {{"", "boss@example.vn"}};
  e.subject = "[C-2026-000123] Trả lời khiếu nại của quý khách";
  e.date = MillisFromCivil(2026, 3, 2, 1, 0, 0);
  e.message_id = "C-2026-000123.0011223344556677@desk.example";
  e.in_reply_to = "msg-vi-1@example.vn";
  e.references = {"C-2026-000123.root@desk.example", "msg-vi-1@example.vn"};
  e.text = "Kính gửi quý khách,\nChúng tôi đã hoàn tiền 50.000 đồng.\n";
  return e;
}

TEST(MimeBuilder, TextMessageRoundTripsThroughTheParser) {
  const OutboundEmail e = Sample();
  const auto raw = BuildEmail(e);
  ASSERT_TRUE(raw.has_value()) << raw.error().message;
  EXPECT_NE(raw->find("Message-Id: <C-2026-000123.0011223344556677@desk.example>\r\n"),
            std::string::npos)
      << *raw;
  EXPECT_NE(raw->find("In-Reply-To: <msg-vi-1@example.vn>\r\n"), std::string::npos);
  EXPECT_NE(raw->find("References: <C-2026-000123.root@desk.example> <msg-vi-1@example.vn>\r\n"),
            std::string::npos);
  EXPECT_NE(raw->find("Date: Mon, 02 Mar 2026 01:00:00 +0000\r\n"), std::string::npos);
  EXPECT_NE(raw->find("Subject: [C-2026-000123]\r\n =?UTF-8?B?"), std::string::npos);
  EXPECT_EQ(raw->find("Auto-Submitted"), std::string::npos);
  for (std::size_t i = 0; i < raw->size(); ++i) {
    ASSERT_TRUE(static_cast<unsigned char>((*raw)[i]) < 0x80) << "8-bit byte at " << i;
    if ((*raw)[i] == '\n') {
      ASSERT_EQ((*raw)[i - 1], '\r') << "bare LF at " << i;
    }
  }
  const auto m = ParseEmail(*raw);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->from.name, e.from.name);
  EXPECT_EQ(m->from.address, e.from.address);
  ASSERT_EQ(m->to.size(), 1u);
  EXPECT_EQ(m->to[0].name, "Nguyễn Văn An");
  ASSERT_EQ(m->cc.size(), 1u);
  EXPECT_EQ(m->subject, e.subject);
  EXPECT_EQ(m->ticket_number, "C-2026-000123");
  EXPECT_EQ(m->date, e.date);
  EXPECT_EQ(m->message_id, e.message_id);
  EXPECT_EQ(m->in_reply_to, e.in_reply_to);
  EXPECT_EQ(m->references, e.references);
  EXPECT_EQ(m->text, "Kính gửi quý khách,\nChúng tôi đã hoàn tiền 50.000 đồng.\n");
  EXPECT_FALSE(m->is_auto_reply);
}

TEST(MimeBuilder, AutomaticAcknowledgementIsMarkedAutoSubmitted) {
  OutboundEmail e = Sample();
  e.auto_submitted = true;
  const auto raw = BuildEmail(e);
  ASSERT_TRUE(raw.has_value());
  EXPECT_NE(raw->find("\r\nAuto-Submitted: auto-replied\r\n"), std::string::npos);
  const auto m = ParseEmail(*raw);
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->is_auto_reply);  // Our own acknowledgement would never be answered.
}

TEST(MimeBuilder, HtmlAlternativeAttachmentsAndInlineImage) {
  OutboundEmail e = Sample();
  e.subject = "សំណើរបស់អ្នកត្រូវបានទទួល";  // Khmer: "your request was received".
  e.html = "<p>Kính gửi quý khách,</p><img src=\"cid:logo@desk.example\">";
  e.attachments = {{"Hóa đơn.pdf", "application/pdf", "", std::string("%PDF\0\x01\xff", 7)},
                   {"logo.png", "image/png", "logo@desk.example", "\x89PNG\r\n"}};
  const auto raw = BuildEmail(e);
  ASSERT_TRUE(raw.has_value());
  EXPECT_NE(raw->find("multipart/mixed"), std::string::npos);
  EXPECT_NE(raw->find("multipart/related"), std::string::npos);
  EXPECT_NE(raw->find("multipart/alternative"), std::string::npos);
  const auto m = ParseEmail(*raw);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->subject, e.subject);
  EXPECT_EQ(m->text, "Kính gửi quý khách,\nChúng tôi đã hoàn tiền 50.000 đồng.\n");
  EXPECT_FALSE(m->text_from_html);
  EXPECT_EQ(m->html, e.html);
  ASSERT_EQ(m->attachments.size(), 2u);
  EXPECT_EQ(m->attachments[0].content_id, "logo@desk.example");
  EXPECT_TRUE(m->attachments[0].is_inline);
  EXPECT_EQ(m->attachments[0].data, "\x89PNG\r\n");
  EXPECT_EQ(m->attachments[1].filename, "Hóa đơn.pdf");
  EXPECT_EQ(m->attachments[1].content_type, "application/pdf");
  EXPECT_EQ(m->attachments[1].data, std::string("%PDF\0\x01\xff", 7));
}

TEST(MimeBuilder, RejectsHeaderInjectionAndMissingFields) {
  OutboundEmail e = Sample();
  e.subject = "hi\r\nBcc: victim@example.com";
  EXPECT_EQ(BuildEmail(e).error().field, "subject");
  e = Sample();
  e.to.clear();
  EXPECT_EQ(BuildEmail(e).error().field, "to");
  e = Sample();
  e.to[0].address = "a@b>\r\nX: y";
  EXPECT_EQ(BuildEmail(e).error().field, "to");
  e = Sample();
  e.text.clear();
  EXPECT_EQ(BuildEmail(e).error().field, "text");
  e = Sample();
  e.references = {"a b"};
  EXPECT_EQ(BuildEmail(e).error().field, "references");
}

TEST(MimeBuilder, MessageIdsCarryTheTicketNumber) {
  const std::string a = MakeMessageId("C-2026-000123", "desk.example");
  const std::string b = MakeMessageId("C-2026-000123", "desk.example");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind("C-2026-000123.", 0), 0u);
  EXPECT_EQ(a.size(),
            std::string("C-2026-000123.").size() + 16 + std::string("@desk.example").size());
  EXPECT_EQ(MakeMessageId("", "d.example").rfind("ombud.", 0), 0u);
}

}  // namespace
}  // namespace ombud::channels::email
