// Why a packet view refused a buffer, and the small result type the views return.
// Packet parsing sits on the forwarding path, so failures are an enum, not an
// allocated message: describe() gives the text when someone wants to log it.
#pragma once

#include <cstdint>
#include <string_view>

namespace s46::net {

enum class ParseError : std::uint8_t {
    none,
    // IPv4, RFC 791 §3.1
    ipv4_truncated,                  // fewer than the 20 bytes of the fixed header
    ipv4_bad_version,                // version field is not 4
    ipv4_ihl_too_small,              // IHL < 5 words
    ipv4_header_exceeds_buffer,      // IHL*4 (options included) runs past the buffer
    ipv4_total_length_below_header,  // total length < IHL*4
    ipv4_total_length_exceeds_buffer,
    // IPv6, RFC 8200 §3
    ipv6_truncated,  // fewer than the 40 bytes of the fixed header
    ipv6_bad_version,
    ipv6_payload_length_exceeds_buffer,
    // UDP, RFC 768
    udp_truncated,  // fewer than 8 bytes
    udp_length_below_header,
    udp_length_exceeds_buffer,
    // TCP, RFC 9293 §3.1
    tcp_truncated,  // fewer than 20 bytes
    tcp_data_offset_too_small,
    tcp_header_exceeds_buffer,  // data offset*4 runs past the segment
    // ICMP, RFC 792 / RFC 4443 §2.1: every message type this daemon handles has an 8-byte header
    icmpv4_truncated,
    icmpv6_truncated,
};

// Human-readable reason, citing the rule that was broken. Never empty.
std::string_view describe(ParseError e);

// A parsed view or the reason it could not be made. View types are trivially
// copyable span wrappers, so this is a couple of registers wide.
template <class View>
class Parsed {
public:
    constexpr Parsed(View v) : view_(v) {}                     // NOLINT: implicit by design
    constexpr Parsed(ParseError e) : error_(e) {}              // NOLINT: implicit by design

    constexpr bool ok() const { return error_ == ParseError::none; }
    constexpr explicit operator bool() const { return ok(); }
    constexpr ParseError error() const { return error_; }
    std::string_view what() const { return describe(error_); }

    // Only meaningful when ok(); a failed Parsed holds an empty view.
    constexpr const View& value() const { return view_; }
    constexpr View& value() { return view_; }
    constexpr const View& operator*() const { return view_; }
    constexpr View& operator*() { return view_; }
    constexpr const View* operator->() const { return &view_; }
    constexpr View* operator->() { return &view_; }

private:
    View view_{};
    ParseError error_ = ParseError::none;
};

}  // namespace s46::net
