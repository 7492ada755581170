// Whether an IPv4 datagram has the shape translation needs, and where its parts are.
// Checked before anything is rewritten, so a refused packet leaves the buffer untouched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/napt/drop_reason.hpp"
#include "core/napt/protocol.hpp"
#include "core/net/parse_error.hpp"

namespace s46::napt {

// The refusal for an IPv4 view parse error: short buffers are `truncated`, fields that
// contradict each other `malformed`.
DropReason reason_for(net::ParseError e);

// UDP, TCP and ICMP headers as the NAPT reads them. A whole datagram must agree with its
// length fields (RFC 768 length, RFC 9293 data offset). A first fragment only needs the
// fixed header: the transport checksum covers data in later fragments too, and the
// incremental update (RFC 1624) stays right for the reassembled datagram.
// The fixed header is 8 bytes for UDP and ICMP, 20 for TCP (flags and checksum).
std::optional<DropReason> check_transport(Protocol p, std::span<const std::uint8_t> l4, bool first_fragment);

}  // namespace s46::napt
