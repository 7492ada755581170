// Locally configured softwire parameters (the "static" section of s46d.conf), and how they
// combine with what DHCPv6 supplies.
//
// draft-ietf-softwire-unified-cpe §3.2: a CPE configured for one mode ignores every parameter that
// mode does not need, and fetches the parameters it is missing for that mode by DHCP. So a static
// section pins the CPE to its mode, its values win over the Reply's, and the Reply fills only the
// gaps (the delegated prefix for MAP-E, the DNS servers that resolve an AFTR name, a BR the
// operator did not write down).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"
#include "core/provision/s46_options.hpp"
#include "core/result.hpp"
#include "core/select/mode.hpp"

namespace s46::provision {

// DS-Lite (RFC 6333): the AFTR, by name or by address. A configured address is carried in
// S46OptionSet::aftr_name as its text form: an IPv6 literal can never be a host name (':' is not a
// label character), so whoever resolves the name can tell the two apart (is_aftr_address_literal).
struct StaticDsLite {
    std::optional<std::string> aftr_name;
    std::optional<net::Ipv6Address> aftr_address;
    friend bool operator==(const StaticDsLite&, const StaticDsLite&) = default;
};

// lw4o6 (RFC 7596) and GI-4over6 (RFC 7040, an lw4o6 binding without a port set). The IPv4
// address and its port set belong together: when the address is configured, the port parameters
// come from here too (absent: the whole address), never from the Reply.
struct StaticLw4o6 {
    std::optional<net::Ipv4Address> ipv4;
    std::optional<PortParams> port_params;       // only with ipv4
    std::optional<net::Ipv6Prefix> bind_prefix;  // absent: the Reply's, else ::/0 (any active prefix)
    std::optional<net::Ipv6Address> aftr;        // the lwAFTR
    friend bool operator==(const StaticLw4o6&, const StaticLw4o6&) = default;
};

// MAP-E (RFC 7597): the rules (each may carry a PSID offset in port_params, psid_len 0) and the BR.
struct StaticMapE {
    std::vector<Rule> rules;
    std::optional<net::Ipv6Address> br;
    friend bool operator==(const StaticMapE&, const StaticMapE&) = default;
};

// One mode's static parameters; only the member for `mode` is read.
struct StaticProvisioning {
    select::Mode mode = select::Mode::none;
    StaticDsLite dslite;
    StaticLw4o6 lw4o6;
    StaticMapE mape;
    friend bool operator==(const StaticProvisioning&, const StaticProvisioning&) = default;
};

// Checks what the option codec would check on the wire (RFC 7598 §4.1/§4.5, RFC 7597 §5) plus
// completeness within the section. Errors name the field the way the configuration file does
// ("lw4o6.psid: 300 does not fit psid_length 8"); the caller prefixes the section's path.
Result<StaticProvisioning> validate(const StaticProvisioning& s);

// The static parameters alone, as the option set a Reply carrying them would decode to
// (dhcp::encode() of the result gives the raw options). Equals merge_static({}, s).
S46OptionSet to_option_set(const StaticProvisioning& s);

// draft-ietf-softwire-unified-cpe §3.2 for a CPE configured for s.mode: the Reply's options for
// other modes (and its 111, and 88) are dropped; for s.mode each configured value wins and the
// Reply's first container of that mode supplies the rest. DNS servers (23) and the Reply's
// rejections are kept. When the merge still lacks something the mode needs, no container is
// produced and a Rejection says what is missing, so evaluation reports it like a bad Reply.
// s.mode == none returns from_dhcp unchanged.
S46OptionSet merge_static(const S46OptionSet& from_dhcp, const StaticProvisioning& s);

// True when an AFTR "name" is a configured IPv6 address (see StaticDsLite).
bool is_aftr_address_literal(const std::string& aftr_name);

}  // namespace s46::provision
