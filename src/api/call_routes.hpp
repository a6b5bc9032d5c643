#pragma once

#include <boost/json.hpp>

#include <memory>

#include "api/router.hpp"
#include "desk/calls.hpp"
#include "desk/policy.hpp"
#include "store/store.hpp"

namespace ombud::api {

// POST /api/v1/calls: an agent logs a phone call (docs/api.md, "Phone calls").
void RegisterCallRoutes(Router& router, store::Store& store,
                        std::shared_ptr<const desk::Policy> policy);

// The JSON answer of a logged call: {"action","ticket","article","call"}.
boost::json::object CallLoggedJson(const desk::CallLogged& logged);

}  // namespace ombud::api
