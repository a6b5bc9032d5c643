#include "integration/server_test.hpp"

#include <sqlite3.h>

#include <cctype>
#include <charconv>

namespace ombud::test {

void ServerTest::SetUp() {
  ServerOptions options;
  options.extra_args = ExtraArgs();
  server_ = std::make_unique<ServerProcess>(options);
  ASSERT_TRUE(server_->Start());
  admin_ = std::make_unique<HttpClient>(server_->port());
  ASSERT_TRUE(AuthenticateWithToken(*admin_, "admin", server_->admin_password()));
}

void ServerTest::TearDown() {
  if (server_ == nullptr || !server_->running()) return;
  const int status = server_->Stop();
  EXPECT_EQ(DescribeWaitStatus(status), "exit code 0") << "unclean shutdown; server stderr:\n"
                                                       << server_->StderrTail(64 * 1024);
}

std::int64_t ServerTest::CreateUser(std::string_view login, std::string_view role,
                                    boost::json::object extra) {
  boost::json::object body = std::move(extra);
  body["login"] = login;
  body["display_name"] = std::string(login) + " display";
  body["role"] = role;
  body["password"] = kUserPassword;
  const Response response = admin().Post("/api/v1/users", body);
  EXPECT_EQ(response.status, 201) << Describe(response);
  return response.status == 201 ? IntAt(response.Json(), "id") : 0;
}

HttpClient ServerTest::LoggedInClient(std::string_view login) {
  HttpClient client = NewClient();
  const Response response = client.Login(login, kUserPassword);
  EXPECT_EQ(response.status, 200) << Describe(response);
  return client;
}

std::int64_t ServerTest::CreateCustomer(std::string_view name, std::string_view phone) {
  boost::json::object body;
  body["name"] = name;
  body["phone"] = phone;
  const Response response = admin().Post("/api/v1/customers", body);
  EXPECT_EQ(response.status, 201) << Describe(response);
  return response.status == 201 ? IntAt(response.Json(), "id") : 0;
}

boost::json::value ServerTest::CreateTicket(std::int64_t customer_id, std::string_view subject,
                                            std::string_view channel) {
  boost::json::object body;
  body["customer_id"] = customer_id;
  body["channel"] = channel;
  body["subject"] = subject;
  body["body"] = "Details of " + std::string(subject);
  const Response response = admin().Post("/api/v1/tickets", body);
  EXPECT_EQ(response.status, 201) << Describe(response);
  if (response.status != 201) return nullptr;
  const boost::json::value json = response.Json();
  const boost::json::value* ticket = Find(json, "ticket");
  return ticket != nullptr ? *ticket : nullptr;
}

boost::json::object TicketBody(std::string_view subject, std::string_view phone) {
  boost::json::object customer;
  customer["name"] = "Customer " + std::string(phone);
  customer["phone"] = phone;
  boost::json::object body;
  body["customer"] = std::move(customer);
  body["channel"] = "phone";
  body["subject"] = subject;
  body["body"] = "The complaint: " + std::string(subject);
  return body;
}

std::vector<boost::json::object> ListAllTickets(HttpClient& client, std::string_view query) {
  std::vector<boost::json::object> tickets;
  std::string cursor;
  for (;;) {
    std::string target = "/api/v1/tickets?limit=200";
    if (!query.empty()) target.append("&").append(query);
    if (!cursor.empty()) target += "&cursor=" + UrlEncode(cursor);
    const Response response = client.Get(target);
    if (response.status != 200) {
      ADD_FAILURE() << "GET " << target << ": " << Describe(response);
      return tickets;
    }
    const boost::json::value json = response.Json();
    const boost::json::value* page = Find(json, "tickets");
    if (page == nullptr || !page->is_array()) {
      ADD_FAILURE() << "GET " << target << ": no tickets array: " << Describe(response);
      return tickets;
    }
    for (const auto& ticket : page->as_array()) tickets.push_back(ticket.as_object());
    const boost::json::value* next = Find(json, "next_cursor");
    if (next == nullptr || !next->is_string() || next->as_string().empty()) return tickets;
    cursor = std::string(next->as_string());
  }
}

const boost::json::value* Find(const boost::json::value& root, std::string_view path) {
  const boost::json::value* at = &root;
  while (!path.empty()) {
    const auto dot = path.find('.');
    const std::string_view key = path.substr(0, dot);
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
    if (const auto* object = at->if_object()) {
      at = object->if_contains(key);
    } else if (const auto* array = at->if_array()) {
      std::size_t index = 0;
      const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), index);
      if (ec != std::errc() || end != key.data() + key.size() || index >= array->size()) {
        return nullptr;
      }
      at = &(*array)[index];
    } else {
      return nullptr;
    }
    if (at == nullptr) return nullptr;
  }
  return at;
}

std::int64_t IntAt(const boost::json::value& root, std::string_view path) {
  const boost::json::value* value = Find(root, path);
  if (value == nullptr) return -1;
  if (value->is_int64()) return value->as_int64();
  if (value->is_uint64()) return static_cast<std::int64_t>(value->as_uint64());
  return -1;
}

std::string StrAt(const boost::json::value& root, std::string_view path) {
  const boost::json::value* value = Find(root, path);
  if (value == nullptr || !value->is_string()) return "<missing>";
  return std::string(value->as_string());
}

bool IsNullAt(const boost::json::value& root, std::string_view path) {
  const boost::json::value* value = Find(root, path);
  return value != nullptr && value->is_null();
}

boost::json::array ArrayAt(const boost::json::value& root, std::string_view path) {
  const boost::json::value* value = Find(root, path);
  if (value == nullptr || !value->is_array()) {
    ADD_FAILURE() << "no array at " << path << " in " << boost::json::serialize(root);
    return {};
  }
  return value->as_array();
}

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out;
}

std::vector<std::vector<std::string>> Query(const std::string& db_path, const std::string& sql) {
  std::vector<std::vector<std::string>> rows;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << db_path;
    sqlite3_close(db);
    return rows;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sqlite3_errmsg(db);
  } else {
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        const auto* text = sqlite3_column_text(st, i);
        row.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
      }
      rows.push_back(std::move(row));
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rows;
}

}  // namespace ombud::test
