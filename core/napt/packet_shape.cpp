#include "core/napt/packet_shape.hpp"

namespace s46::napt {

DropReason reason_for(net::ParseError e) {
    switch (e) {
        case net::ParseError::ipv4_truncated:
        case net::ParseError::ipv4_header_exceeds_buffer:
        case net::ParseError::ipv4_total_length_exceeds_buffer: return DropReason::truncated;
        default: return DropReason::malformed;
    }
}

}  // namespace s46::napt
