#include "core/net/parse_error.hpp"

namespace s46::net {

std::string_view describe(ParseError e) {
    switch (e) {
        case ParseError::none: return "no error";
        case ParseError::ipv4_truncated: return "IPv4: buffer shorter than the 20-byte header (RFC 791 §3.1)";
        case ParseError::ipv4_bad_version: return "IPv4: version field is not 4 (RFC 791 §3.1)";
        case ParseError::ipv4_ihl_too_small: return "IPv4: IHL below the minimum of 5 words (RFC 791 §3.1)";
        case ParseError::ipv4_header_exceeds_buffer: return "IPv4: IHL (header with options) runs past the buffer";
        case ParseError::ipv4_total_length_below_header: return "IPv4: total length is smaller than the header length (RFC 791 §3.1)";
        case ParseError::ipv4_total_length_exceeds_buffer: return "IPv4: total length runs past the buffer";
        case ParseError::ipv6_truncated: return "IPv6: buffer shorter than the 40-byte header (RFC 8200 §3)";
        case ParseError::ipv6_bad_version: return "IPv6: version field is not 6 (RFC 8200 §3)";
        case ParseError::ipv6_payload_length_exceeds_buffer: return "IPv6: payload length runs past the buffer";
        case ParseError::udp_truncated: return "UDP: buffer shorter than the 8-byte header (RFC 768)";
        case ParseError::udp_length_below_header: return "UDP: length field below 8 (RFC 768)";
        case ParseError::udp_length_exceeds_buffer: return "UDP: length field runs past the buffer";
        case ParseError::tcp_truncated: return "TCP: buffer shorter than the 20-byte header (RFC 9293 §3.1)";
        case ParseError::tcp_data_offset_too_small: return "TCP: data offset below the minimum of 5 words (RFC 9293 §3.1)";
        case ParseError::tcp_header_exceeds_buffer: return "TCP: data offset (header with options) runs past the segment";
        case ParseError::icmpv4_truncated: return "ICMPv4: buffer shorter than the 8-byte header (RFC 792)";
        case ParseError::icmpv6_truncated: return "ICMPv6: buffer shorter than the 8-byte header (RFC 4443 §2.1)";
    }
    return "unknown parse error";
}

}  // namespace s46::net
