#include "app/pack_cli.hpp"

namespace ombud::app {

void RegisterPackCommands(CLI::App& app, int& exit_code) {
  auto* pack = app.add_subcommand("pack", "Check and show policy packs");
  pack->require_subcommand(1);
  (void)exit_code;
}

}  // namespace ombud::app
