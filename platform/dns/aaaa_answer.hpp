// Decoding a DNS response to an AAAA query into an AftrAnswer.
#pragma once

#include <cstddef>

#include "platform/dns/resolver.hpp"

namespace s46::dns {

// At most this many records are kept; a DS-Lite AFTR name with more is not plausible.
inline constexpr int kMaxAaaaRecords = 32;

// Every AAAA record (in answer order, duplicates removed) and the smallest TTL among them.
// The error is plain text without the server list (the resolver adds that).
AftrResult parse_aaaa_answer(const unsigned char* buf, std::size_t len);

}  // namespace s46::dns
