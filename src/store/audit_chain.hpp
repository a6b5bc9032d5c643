#pragma once

#include <string>

#include "store/store.hpp"

namespace ombud::store {

// Hash of the genesis predecessor: 64 zeros.
inline const std::string kGenesisHash(64, '0');

// BLAKE2b-256 (hex) over `record.prev_hash` and every field of `record` except `hash`, each
// length-prefixed so no two different records hash alike.
std::string ChainHash(const AuditRecord& record);

// Random bytes as lower-case hex (libsodium); `bytes` of entropy.
std::string RandomHex(std::size_t bytes);

// BLAKE2b-256 of `data`, lower-case hex.
std::string HashHex(std::string_view data);

// Whether a secret someone gave equals the expected one, in constant time whatever the
// lengths (compares BLAKE2b hashes of both): tokens, shared webhook and callback secrets.
bool SecretEquals(std::string_view given, std::string_view expected);

}  // namespace ombud::store
