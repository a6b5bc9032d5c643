#include "app/cli.hpp"

#include <sodium.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <iterator>

#include "api/api.hpp"
#include "app/audit_anchor.hpp"
#include "app/pack_apply.hpp"
#include "app/real_clock.hpp"
#include "app/serve.hpp"
#include "desk/desk.hpp"
#include "jobs/mail_ingest.hpp"
#include "ombud/version.hpp"
#include "store/audit_chain.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/sqlite_store.hpp"
#if __has_include("app/time_cli.hpp")
#include "app/time_cli.hpp"
#define OMBUD_HAS_TIME_CLI 1
#endif
#if __has_include("app/pack_cli.hpp")
#include "app/pack_cli.hpp"
#define OMBUD_HAS_PACK_CLI 1
#endif

namespace ombud::app {

namespace {

Result<std::unique_ptr<store::sqlite::SqliteStore>> OpenStore(const std::string& db,
                                                              const Clock& clock) {
  return store::sqlite::SqliteStore::Open({db, 1, 1024, &clock});
}

int Failed(std::string_view command, const Error& e) {
  std::cerr << "ombud " << command << ": " << e.message << "\n";
  return 1;
}

struct UserAddOptions {
  std::string db = "ombud.db";
  std::string login;
  std::string name;
  std::string role = "agent";
  std::string password;
  std::int64_t department_id = 0;
  std::string token_name;
};

int UserAdd(const UserAddOptions& o) {
  auto role = domain::ParseRole(o.role, "--role");
  if (!role) {
    std::cerr << "ombud user add: " << role.error().message << "\n";
    return 2;
  }
  if (*role == domain::Role::kCustomer) {
    std::cerr << "ombud user add: --role customer accounts are created through the API\n";
    return 2;
  }
  if (!o.password.empty() && o.password.size() < 10) {
    std::cerr << "ombud user add: --password must be at least 10 characters long\n";
    return 2;
  }
  if (sodium_init() < 0) return 1;
  RealClock clock;
  auto store = OpenStore(o.db, clock);
  if (!store) return Failed("user add", store.error());
  const std::string password = o.password.empty() ? store::RandomHex(8) : o.password;
  auto hash = api::HashPassword(password);
  if (!hash) return Failed("user add", hash.error());
  domain::User user;
  user.login = o.login;
  user.display_name = o.name.empty() ? o.login : o.name;
  user.role = *role;
  if (o.department_id > 0) user.department_id = o.department_id;
  const std::string token = o.token_name.empty() ? "" : "omb_" + store::RandomHex(24);
  auto s = (*store)->WriteSync([&](store::WriteTx& tx) -> Status {
    const desk::Actor cli = desk::SystemActor("cli");
    OMBUD_ASSIGN_OR_RETURN(user, desk::CreateUser(tx, cli, user, *hash));
    if (!token.empty()) {
      const desk::Actor as_user{"user:" + std::to_string(user.id), user.role, user.id, {}};
      OMBUD_RETURN_IF_ERROR(desk::IssueApiToken(tx, as_user, store::HashHex(token), o.token_name));
    }
    return {};
  });
  if (!s) return Failed("user add", s.error());
  std::cout << "user " << user.id << " login=" << user.login << " role=" << domain::Name(user.role);
  if (o.password.empty()) std::cout << " password=" << password;
  if (!token.empty()) std::cout << " token=" << token;
  std::cout << "\n";
  return 0;
}

// Exit codes follow sysexits.h so an MTA retries what is temporary (EX_TEMPFAIL) and bounces
// what is not (EX_DATAERR).
int MailIngest(const std::string& db) {
  std::string raw((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  RealClock clock;
  auto store = OpenStore(db, clock);
  if (!store) {
    std::cerr << "ombud mail ingest: " << store.error().message << "\n";
    return 75;
  }
  auto policy = LoadActivePolicy(**store);
  if (!policy) {
    std::cerr << "ombud mail ingest: " << policy.error().message << "\n";
    return 75;
  }
  store::AttachmentStore attachments(db + ".files");
  auto outcome = jobs::IngestRawEmail(**store, attachments, policy->get(), raw);
  if (!outcome) {
    std::cerr << "ombud mail ingest: " << outcome.error().message << "\n";
    return outcome.error().code == ErrorCode::kUnavailable ? 75 : 65;
  }
  std::cout << outcome->action;
  if (outcome->ticket) std::cout << " " << outcome->ticket->number;
  std::cout << "\n";
  return 0;
}

int AuditVerify(const std::string& db, const std::string& anchors) {
  RealClock clock;
  auto store = OpenStore(db, clock);
  if (!store) return Failed("audit verify", store.error());
  auto verdict = (*store)->VerifyAudit();
  if (!verdict) return Failed("audit verify", verdict.error());
  if (!verdict->ok) {
    std::cout << "TAMPERED: " << verdict->problem << "\n";
    return 1;
  }
  if (!anchors.empty()) {
    auto anchored = CheckAuditAnchors(**store, anchors);
    if (!anchored) return Failed("audit verify", anchored.error());
    if (!anchored->ok) {
      std::cout << "TAMPERED: " << anchored->problem << "\n";
      return 1;
    }
    std::cout << "ok: " << verdict->entries << " entries, chain intact, " << anchored->anchors
              << " anchors match\n";
    return 0;
  }
  std::cout << "ok: " << verdict->entries << " entries, chain intact\n";
  return 0;
}

int AuditAnchor(const std::string& db, const std::string& file) {
  RealClock clock;
  auto store = OpenStore(db, clock);
  if (!store) return Failed("audit anchor", store.error());
  auto seq = AppendAuditAnchor(**store, file, clock.Now());
  if (!seq) return Failed("audit anchor", seq.error());
  std::cout << "anchored entry " << *seq << " in " << file << "\n";
  return 0;
}

}  // namespace

int RunCli(int argc, char** argv) {
  CLI::App app{"Ombud: a complaint-handling desk", "ombud"};
  app.set_version_flag("--version", std::string("ombud ") + kVersion);
  app.require_subcommand(0, 1);
  int exit_code = 0;

  ServeOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "Run the HTTP server");
  serve_cmd->add_option("--db", serve.db, "SQLite database file (created when missing)");
  serve_cmd->add_option("--listen", serve.listen, "HOST:PORT to listen on (port 0: any free)");
  serve_cmd->add_option("--threads", serve.threads, "I/O threads")->check(CLI::Range(1, 64));
  serve_cmd
      ->add_option("--read-timeout", serve.read_timeout_seconds,
                   "Seconds a client has to send a whole request")
      ->check(CLI::Range(1, 3600));
  serve_cmd->add_option("--attachments-dir", serve.attachments_dir,
                        "Where attachment files live (default: <db>.files)");
  serve_cmd->add_flag("--demo", serve.demo, "Load a demo company into an empty database");
  serve_cmd->add_option("--admin-password", serve.admin_password,
                        "Password of the first admin when the database has no user");
  serve_cmd->add_option("--pack", serve.pack, "Apply this policy pack before serving");
  serve_cmd->add_flag("--test-clock", serve.test_clock,
                      "Let an admin set and advance the server clock (tests only)");
  serve_cmd->add_option("--audit-anchors", serve.audit_anchors,
                        "Append the audit chain's head to this file (keep it off this disk)");
  serve_cmd
      ->add_option("--audit-anchor-interval", serve.audit_anchor_interval_seconds,
                   "Seconds between audit anchors")
      ->check(CLI::Range(1, 86400));
  serve_cmd
      ->add_option("--idempotency-retention-hours", serve.idempotency_retention_hours,
                   "Hours a stored answer replays for its Idempotency-Key")
      ->check(CLI::Range(1, 24 * 365));
  AddDeliveryOptions(*serve_cmd, serve.delivery);
  AddChannelFlags(*serve_cmd, serve.channels);
  serve_cmd->callback([&] { exit_code = Serve(serve); });

  std::string migrate_db = "ombud.db";
  auto* migrate_cmd = app.add_subcommand("migrate", "Create or upgrade the database schema");
  migrate_cmd->add_option("--db", migrate_db, "SQLite database file");
  migrate_cmd->callback([&] {
    RealClock clock;
    auto store = OpenStore(migrate_db, clock);
    if (!store) {
      exit_code = Failed("migrate", store.error());
      return;
    }
    std::cout << "schema is at version " << store::sqlite::LatestSchemaVersion() << "\n";
  });

  UserAddOptions user_add;
  auto* user_cmd = app.add_subcommand("user", "Manage staff accounts");
  user_cmd->require_subcommand(1);
  auto* user_add_cmd = user_cmd->add_subcommand("add", "Add a staff account");
  user_add_cmd->add_option("--db", user_add.db, "SQLite database file");
  user_add_cmd->add_option("--login", user_add.login, "Login name")->required();
  user_add_cmd->add_option("--name", user_add.name, "Display name");
  user_add_cmd->add_option("--role", user_add.role, "admin, supervisor or agent");
  user_add_cmd->add_option("--password", user_add.password, "Password (random when omitted)");
  user_add_cmd->add_option("--department", user_add.department_id, "Department id");
  user_add_cmd->add_option("--token", user_add.token_name,
                           "Also issue an API token with this name");
  user_add_cmd->callback([&] { exit_code = UserAdd(user_add); });

  std::string audit_db = "ombud.db";
  std::string audit_anchors;
  auto* audit_cmd = app.add_subcommand("audit", "Inspect the audit log");
  audit_cmd->require_subcommand(1);
  auto* verify_cmd = audit_cmd->add_subcommand("verify", "Check the whole audit chain");
  verify_cmd->add_option("--db", audit_db, "SQLite database file");
  verify_cmd->add_option("--anchors", audit_anchors,
                         "Also check the anchors in this file (audit anchor, serve "
                         "--audit-anchors)");
  verify_cmd->callback([&] { exit_code = AuditVerify(audit_db, audit_anchors); });
  std::string anchor_file;
  auto* anchor_cmd = audit_cmd->add_subcommand(
      "anchor", "Append the chain's head to a file kept outside the database");
  anchor_cmd->add_option("--db", audit_db, "SQLite database file");
  anchor_cmd->add_option("--file", anchor_file, "The anchors file (appended to)")->required();
  anchor_cmd->callback([&] { exit_code = AuditAnchor(audit_db, anchor_file); });

  std::string mail_db = "ombud.db";
  auto* mail_cmd = app.add_subcommand("mail", "E-mail intake");
  mail_cmd->require_subcommand(1);
  auto* ingest_cmd = mail_cmd->add_subcommand(
      "ingest", "File one RFC 5322 message read from standard input (an MTA pipe)");
  ingest_cmd->add_option("--db", mail_db, "SQLite database file");
  ingest_cmd->callback([&] { exit_code = MailIngest(mail_db); });

  auto* help_cmd = app.add_subcommand("help", "Show this help");
  help_cmd->callback([&] {
    std::cout << app.get_formatter()->make_help(&app, "ombud", CLI::AppFormatMode::Normal);
  });

#ifdef OMBUD_HAS_TIME_CLI
  RegisterTimeCommands(app, exit_code);
#endif
#ifdef OMBUD_HAS_PACK_CLI
  RegisterPackCommands(app, exit_code);
  std::string apply_file;
  std::string apply_db = "ombud.db";
  auto* apply_cmd = app.get_subcommand("pack")->add_subcommand(
      "apply", "Make FILE the active pack of the database and create its departments");
  apply_cmd->add_option("FILE", apply_file, "Policy pack YAML")->required();
  apply_cmd->add_option("--db", apply_db, "SQLite database file");
  apply_cmd->callback([&] {
    RealClock clock;
    auto store = OpenStore(apply_db, clock);
    if (!store) {
      exit_code = Failed("pack apply", store.error());
      return;
    }
    auto changes = ApplyPackFile(**store, apply_file);
    if (!changes) {
      std::cerr << "ombud pack apply: " << changes.error().message << "\n";
      exit_code = 2;
      return;
    }
    if (changes->empty()) std::cout << "no change: " << apply_file << " is already active\n";
    for (const auto& c : *changes) std::cout << c << "\n";
  });
#endif

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "ombud: " << e.what() << "\n(run 'ombud help' for usage)\n";
    return 2;
  }
  if (argc == 1) std::cout << app.help();
  return exit_code;
}

}  // namespace ombud::app
