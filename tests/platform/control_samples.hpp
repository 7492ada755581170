// Sample control-protocol values shared by the protocol tests (control_protocol_test.cpp) and
// the s46ctl text-view tests (s46ctl_control_test.cpp).
#pragma once

#include "platform/control/protocol.hpp"

namespace s46::control::test {

// A MAP-E port map: RFC 7597 Ex. 1's address and PSID, two ranges, NAPT on with a session count.
inline PortmapReply sample_portmap_reply() {
    PortmapReply r;
    r.mode = select::Mode::mape;
    r.ipv4 = "192.0.2.1";
    r.psid_offset = 6;
    r.psid_len = 8;
    r.psid = 52;
    r.port_ranges = {"1232-1235", "2256-2259"};
    r.port_count = 8;
    r.napt = true;
    r.napt_sessions = 3;
    r.napt_max_sessions = 65536;
    napt::ForwardState ssh;
    ssh.forward = {napt::Protocol::tcp, 1233, net::Ipv4Address(192, 168, 1, 10), 22};
    ssh.enabled = true;
    napt::ForwardState sip;
    sip.forward = {napt::Protocol::udp, 4000, net::Ipv4Address(192, 168, 1, 11), 5060};
    sip.why_disabled = "port 4000 is not in this CPE's port set (192.0.2.1, PSID 52 of 8 bits, offset 6: 1232-1235, 2256-2259, ... 63 ranges)";
    r.forwards = {ssh, sip};
    return r;
}

}  // namespace s46::control::test
