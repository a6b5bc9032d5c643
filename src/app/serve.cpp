#include "app/serve.hpp"

#include <signal.h>
#include <sodium.h>

#include <charconv>
#include <cstdio>
#include <iostream>
#include <optional>
#include <thread>

#include "api/api.hpp"
#include "api/call_routes.hpp"
#include "api/http_server.hpp"
#include "api/json_output.hpp"
#include "app/audit_anchor.hpp"
#include "app/demo.hpp"
#include "app/housekeeping.hpp"
#include "app/log.hpp"
#include "app/pack_apply.hpp"
#include "app/real_clock.hpp"
#include "desk/clocks.hpp"
#include "desk/desk.hpp"
#include "jobs/mail_ingest.hpp"
#include "jobs/scheduler.hpp"
#include "store/audit_chain.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace ombud::app {

bool SplitListen(const std::string& listen, std::string& host, std::uint16_t& port) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const char* begin = listen.data() + colon + 1;
  const char* end = listen.data() + listen.size();
  const auto [p, ec] = std::from_chars(begin, end, port);
  return ec == std::errc() && p == end && begin != end;
}

namespace {

// Creates the first administrator when the database has no user; prints its credentials.
Status EnsureFirstAdmin(store::Store& store, const std::string& given_password) {
  std::int64_t users = 0;
  OMBUD_RETURN_IF_ERROR(store.Read([&users](store::ReadTx& tx) -> Status {
    OMBUD_ASSIGN_OR_RETURN(users, tx.CountUsers());
    return {};
  }));
  if (users > 0) return {};
  const std::string password = given_password.empty() ? store::RandomHex(8) : given_password;
  OMBUD_ASSIGN_OR_RETURN(const std::string hash, api::HashPassword(password));
  OMBUD_RETURN_IF_ERROR(store.WriteSync([&hash](store::WriteTx& tx) -> Status {
    domain::User admin;
    admin.login = "admin";
    admin.display_name = "Administrator";
    admin.role = domain::Role::kAdmin;
    OMBUD_RETURN_IF_ERROR(desk::CreateUser(tx, desk::SystemActor("system"), admin, hash));
    return {};
  }));
  std::cout << "first admin: login=admin password=" << password << std::endl;
  return {};
}

}  // namespace

