#include "store/audit_chain.hpp"

#include <sodium.h>

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace ombud::store {
namespace {

void Update(crypto_generichash_state& state, std::string_view field) {
  std::array<unsigned char, 8> len{};
  auto n = static_cast<std::uint64_t>(field.size());
  for (auto& b : len) {
    b = static_cast<unsigned char>(n & 0xff);
    n >>= 8;
  }
  crypto_generichash_update(&state, len.data(), len.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(field.data()),
                            field.size());
}

// Hex of a hash: public, so a table lookup; sodium_bin2hex is constant-time, which secrets
// need (RandomHex) and which cost ~800 instructions per hash on the write path.
std::string HashToHex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(size * 2, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    hex[2 * i] = kDigits[data[i] >> 4];
    hex[2 * i + 1] = kDigits[data[i] & 0x0f];
  }
  return hex;
}

}  // namespace

std::string ChainHash(const AuditRecord& record) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 32);
  Update(state, record.prev_hash);
  Update(state, std::to_string(record.seq));
  Update(state, std::to_string(record.at));
  Update(state, record.actor);
  Update(state, record.action);
  Update(state, record.subject);
  Update(state, record.details);
  std::array<unsigned char, 32> out{};
  crypto_generichash_final(&state, out.data(), out.size());
  return HashToHex(out.data(), out.size());
}

std::string RandomHex(std::size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  randombytes_buf(buf.data(), buf.size());
  std::string hex(buf.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), buf.data(), buf.size());
  hex.pop_back();
  return hex;
}

std::string HashHex(std::string_view data) {
  std::array<unsigned char, 32> out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()),
                     data.size(), nullptr, 0);
  return HashToHex(out.data(), out.size());
}

bool SecretEquals(std::string_view given, std::string_view expected) {
  std::array<unsigned char, crypto_generichash_BYTES> a{};
  std::array<unsigned char, crypto_generichash_BYTES> b{};
  crypto_generichash(a.data(), a.size(), reinterpret_cast<const unsigned char*>(given.data()),
                     given.size(), nullptr, 0);
  crypto_generichash(b.data(), b.size(), reinterpret_cast<const unsigned char*>(expected.data()),
                     expected.size(), nullptr, 0);
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace ombud::store
