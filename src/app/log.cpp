#include "app/log.hpp"

#include <unistd.h>

#include <boost/json.hpp>

#include <chrono>
#include <string>

#include "app/real_clock.hpp"

namespace ombud::app {

void Log(std::string_view level, std::string_view message,
         std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  const RealClock clock;
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch()).count();
  boost::json::object line{{"ts_ms", ms}, {"level", level}, {"msg", message}};
  for (const auto& [k, v] : fields) line[k] = v;
  std::string text = boost::json::serialize(line);
  text += '\n';
  (void)!::write(STDERR_FILENO, text.data(), text.size());
}

}  // namespace ombud::app
