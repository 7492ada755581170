// The libdhcp++ side of the oracle (s46_kea_oracle.hpp). Kea 2.2 specifics it works around:
// OPTION_S46_PORTPARAMS is not defined in the container option spaces (only in the RULE/BIND
// sub-option spaces), and 111 is not among the standard definitions, so a local definition of it
// is used (nothing is registered in LibDHCP's process-wide runtime definitions); so is 137
// (RFC 8539), which Kea 2.2 does not know either, as the "ipv6-prefix" type servers define it with
// (docs/dhcp-options.md).
#include "fuzz/s46_kea_oracle.hpp"

#include <dhcp/dhcp6.h>
#include <dhcp/libdhcp++.h>
#include <dhcp/option.h>
#include <dhcp/option6_addrlst.h>
#include <dhcp/option_custom.h>
#include <dhcp/option_data_types.h>
#include <dhcp/option_definition.h>
#include <dhcp/option_int_array.h>
#include <dhcp/option_space.h>
#include <dhcp/std_option_defs.h>
#include <asiolink/io_address.h>
#include <exceptions/exceptions.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "dhcp/option_framer.hpp"
#include "dhcp/s46_codec.hpp"

namespace s46::fuzz {

namespace {

namespace kea = isc::dhcp;
using View = std::span<const std::uint8_t>;

struct Mismatch : std::runtime_error {
    using std::runtime_error::runtime_error;
};

kea::OptionBuffer buffer(View v) { return kea::OptionBuffer(v.begin(), v.end()); }

net::Ipv6Address to_v6(const isc::asiolink::IOAddress& a) {
    if (!a.isV6()) throw Mismatch("libdhcp++ returned a non-IPv6 address");
    net::Ipv6Address out;
    auto b = a.toBytes();
    std::copy_n(b.begin(), 16, out.bytes.begin());
    return out;
}

net::Ipv4Address to_v4(const isc::asiolink::IOAddress& a) {
    if (!a.isV4()) throw Mismatch("libdhcp++ returned a non-IPv4 address");
    return net::Ipv4Address(a.toUint32());
}

net::Ipv6Prefix to_prefix(const kea::PrefixTuple& p) { return net::Ipv6Prefix(to_v6(p.second), p.first.asUnsigned()); }

boost::shared_ptr<kea::OptionCustom> as_custom(const kea::OptionPtr& o, const char* what) {
    auto oc = boost::dynamic_pointer_cast<kea::OptionCustom>(o);
    if (!oc) throw Mismatch(std::string("libdhcp++ did not parse ") + what + " as a record");
    return oc;
}

// 93: readPsid() returns the PSID right-aligned, as the provision struct holds it.
provision::PortParams portparams_from(const kea::OptionPtr& o) {
    auto oc = boost::dynamic_pointer_cast<kea::OptionCustom>(o);
    if (!oc) {
        auto def = kea::LibDHCP::getOptionDef(V4V6_RULE_OPTION_SPACE, D6O_S46_PORTPARAMS);
        if (!def) throw Mismatch("libdhcp++ has no definition for OPTION_S46_PORTPARAMS");
        const auto& d = o->getData();
        oc = as_custom(def->optionFactory(kea::Option::V6, D6O_S46_PORTPARAMS, d.begin(), d.end()),
                       "OPTION_S46_PORTPARAMS");
    }
    provision::PortParams pp;
    pp.offset = oc->readInteger<std::uint8_t>(0);
    kea::PSIDTuple psid = oc->readPsid(1);
    pp.psid_len = psid.first.asUint8();
    pp.psid = psid.second.asUint16();
    return pp;
}

// A RULE/BIND's nested 93, which libdhcp++ unpacks into the option's sub-options.
std::optional<provision::PortParams> nested_portparams(const kea::OptionPtr& parent) {
    const auto& subs = parent->getOptions();
    if (subs.size() > 1) throw Mismatch("libdhcp++ found more than one RULE/BIND sub-option");
    if (subs.empty()) return std::nullopt;
    if (subs.begin()->first != D6O_S46_PORTPARAMS) throw Mismatch("libdhcp++ found a RULE/BIND sub-option other than 93");
    return portparams_from(subs.begin()->second);
}

provision::Rule rule_from(const kea::OptionPtr& o) {
    auto oc = as_custom(o, "OPTION_S46_RULE");
    provision::Rule r;
    r.forwarding = (oc->readInteger<std::uint8_t>(0) & 0x01) != 0;
    r.ea_len = oc->readInteger<std::uint8_t>(1);
    unsigned p4len = oc->readInteger<std::uint8_t>(2);
    r.ipv4_prefix = net::Ipv4Prefix(to_v4(oc->readAddress(3)), p4len);
    r.ipv6_prefix = to_prefix(oc->readPrefix(4));
    r.port_params = nested_portparams(o);
    return r;
}

provision::V4v6Bind bind_from(const kea::OptionPtr& o) {
    auto oc = as_custom(o, "OPTION_S46_V4V6BIND");
    provision::V4v6Bind b;
    b.ipv4 = to_v4(oc->readAddress(0));
    b.bind_prefix = to_prefix(oc->readPrefix(1));
    b.port_params = nested_portparams(o);
    return b;
}

const char* container_space(std::uint16_t code) {
    switch (code) {
        case provision::kOptionS46ContMapE: return MAPE_V6_OPTION_SPACE;
        case provision::kOptionS46ContMapT: return MAPT_V6_OPTION_SPACE;
        default: return LW_V6_OPTION_SPACE;
    }
}

// The container as libdhcp++ reads it, in the same provision struct the product fills.
provision::S46OptionSet container_from_kea(std::uint16_t code, View body) {
    kea::OptionBuffer buf = buffer(body);
    kea::OptionCollection subs;
    std::size_t used = kea::LibDHCP::unpackOptions6(buf, container_space(code), subs);
    if (used != buf.size())
        throw Mismatch("libdhcp++ parsed " + std::to_string(used) + " of " + std::to_string(buf.size()) + " octets");
    std::vector<provision::Rule> rules;
    std::vector<net::Ipv6Address> brs;
    std::optional<net::Ipv6Prefix> dmr;
    std::optional<provision::V4v6Bind> bind;
    std::optional<provision::PortParams> port_params;
    // An OptionCollection is a multimap ordered by code; equal codes keep their wire order.
    for (const auto& [sub_code, o] : subs) {
        switch (sub_code) {
            case D6O_S46_RULE: rules.push_back(rule_from(o)); break;
            case D6O_S46_BR: brs.push_back(to_v6(as_custom(o, "OPTION_S46_BR")->readAddress(0))); break;
            case D6O_S46_DMR:
                if (dmr) throw Mismatch("libdhcp++ found two OPTION_S46_DMR");
                dmr = to_prefix(as_custom(o, "OPTION_S46_DMR")->readPrefix(0));
                break;
            case D6O_S46_V4V6BIND:
                if (bind) throw Mismatch("libdhcp++ found two OPTION_S46_V4V6BIND");
                bind = bind_from(o);
                break;
            case D6O_S46_PORTPARAMS:
                if (port_params) throw Mismatch("libdhcp++ found two OPTION_S46_PORTPARAMS");
                port_params = portparams_from(o);
                break;
            default: throw Mismatch("libdhcp++ returned sub-option " + std::to_string(sub_code));
        }
    }
    provision::S46OptionSet set;
    if (code == provision::kOptionS46ContMapE) {
        set.mape.push_back({std::move(rules), std::move(brs), port_params});
    } else if (code == provision::kOptionS46ContMapT) {
        if (!dmr) throw Mismatch("libdhcp++ lost OPTION_S46_DMR");
        set.mapt.push_back({std::move(rules), *dmr});
    } else {
        set.lw.push_back({std::move(brs), std::move(bind), port_params});
    }
    return set;
}

std::vector<std::uint16_t> priority_from_kea(View v) {
    static const kea::OptionDefinition def("s46-priority", provision::kOptionS46Priority, DHCP6_OPTION_SPACE,
                                           kea::OPT_UINT16_TYPE, true);
    kea::OptionBuffer buf = buffer(v);
    auto o = boost::dynamic_pointer_cast<kea::OptionIntArray<std::uint16_t>>(
        def.optionFactory(kea::Option::V6, provision::kOptionS46Priority, buf.begin(), buf.end()));
    if (!o) throw Mismatch("libdhcp++ did not parse OPTION_S46_PRIORITY as a uint16 array");
    return o->getValues();
}

// 137 through the runtime definition a kea-dhcp6 configuration gives it.
net::Ipv6Prefix bind_prefix_from_kea(View v) {
    static const kea::OptionDefinition def("s46-bind-ipv6-prefix", provision::kOptionS46BindIpv6Prefix,
                                           DHCP6_OPTION_SPACE, "ipv6-prefix");
    kea::OptionCustom o(def, kea::Option::V6, buffer(v));
    // Kea reads exactly len + ceil(len/8) octets and would ignore more: say so instead.
    if (v.size() != 1 + (static_cast<std::size_t>(v[0]) + 7) / 8) throw Mismatch("libdhcp++ reads a different length of 137");
    return to_prefix(o.readPrefix(0));
}

std::vector<net::Ipv6Address> addresses_from_kea(std::uint16_t code, View v) {
    auto def = kea::LibDHCP::getOptionDef(DHCP6_OPTION_SPACE, code);
    if (!def) throw Mismatch("libdhcp++ has no definition for option " + std::to_string(code));
    kea::OptionBuffer buf = buffer(v);
    auto o = boost::dynamic_pointer_cast<kea::Option6AddrLst>(
        def->optionFactory(kea::Option::V6, code, buf.begin(), buf.end()));
    if (!o) throw Mismatch("libdhcp++ did not parse option " + std::to_string(code) + " as an address list");
    std::vector<net::Ipv6Address> out;
    for (const auto& a : o->getAddresses()) out.push_back(to_v6(a));
    return out;
}

std::optional<std::string> compare(std::uint16_t code, View value, const provision::S46OptionSet& own) {
    switch (code) {
        case provision::kOptionS46ContMapE:
        case provision::kOptionS46ContMapT:
        case provision::kOptionS46ContLw: {
            provision::S46OptionSet theirs = container_from_kea(code, value);
            if (theirs.mape != own.mape || theirs.mapt != own.mapt || theirs.lw != own.lw)
                return "libdhcp++ reads different container values";
            return std::nullopt;
        }
        case provision::kOptionS46Priority:
            if (!own.priority || priority_from_kea(value) != *own.priority) return "libdhcp++ reads a different priority list";
            return std::nullopt;
        case provision::kOptionDnsServers:
            if (addresses_from_kea(code, value) != own.dns_servers) return "libdhcp++ reads different DNS servers";
            return std::nullopt;
        case provision::kOptionDhcp4o6Server:
            if (!own.dhcp4o6_servers || addresses_from_kea(code, value) != *own.dhcp4o6_servers)
                return "libdhcp++ reads different DHCPv4-over-DHCPv6 servers";
            return std::nullopt;
        case provision::kOptionS46BindIpv6Prefix:
            if (!own.bind_ipv6_prefix || bind_prefix_from_kea(value) != *own.bind_ipv6_prefix)
                return "libdhcp++ reads a different bind IPv6 prefix";
            return std::nullopt;
        default:
            return std::nullopt;
    }
}

}  // namespace

std::optional<std::string> kea_disagreement(std::span<const std::uint8_t> tlv) {
    dhcp::Dhcpv6OptionWalker walk(tlv);
    const dhcp::OptionFrame f = walk.next();
    if (f.kind != dhcp::OptionFrame::Kind::ok || !walk.done()) return "not one whole option";
    const provision::S46OptionSet own = dhcp::decode_reply_options(tlv);
    if (!own.rejected.empty()) return "the product decoder rejects it: " + own.rejected.front().why;
    try {
        return compare(f.code, f.value, own);
    } catch (const Mismatch& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("libdhcp++ threw: ") + e.what();
    }
}

}  // namespace s46::fuzz
