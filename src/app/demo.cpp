#include "app/demo.hpp"

#include <algorithm>
#include <vector>

#include "api/api.hpp"
#include "desk/desk.hpp"

namespace ombud::app {

using domain::Channel;
using domain::IdentityKind;

Result<bool> LoadDemoCompany(store::Store& store, const std::string& password,
                             const desk::Policy* policy) {
  bool loaded = false;
  OMBUD_RETURN_IF_ERROR(store.Read([&loaded](store::ReadTx& tx) -> Status {
    OMBUD_ASSIGN_OR_RETURN(auto user, tx.FindUserByLogin("agent"));
    loaded = user.has_value();
    return {};
  }));
  if (loaded) return false;
  OMBUD_ASSIGN_OR_RETURN(const std::string hash, api::HashPassword(password));
  OMBUD_RETURN_IF_ERROR(store.WriteSync([&hash, policy](store::WriteTx& tx) mutable -> Status {
    const desk::Actor demo = desk::SystemActor("demo");
    // Departments and scopes of the hosting company's policy (R-CSP-1).
    const std::vector<domain::Department> departments = {
        {0, "Customer Support", {"general", "complaint"}, 0},
        {0, "Business", {"usage", "quotation", "mail", "login", "billing", "contract"}, 0},
        {0, "Technical", {"hosting", "domain", "interface", "installation"}, 0},
        {0, "Design", {"design", "interface"}, 0},
        {0, "Customer Room", {"dispute", "satisfaction", "contract_transfer", "documents"}, 0},
    };
    // With a pack, its departments (owner first, then technical and business) are used.
    std::vector<domain::Id> ids;
    if (policy != nullptr) {
      for (const char* key :
           {"customer_support", "business", "technical", "design", "customer_room"}) {
        OMBUD_ASSIGN_OR_RETURN(auto found, tx.FindDepartmentByKey(key));
        ids.push_back(found ? found->id : 0);
      }
    }
    if (std::find(ids.begin(), ids.end(), 0) != ids.end() || ids.empty()) {
      ids.clear();
      for (const auto& d : departments) {
        OMBUD_ASSIGN_OR_RETURN(auto created, desk::CreateDepartment(tx, demo, d));
        ids.push_back(created.id);
      }
      policy = nullptr;
    }
    struct Staff {
      const char* login;
      const char* name;
      domain::Role role;
      std::size_t department;
    };
    for (const Staff& s : {Staff{"supervisor", "Sophea Chan", domain::Role::kSupervisor, 0},
                           Staff{"agent", "Nguyen Thi Lan", domain::Role::kAgent, 0},
                           Staff{"tech", "Tran Van Minh", domain::Role::kAgent, 2},
                           Staff{"business", "Le Thu Ha", domain::Role::kAgent, 1}}) {
      domain::User u;
      u.login = s.login;
      u.display_name = s.name;
      u.role = s.role;
      u.department_id = ids[s.department];
      OMBUD_RETURN_IF_ERROR(desk::CreateUser(tx, demo, u, hash));
    }
    struct Complaint {
      const char* name;
      const char* language;
      IdentityKind kind;
      const char* identity;
      Channel channel;
      const char* subject;
      const char* body;
      const char* category;
      const char* pack_category;  // The hosting pack's category.
    };
    const std::vector<Complaint> complaints = {
        {"Pham Quoc Bao", "vi", IdentityKind::kEmail, "bao.pham@example.vn", Channel::kEmail,
         "Website không truy cập được", "Từ sáng nay website của công ty tôi báo lỗi 500.",
         "hosting", "hosting_domain"},
        {"Sok Dara", "km", IdentityKind::kPhone, "+85512345678", Channel::kPhone,
         "Charged twice for a package", "I was charged twice for the monthly data package.",
         "billing", "invoice"},
        {"Jane Miller", "en", IdentityKind::kEmail, "jane@example.com", Channel::kWeb,
         "Cannot log in to the customer area", "The password reset e-mail never arrives.", "login",
         "account_login"},
        {"Vo Minh Chau", "vi", IdentityKind::kFacebook, "fb-100042", Channel::kMessenger,
         "Yêu cầu xuất hóa đơn đỏ", "Tôi cần hóa đơn VAT cho hợp đồng tháng 10.", "documents",
         "stamped_documents"},
    };
    for (const auto& c : complaints) {
      desk::CreateTicketCmd cmd;
      cmd.customer = desk::NewCustomer{c.name, c.language, {{c.kind, c.identity}}};
      cmd.channel = c.channel;
      cmd.subject = c.subject;
      cmd.body = c.body;
      cmd.category = policy != nullptr ? c.pack_category : c.category;
      if (policy != nullptr) {
        // The pack's channels only: a company without a hotline takes it by web form.
        const auto& channels = policy->pack().channels;
        if (!channels.empty() &&
            std::none_of(channels.begin(), channels.end(),
                         [&](const auto& spec) { return spec.channel == cmd.channel; })) {
          cmd.channel = channels.front().channel;
        }
      }
      OMBUD_RETURN_IF_ERROR(desk::CreateTicket(tx, demo, std::move(cmd), policy));
    }
    return {};
  }));
  return true;
}

}  // namespace ombud::app
