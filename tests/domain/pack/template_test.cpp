#include "domain/pack/template.hpp"

#include <gtest/gtest.h>

namespace ombud::domain {
namespace {

// R-CSP-7 in the three languages: every written answer starts with the greeting, every e-mail
// answer ends with the closing.
Pack ThreeLanguagePack() {
  Pack p;
  p.id = "t";
  p.languages = {"en", "vi", "km"};
  p.default_language = "en";
  p.template_variables = StandardTemplateVariables();
  Salutation greeting;
  greeting.channels = {Channel::kEmail, Channel::kSms, Channel::kWeb};
  greeting.text = {
      {"en", "Dear customers,"}, {"vi", "Kính gửi Quý khách hàng,"}, {"km", "ជូនចំពោះអតិថិជនជាទីគោរព"}};
  Salutation closing;
  closing.channels = {Channel::kEmail};
  closing.text = {{"en", "Thank you for your interest in our products and services."},
                  {"vi", "Cảm ơn Quý khách đã quan tâm đến sản phẩm và dịch vụ của chúng tôi."},
                  {"km", "សូមអរគុណចំពោះការចាប់អារម្មណ៍លើផលិតផល និងសេវាកម្មរបស់យើងខ្ញុំ។"}};
  p.greetings = {greeting};
  p.closings = {closing};
  AnswerTemplate answer;
  answer.key = "answer";
  answer.texts["en"]["email"] = {"Re: {{ticket_ref}}", "Your request {{ticket_ref}}: {{answer}}"};
  answer.texts["en"]["any"] = {"", "{{answer}}"};
  answer.texts["vi"]["any"] = {"", "Yêu cầu {{ticket_ref}}: {{answer}}"};
  answer.texts["km"]["any"] = {"", "សំណើ {{ticket_ref}}៖ {{answer}}"};
  p.templates = {answer};
  return p;
}

TEST(Template, ListsVariablesAndSections) {
  auto vars =
      TemplateVariables("Hi {{customer_name}}{{#due_at}} by {{{due_at}}}{{/due_at}}{{! x}}");
  ASSERT_TRUE(vars);
  EXPECT_EQ(*vars, (std::set<std::string>{"customer_name", "due_at"}));
  EXPECT_FALSE(TemplateVariables("{{>partial}}"));
  EXPECT_FALSE(TemplateVariables("{{=<% %>=}}"));
  EXPECT_FALSE(TemplateVariables("{{#a}}open"));
  EXPECT_FALSE(TemplateVariables("{{unclosed"));
  EXPECT_FALSE(TemplateVariables("{{customer.name}}"));
}

TEST(Template, MissingVariablesAreAnErrorNamingThem) {
  auto r = RenderTemplate("{{a}} and {{b}} and {{c}}", {{"b", "x"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("missing variables: a, c"), std::string::npos);
  EXPECT_EQ(r.error().field, "a");
}

TEST(Template, RendersPlainTextWithoutHtmlEscapingAndOptionalSections) {
  auto r = RenderTemplate("{{name}} <{{mail}}>{{#late}} (late){{/late}}{{^late}} on time{{/late}}",
                          {{"name", "Ngô & Sons"}, {"mail", "a@b.vn"}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, "Ngô & Sons <a@b.vn> on time");
  r = RenderTemplate("{{#late}}late{{/late}}", {{"late", "false"}});
  EXPECT_EQ(*r, "");
  r = RenderTemplate("{{#late}}late{{/late}}", {{"late", "yes"}});
  EXPECT_EQ(*r, "late");
}

TEST(Template, EmailAnswerGetsGreetingFirstAndClosingLastInEnViKm_R_CSP_7) {
  const Pack p = ThreeLanguagePack();
  const TemplateVars vars = {{"ticket_ref", "T-7"}, {"answer", "Done."}};
  auto en = RenderAnswer(p, "answer", "en", Channel::kEmail, vars);
  ASSERT_TRUE(en) << en.error().message;
  EXPECT_EQ(en->subject, "Re: T-7");
  EXPECT_EQ(en->body,
            "Dear customers,\n\nYour request T-7: Done.\n\n"
            "Thank you for your interest in our products and services.");
  auto vi = RenderAnswer(p, "answer", "vi", Channel::kEmail, vars);
  ASSERT_TRUE(vi);
  EXPECT_TRUE(vi->body.starts_with("Kính gửi Quý khách hàng,\n\nYêu cầu T-7: Done."));
  EXPECT_TRUE(vi->body.ends_with("sản phẩm và dịch vụ của chúng tôi."));
  auto km = RenderAnswer(p, "answer", "km", Channel::kEmail, vars);
  ASSERT_TRUE(km);
  EXPECT_TRUE(km->body.starts_with("ជូនចំពោះអតិថិជនជាទីគោរព\n\nសំណើ T-7"));
  EXPECT_TRUE(km->body.ends_with("សេវាកម្មរបស់យើងខ្ញុំ។"));
}

TEST(Template, SmsAnswerHasGreetingButNoClosingAndPhoneHasNeither_R_CSP_7) {
  const Pack p = ThreeLanguagePack();
  const TemplateVars vars = {{"ticket_ref", "T-7"}, {"answer", "Done."}};
  EXPECT_EQ(RenderAnswer(p, "answer", "en", Channel::kSms, vars)->body, "Dear customers,\n\nDone.");
  EXPECT_EQ(RenderAnswer(p, "answer", "en", Channel::kPhone, vars)->body, "Done.");
}

TEST(Template, GreetingAndClosingAreNeverDoubled_R_CSP_7) {
  Pack p = ThreeLanguagePack();
  p.templates[0].texts["en"]["email"].body =
      "Dear customers,\n{{answer}}\nThank you for your interest in our products and services.";
  auto r = RenderAnswer(p, "answer", "en", Channel::kEmail, {{"ticket_ref", "T"}, {"answer", "A"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body,
            "Dear customers,\nA\nThank you for your interest in our products and services.");
}

TEST(Template, ErrorsForMissingLanguageChannelOrVariable) {
  Pack p = ThreeLanguagePack();
  EXPECT_EQ(RenderAnswer(p, "answer", "fr", Channel::kEmail, {}).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(RenderAnswer(p, "nope", "en", Channel::kEmail, {}).error().code, ErrorCode::kNotFound);
  auto missing = RenderAnswer(p, "answer", "en", Channel::kEmail, {{"ticket_ref", "T"}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().field, "answer");
  p.templates[0].texts["vi"].erase("any");
  p.templates[0].texts["vi"]["sms"] = {"", "x"};
  EXPECT_EQ(RenderAnswer(p, "answer", "vi", Channel::kEmail, {}).error().field, "channel");
  p.greetings[0].text.erase("km");
  auto no_greeting =
      RenderAnswer(p, "answer", "km", Channel::kSms, {{"ticket_ref", "T"}, {"answer", "A"}});
  ASSERT_FALSE(no_greeting);
  EXPECT_EQ(no_greeting.error().code, ErrorCode::kFailedPrecondition);
}

TEST(Template, CheckAnswerVerifiesAFreeWrittenAnswer_R_CSP_7) {
  const Pack p = ThreeLanguagePack();
  EXPECT_TRUE(CheckAnswer(p, "en", Channel::kEmail,
                          "  Dear customers,\nFixed.\nThank you for your interest in our products "
                          "and services.\n"));
  auto no_closing = CheckAnswer(p, "en", Channel::kEmail, "Dear customers,\nFixed.");
  ASSERT_FALSE(no_closing);
  EXPECT_NE(no_closing.error().message.find("must end with"), std::string::npos);
  EXPECT_FALSE(CheckAnswer(p, "en", Channel::kSms, "Fixed."));
  EXPECT_TRUE(CheckAnswer(p, "en", Channel::kPhone, "Fixed."));
  EXPECT_EQ(*FrameAnswer(p, "vi", Channel::kSms, "Xong."), "Kính gửi Quý khách hàng,\n\nXong.");
}

}  // namespace
}  // namespace ombud::domain