int Serve(const ServeOptions& options) {
  std::string host;
  std::uint16_t port = 0;
  if (!SplitListen(options.listen, host, port)) {
    std::cerr << "ombud serve: --listen must be HOST:PORT, got '" << options.listen << "'\n";
    return 2;
  }
  if (sodium_init() < 0) {
    std::cerr << "ombud serve: libsodium failed to initialise\n";
    return 1;
  }
  // Signals are taken by a dedicated thread; block them everywhere else.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  OffsetClock clock;  // Offset stays 0 unless --test-clock lets an admin move it.
  auto opened = store::sqlite::SqliteStore::Open(
      {options.db, std::max(4, options.threads + 2), 1024, &clock});
  if (!opened) {
    std::cerr << "ombud serve: " << opened.error().message << "\n";
    return 1;
  }
  auto& store = **opened;
  if (auto s = EnsureFirstAdmin(store, options.admin_password); !s) {
    std::cerr << "ombud serve: cannot create the first admin: " << s.error().message << "\n";
    return 1;
  }
  if (!options.pack.empty()) {
    auto applied = ApplyPackFile(store, options.pack);
    if (!applied) {
      std::cerr << "ombud serve: " << applied.error().message << "\n";
      return 1;
    }
    for (const auto& change : *applied) std::cout << "pack: " << change << "\n";
  }
  auto policy = LoadActivePolicy(store);
  if (!policy) {
    std::cerr << "ombud serve: the active pack does not load: " << policy.error().message << "\n";
    return 1;
  }
  if (*policy) std::cout << "policy pack: " << (*policy)->pack().id << std::endl;

  if (options.demo) {
    const std::string demo_password =
        options.admin_password.empty() ? store::RandomHex(8) : options.admin_password;
    auto loaded = LoadDemoCompany(store, demo_password, policy->get());
    if (!loaded) {
      std::cerr << "ombud serve: cannot load the demo company: " << loaded.error().message << "\n";
      return 1;
    }
    if (*loaded) {
      std::cout << "demo company loaded: staff logins supervisor, agent, tech, business; password="
                << demo_password << std::endl;
    }
  }

  std::optional<AnchorWriter> anchors;
  if (!options.audit_anchors.empty()) {
    anchors.emplace(store, clock, options.audit_anchors,
                    std::chrono::seconds(options.audit_anchor_interval_seconds));
  }

  const HousekeepingOptions housekeeping{
      .idempotency_retention = std::chrono::hours(options.idempotency_retention_hours)};
  if (auto scheduled = ScheduleHousekeeping(store); !scheduled) {
    std::cerr << "ombud serve: " << scheduled.error().message << "\n";
    return 1;
  }
  jobs::Scheduler scheduler(store, clock,
                            [housekeeping](store::WriteTx& tx, const store::Timer& timer) {
                              if (auto done = FireHousekeeping(tx, timer, housekeeping))
                                return *done;
                              return desk::FireTimer(tx, timer);
                            });
  store.OnTimerScheduled([&scheduler](domain::Millis) { scheduler.Wake(); });
  // Senders are registered and the workers started once the port is known (Kannel's dlr-url
  // points back at it); the observer is set before any concurrent write.
  auto outbox = MakeOutboxWorker(store, clock, options.delivery);
  store.OnOutboxEnqueued([&outbox] { outbox->Wake(); });
  scheduler.Start();
  api::TestClockControl test_clock{
      [&clock, &scheduler, &outbox](std::chrono::system_clock::time_point at) {
        clock.Set(at);
        scheduler.Wake();
        outbox->Wake();
      },
      [&clock, &scheduler, &outbox](std::chrono::milliseconds by) {
        clock.Advance(by);
        scheduler.Wake();
        outbox->Wake();
      }};

  store::AttachmentStore attachments(options.attachments_dir.empty() ? options.db + ".files"
                                                                     : options.attachments_dir);
  api::Metrics metrics;
  api::Api api(store, attachments, clock, metrics, *policy,
               options.test_clock ? &test_clock : nullptr);
  api::Router router;
  api.RegisterRoutes(router);
  // E-mail over HTTP (an MTA or mail relay posting message/rfc822): staff tokens only.
  router.Add("POST", "/api/v1/mail/inbound", api::Access::kAuthenticated,
             [&store, &attachments, p = *policy](api::Request& req, api::Reply reply) {
               if (!req.actor->IsStaff()) {
                 return reply(api::ErrorResponse(403, "permission_denied", "staff only"));
               }
               auto outcome = jobs::IngestRawEmail(store, attachments, p.get(), req.body);
               if (!outcome) return reply(api::ErrorResponse(outcome.error()));
               boost::json::object body{{"action", outcome->action}};
               body["ticket"] = outcome->ticket ? boost::json::value(api::ToJson(*outcome->ticket))
                                                : boost::json::value(nullptr);
               reply(api::Response{outcome->action == "created" ? 201 : 200,
                                   boost::json::serialize(body),
                                   "application/json",
                                   {}});
             });
  RegisterDeliveryRoutes(router, store, *policy, options.delivery);
  metrics.AddSource([&outbox] { return outbox->RenderMetrics(); });
  // Messenger, phone and IMAP (docs/channels.md).
  auto messenger = MessengerSettingsFrom(options.channels);
  if (!messenger) {
    std::cerr << "ombud serve: " << messenger.error().message << "\n";
    return 2;
  }
  api::RegisterCallRoutes(router, store, *policy);
  const jobs::MessengerSettings messenger_sender = *messenger;  // Replies go out through it.
  RegisterChannelRoutes(router, store, *policy, std::move(*messenger), options.channels.cti_secret);
  auto imap_poller = MakeImapPoller(options.channels, store, attachments, policy->get());
  if (imap_poller) imap_poller->Start();
  api::ServerOptions server_options;
  server_options.address = host;
  server_options.port = port;
  server_options.threads = std::max(1, options.threads);
  server_options.read_timeout = std::chrono::seconds(std::max(1, options.read_timeout_seconds));
  api::HttpServer server(
      server_options, router, [&api](api::Request& r) { return api.Authenticate(r); }, metrics);
  auto bound = server.Listen();
  if (!bound) {
    std::cerr << "ombud serve: " << bound.error().message << "\n";
    return 1;
  }
  const std::string url = "http://" + host + ":" + std::to_string(*bound);
  if (auto s = RegisterSenders(*outbox, options.delivery, url, attachments); !s) {
    std::cerr << "ombud serve: " << s.error().message << "\n";
    scheduler.Stop();
    store.OnTimerScheduled(nullptr);
    store.OnOutboxEnqueued(nullptr);
    return 2;
  }
  RegisterMessengerSender(*outbox, messenger_sender);
  outbox->Start();
  std::cout << "listening on " << url << std::endl;
  Log("info", "serving", {{"url", url}, {"db", options.db}});

  std::thread waiter([&server, signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    server.Stop();
  });
  server.Run();
  // Run returned because a signal stopped it; the waiter has finished.
  waiter.join();
  // Finish queued writes while the server's I/O context still exists: their completions hold
  // the last references to connections, which must not outlive it.
  if (imap_poller) imap_poller->Stop();
  scheduler.Stop();
  outbox->Stop();
  if (anchors) anchors->Stop();  // Anchors the final head.
  store.OnTimerScheduled(nullptr);
  store.OnOutboxEnqueued(nullptr);
  opened->reset();
  Log("info", "stopped", {{"url", url}});
  return 0;
}

}  // namespace ombud::app
