#include "app/pack_apply.hpp"

#include <fstream>
#include <sstream>

#include "app/pack_file.hpp"
#include "desk/clocks.hpp"
#include "desk/workflow.hpp"
#include "store/audit_chain.hpp"

namespace ombud::app {

Result<std::vector<std::string>> ApplyPackFile(store::Store& store, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ErrorCode::kNotFound, path + ": cannot read the pack file", "pack");
  std::ostringstream text;
  text << in.rdbuf();
  const std::string source = text.str();
  OMBUD_ASSIGN_OR_RETURN(auto pack, ParsePackYaml(source, path));
  OMBUD_ASSIGN_OR_RETURN(auto policy, desk::Policy::Build(pack));  // Calendars compile.
  const std::string hash = store::HashHex(source);
  std::vector<std::string> changes;
  OMBUD_RETURN_IF_ERROR(store.WriteSync([&](store::WriteTx& tx) -> Status {
    changes.clear();
    const desk::Actor cli = desk::SystemActor("cli");
    OMBUD_ASSIGN_OR_RETURN(auto latest, tx.LatestPack());
    if (!latest || latest->hash != hash) {
      store::PackRecord record{0, pack.id, pack.name, source, hash, 0};
      OMBUD_RETURN_IF_ERROR(tx.InsertPack(record));
      OMBUD_RETURN_IF_ERROR(
          tx.Audit(cli.audit_name, "pack.apply", "pack:" + pack.id, "{\"hash\":\"" + hash + "\"}"));
      changes.push_back("active pack is now " + pack.id + " (" + hash.substr(0, 12) + ")");
    }
    OMBUD_ASSIGN_OR_RETURN(auto departments, desk::ApplyPackDepartments(tx, cli, pack));
    changes.insert(changes.end(), departments.begin(), departments.end());
    if (!latest || latest->hash != hash) {
      // Calendars may have changed: every open clock follows the new pack.
      OMBUD_ASSIGN_OR_RETURN(const auto moved, desk::RecomputeOpenClocks(tx, *policy, cli));
      if (moved > 0) changes.push_back("recomputed " + std::to_string(moved) + " open clocks");
    }
    return {};
  }));
  return changes;
}

Result<std::shared_ptr<const desk::Policy>> LoadActivePolicy(store::Store& store) {
  std::optional<store::PackRecord> latest;
  OMBUD_RETURN_IF_ERROR(store.Read([&](store::ReadTx& tx) -> Status {
    OMBUD_ASSIGN_OR_RETURN(latest, tx.LatestPack());
    return {};
  }));
  if (!latest) return std::shared_ptr<const desk::Policy>{};
  OMBUD_ASSIGN_OR_RETURN(auto pack, ParsePackYaml(latest->source, "pack:" + latest->key));
  return desk::Policy::Build(std::move(pack));
}

}  // namespace ombud::app
