// ombud_bench_populate: fills a stopped server's database with many tickets through the Store
// port (same schema, numbering and constraints as the server), for read benchmarks only.
// Tickets are spread evenly over the departments and cycle through the states.

#include <array>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/real_clock.hpp"
#include "domain/model.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace ombud::bench {
namespace {

using domain::TicketState;

// 10% new, 30% open, 10% each pending, 20% resolved, 20% closed.
constexpr std::array<TicketState, 10> kStateCycle = {TicketState::kNew,
                                                     TicketState::kOpen,
                                                     TicketState::kOpen,
                                                     TicketState::kOpen,
                                                     TicketState::kPendingCustomer,
                                                     TicketState::kPendingDepartment,
                                                     TicketState::kResolved,
                                                     TicketState::kResolved,
                                                     TicketState::kClosed,
                                                     TicketState::kClosed};

constexpr std::array<domain::Channel, 4> kChannels = {
    domain::Channel::kPhone, domain::Channel::kEmail, domain::Channel::kSms, domain::Channel::kWeb};

struct Options {
  std::string db;
  std::int64_t tickets = 1'000'000;
  int departments = 5;
  int customers = 10'000;
  int batch = 10'000;
};

int Fail(const std::string& what, const Error& error) {
  std::cerr << what << ": " << error.message << "\n";
  return 1;
}

int Run(const Options& options) {
  app::RealClock clock;
  auto opened =
      store::sqlite::SqliteStore::Open({.path = options.db, .readers = 1, .clock = &clock});
  if (!opened) return Fail("open " + options.db, opened.error());
  store::Store& store = **opened;
  const auto started = std::chrono::steady_clock::now();

  std::vector<domain::Id> departments;
  auto status = store.WriteSync([&](store::WriteTx& tx) -> Status {
    for (int d = 0; d < options.departments; ++d) {
      domain::Department department;
      department.name = "Bench department " + std::to_string(d + 1);
      department.scope = {"bench"};
      OMBUD_RETURN_IF_ERROR(tx.InsertDepartment(department));
      departments.push_back(department.id);
    }
    return {};
  });
  if (!status) return Fail("departments", status.error());

  std::vector<domain::Id> customers;
  status = store.WriteSync([&](store::WriteTx& tx) -> Status {
    for (int c = 0; c < options.customers; ++c) {
      domain::Customer customer;
      customer.name = "Bench customer " + std::to_string(c);
      OMBUD_ASSIGN_OR_RETURN(const domain::Id id, tx.InsertCustomer(customer));
      OMBUD_RETURN_IF_ERROR(tx.AddIdentity(
          id, {domain::IdentityKind::kPhone, "+8559" + std::to_string(10000000 + c)}));
      customers.push_back(id);
    }
    return {};
  });
  if (!status) return Fail("customers", status.error());

  for (std::int64_t first = 0; first < options.tickets; first += options.batch) {
    const std::int64_t last = std::min(options.tickets, first + options.batch);
    status = store.WriteSync([&](store::WriteTx& tx) -> Status {
      for (std::int64_t i = first; i < last; ++i) {
        domain::Ticket ticket;
        ticket.channel = kChannels[static_cast<std::size_t>(i) % kChannels.size()];
        ticket.customer_id = customers[static_cast<std::size_t>(i) % customers.size()];
        ticket.subject = "Bench ticket " + std::to_string(i);
        ticket.category = "bench";
        ticket.department_id = departments[static_cast<std::size_t>(i) % departments.size()];
        ticket.state =
            kStateCycle[static_cast<std::size_t>(i / options.departments) % kStateCycle.size()];
        OMBUD_RETURN_IF_ERROR(tx.InsertTicket(ticket));
      }
      return {};
    });
    if (!status) return Fail("tickets", status.error());
  }
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
  std::cout << "populated " << options.tickets << " tickets, " << options.customers
            << " customers in " << seconds.count() << " s\n";
  for (const domain::Id id : departments) std::cout << "department_id=" << id << "\n";
  return 0;
}

}  // namespace
}  // namespace ombud::bench

int main(int argc, char** argv) {
  ombud::bench::Options options;
  CLI::App app{"ombud_bench_populate: bulk tickets for read benchmarks (server stopped)"};
  app.add_option("--db", options.db, "SQLite database file")->required();
  app.add_option("--tickets", options.tickets, "Tickets to add")->capture_default_str();
  app.add_option("--departments", options.departments, "Departments to create")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  app.add_option("--customers", options.customers, "Customers to create")
      ->capture_default_str()
      ->check(CLI::Range(1, 10'000'000));
  app.add_option("--batch", options.batch, "Tickets per transaction")
      ->capture_default_str()
      ->check(CLI::Range(1, 1'000'000));
  CLI11_PARSE(app, argc, argv);
  return ombud::bench::Run(options);
}
