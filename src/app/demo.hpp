#pragma once

#include <string>

#include "domain/result.hpp"
#include "store/store.hpp"

namespace ombud::app {

// Loads the demo company (departments of a hosting company, staff, customers speaking
// English, Vietnamese and Khmer, and tickets on several channels) unless it is loaded already.
// Staff accounts get `password`. Returns false when it was loaded before.
Result<bool> LoadDemoCompany(store::Store& store, const std::string& password);

}  // namespace ombud::app
