#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "app/channel_setup.hpp"
#include "app/delivery.hpp"

namespace ombud::app {

struct ServeOptions {
  std::string db = "ombud.db";
  std::string listen = "127.0.0.1:8080";
  std::string attachments_dir;  // Default: <db>.files
  int threads = 2;
  int read_timeout_seconds = 30;
  bool demo = false;
  std::string admin_password;  // For the first admin; random when empty.
  std::string pack;            // A policy pack file to apply before serving.
  bool test_clock = false;     // Expose the admin-only clock control (tests only).
  std::string audit_anchors;   // Append the audit head to this file (app/audit_anchor.hpp).
  int audit_anchor_interval_seconds = 300;
  // How long stored idempotent answers replay (app/housekeeping.hpp).
  int idempotency_retention_hours = 24;
  DeliveryConfig delivery;  // SMTP, Kannel and retry settings of the outbox workers.
  ChannelOptions channels;  // Messenger, phone (CTI) and IMAP.
};

// Runs the server until SIGTERM or SIGINT; returns the exit code.
int Serve(const ServeOptions& options);

// Splits "host:port"; false when malformed.
bool SplitListen(const std::string& listen, std::string& host, std::uint16_t& port);

}  // namespace ombud::app
