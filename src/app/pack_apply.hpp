#pragma once

#include <memory>
#include <string>
#include <vector>

#include "desk/policy.hpp"
#include "domain/result.hpp"
#include "store/store.hpp"

namespace ombud::app {

// Applies the pack in `path` to the store: records it (unless the same text is already the
// active pack) and creates or updates its departments. Idempotent; returns what changed.
Result<std::vector<std::string>> ApplyPackFile(store::Store& store, const std::string& path);

// The policy of the pack last applied to the store; nullptr when none was.
Result<std::shared_ptr<const desk::Policy>> LoadActivePolicy(store::Store& store);

}  // namespace ombud::app
