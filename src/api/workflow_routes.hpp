#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "api/router.hpp"
#include "desk/policy.hpp"
#include "domain/clock.hpp"
#include "store/store.hpp"

namespace ombud::api {

class ChatHub;

// Moves the server's clock (serve --test-clock only).
struct TestClockControl {
  std::function<void(std::chrono::system_clock::time_point)> set;
  std::function<void(std::chrono::milliseconds)> advance;
};

// The complaint-process routes (docs/api.md, "Workflow"): clocks, information requests,
// hand-offs, answers, queue, escalations, compensation, negotiation, suspension,
// notifications, the active pack, and the test clock when `test_clock` is set.
// `forget_credentials` drops cached credentials after a suspension (R-SMT-3: at once).
void RegisterWorkflowRoutes(Router& router, store::Store& store, const Clock& clock,
                            std::shared_ptr<const desk::Policy> policy,
                            const TestClockControl* test_clock,
                            std::function<void()> forget_credentials, ChatHub* hub = nullptr);

}  // namespace ombud::api
