#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "integration/server_test.hpp"

namespace ombud::test {
namespace {

using Route = std::pair<std::string, std::string>;  // Method (upper case), path template.

constexpr std::string_view kMethods[] = {"get", "put", "post", "delete", "patch", "head"};

std::set<Route> DocumentedRoutes(const boost::json::value& document) {
  std::set<Route> routes;
  const boost::json::value* paths = Find(document, "paths");
  if (paths == nullptr || !paths->is_object()) return routes;
  for (const auto& [path, item] : paths->as_object()) {
    for (const auto method : kMethods) {
      if (item.as_object().contains(method)) {
        std::string upper(method);
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        routes.emplace(upper, std::string(path));
      }
    }
  }
  return routes;
}

std::string Join(const std::set<Route>& routes) {
  std::string text;
  for (const auto& [method, path] : routes) text += "  " + method + " " + path + "\n";
  return text;
}

// A concrete target for a path template: every {param} becomes an id that does not exist.
std::string Instantiate(const std::string& path) {
  std::string target;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '{') {
      i = path.find('}', i);
      target += "987654";
    } else {
      target += path[i];
    }
  }
  return target;
}

using OpenApiTest = ServerTest;

TEST_F(OpenApiTest, ServesTheDocumentFromTheSourceTree) {
  HttpClient anonymous = NewClient();
  const Response served = anonymous.Get("/api/v1/openapi.json");
  ASSERT_EQ(served.status, 200) << Describe(served);
  EXPECT_NE(served.Header("Content-Type").find("application/json"), std::string::npos);
  const auto document = served.Json();
  EXPECT_EQ(StrAt(document, "openapi"), "3.1.0");
  EXPECT_FALSE(DocumentedRoutes(document).empty());

  const char* source_dir = OMBUD_SOURCE_DIR;
  std::ifstream file(std::string(source_dir) + "/src/api/openapi.json");
  ASSERT_TRUE(file.good());
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_EQ(document, boost::json::parse(text.str())) << "the embedded document is stale";
}

TEST_F(OpenApiTest, EveryDocumentedRouteIsServed) {
  const auto document = admin().Get("/api/v1/openapi.json").Json();
  const std::set<Route> documented = DocumentedRoutes(document);
  ASSERT_FALSE(documented.empty());
  // Logout last: it may end the credentials used for the other probes.
  std::vector<Route> order(documented.begin(), documented.end());
  std::stable_partition(order.begin(), order.end(),
                        [](const Route& r) { return r.second != "/api/v1/auth/logout"; });
  for (const auto& [method, path] : order) {
    SCOPED_TRACE(method + " " + path);
    const std::string body = (method == "POST" || method == "PATCH") ? "{}" : "";
    const Response response = admin().Request(method, Instantiate(path), body);
    ASSERT_NE(response.status, 0) << Describe(response);
    EXPECT_NE(response.status, 405) << Describe(response);
    const bool route_missing = response.status == 404 && response.ErrorCode() == "not_found" &&
                               StrAt(response.Json(), "error.message").rfind("no route", 0) == 0;
    EXPECT_FALSE(route_missing) << Describe(response);
  }
}

TEST_F(OpenApiTest, DocumentedRoutesEqualTheServersRoutes) {
  const auto document = admin().Get("/api/v1/openapi.json").Json();
  const std::set<Route> documented = DocumentedRoutes(document);

  const Response listed = admin().Get("/api/v1/_routes");
  ASSERT_EQ(listed.status, 200) << Describe(listed);
  std::set<Route> served;
  for (const auto& route : ArrayAt(listed.Json(), "routes")) {
    served.emplace(StrAt(route, "method"), StrAt(route, "path"));
  }
  std::set<Route> undocumented;
  std::set_difference(served.begin(), served.end(), documented.begin(), documented.end(),
                      std::inserter(undocumented, undocumented.end()));
  std::set<Route> unserved;
  std::set_difference(documented.begin(), documented.end(), served.begin(), served.end(),
                      std::inserter(unserved, unserved.end()));
  EXPECT_TRUE(undocumented.empty()) << "served but not documented:\n" << Join(undocumented);
  EXPECT_TRUE(unserved.empty()) << "documented but not served:\n" << Join(unserved);

  // The route list is for admins only.
  ASSERT_GT(CreateUser("agent-routes", "agent"), 0);
  HttpClient agent = LoggedInClient("agent-routes");
  EXPECT_EQ(agent.Get("/api/v1/_routes").status, 403);
}

}  // namespace
}  // namespace ombud::test
