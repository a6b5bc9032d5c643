#include "store/store.hpp"

#include <future>

namespace ombud::store {

Status Store::WriteSync(WriteFn fn) {
  std::promise<Status> promise;
  auto future = promise.get_future();
  Write(std::move(fn), [&promise](Status s) { promise.set_value(std::move(s)); });
  return future.get();
}

}  // namespace ombud::store
