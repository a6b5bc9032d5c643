#pragma once

#include <string>

#include "desk/policy.hpp"
#include "domain/result.hpp"
#include "store/store.hpp"

namespace ombud::app {

// Loads the demo company (departments of a hosting company, staff, customers speaking
// English, Vietnamese and Khmer, and tickets on several channels) unless it is loaded already.
// Staff accounts get `password`. With a policy (the hosting pack, say) staff join the pack's
// departments and tickets go through its intake; without one the departments are created.
// Returns false when it was loaded before.
Result<bool> LoadDemoCompany(store::Store& store, const std::string& password,
                             const desk::Policy* policy = nullptr);

}  // namespace ombud::app
