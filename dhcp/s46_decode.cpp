// decode_reply_options: tolerant, per-option decoding of a DHCPv6 Reply's softwire options.
//
// libdhcp++ 2.2 gives up on the first structurally bad option (losing the whole message) and
// accepts many invalid values without complaint (notes/kea.md §2.5). So the work is split:
//   1. this file frames every TLV itself (top level, container contents, RULE/BIND sub-options)
//      and validates every field against RFC 6334 §3, RFC 7598 §4-§6 (Table 1) and RFC 8026 §1.3,
//      producing a reason string that names the option and the field;
//   2. only an option that passed is handed to libdhcp++ (LibDHCP::unpackOptions6 with the
//      container's option space, OptionCustom::read* for the records, a local runtime definition
//      of 111, Option6AddrLst for 23), which extracts the values into the provision structs.
// Every Kea call runs inside a per-option try/catch; nothing Kea throws escapes. If libdhcp++
// ever disagrees with step 1 (it throws, or parses a different number of sub-options) the option
// is rejected with a "libdhcp++ ..." reason instead; the fuzz target looks for such cases.
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
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "dhcp/s46_codec.hpp"

namespace s46::dhcp {

namespace {

namespace kea = isc::dhcp;
using View = std::span<const std::uint8_t>;
using provision::S46OptionSet;

// A validation failure: the reason text after "<TOP-LEVEL OPTION NAME>: ".
using Problem = std::optional<std::string>;

// libdhcp++ disagreed with our own validation (a bug on one side or the other).
struct KeaMismatch : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string num(std::size_t v) { return std::to_string(v); }

std::string hex16(unsigned v) {
    char b[8];
    std::snprintf(b, sizeof b, "0x%04x", v & 0xffffu);
    return b;
}

std::string hex8(unsigned v) {
    char b[8];
    std::snprintf(b, sizeof b, "0x%02x", v & 0xffu);
    return b;
}

std::string option_name(std::uint16_t code) {
    switch (code) {
        case provision::kOptionDnsServers: return "OPTION_DNS_SERVERS";
        case provision::kOptionAftrName: return "OPTION_AFTR_NAME";
        case provision::kOptionDhcp4o6Server: return "OPTION_DHCP4_O_DHCP6_SERVER";
        case provision::kOptionS46Rule: return "OPTION_S46_RULE";
        case provision::kOptionS46Br: return "OPTION_S46_BR";
        case provision::kOptionS46Dmr: return "OPTION_S46_DMR";
        case provision::kOptionS46V4v6Bind: return "OPTION_S46_V4V6BIND";
        case provision::kOptionS46PortParams: return "OPTION_S46_PORTPARAMS";
        case provision::kOptionS46ContMapE: return "OPTION_S46_CONT_MAPE";
        case provision::kOptionS46ContMapT: return "OPTION_S46_CONT_MAPT";
        case provision::kOptionS46ContLw: return "OPTION_S46_CONT_LW";
        case provision::kOptionS46Priority: return "OPTION_S46_PRIORITY";
        default: return "option " + num(code);
    }
}

std::uint16_t rd16(View v, std::size_t at) { return static_cast<std::uint16_t>((v[at] << 8) | v[at + 1]); }

// "RULE" + "PORTPARAMS" -> "OPTION_S46_RULE/OPTION_S46_PORTPARAMS"; an empty path is the container.
std::string join(const std::string& path, const std::string& name) { return path.empty() ? name : path + "/" + name; }
std::string at_path(const std::string& path, const std::string& text) { return path.empty() ? text : path + " " + text; }

// ---------------------------------------------------------------------------------- framing

struct Frame {
    enum Kind { ok, short_header, overrun } kind = ok;
    bool code_known = false;
    std::uint16_t code = 0;
    std::uint16_t len = 0;
    std::size_t have = 0;  // short_header: octets of header present; overrun: value octets left
    View value;
};

Frame frame(View buf, std::size_t pos) {
    Frame f;
    std::size_t rem = buf.size() - pos;
    if (rem >= 2) {
        f.code_known = true;
        f.code = rd16(buf, pos);
    }
    if (rem < 4) {
        f.kind = Frame::short_header;
        f.have = rem;
        return f;
    }
    f.len = rd16(buf, pos + 2);
    if (f.len > rem - 4) {
        f.kind = Frame::overrun;
        f.have = rem - 4;
        return f;
    }
    f.value = buf.subspan(pos + 4, f.len);
    return f;
}

// A framing error inside `parent` (a container or a RULE/BIND) at `path`.
std::string frame_problem(const Frame& f, const std::string& path, const std::string& parent) {
    if (f.kind == Frame::short_header) {
        if (!f.code_known) return at_path(path, "truncated sub-option header (" + num(f.have) + " of 4 octets)");
        return join(path, option_name(f.code)) + " truncated option header (" + num(f.have) + " of 4 octets)";
    }
    return join(path, option_name(f.code)) + " option-len " + num(f.len) + " overruns " + parent + " (" +
           num(f.have) + " octets left)";
}

// ------------------------------------------------------------------------ field validation

// 93 (RFC 7598 §4.5).
Problem check_portparams(View v, const std::string& path) {
    if (v.size() != 4) return path + " option-len " + num(v.size()) + " != 4";
    unsigned offset = v[0], k = v[1], psid = rd16(v, 2);
    if (offset > 15) return path + " offset " + num(offset) + " > 15";
    if (k > 16) return path + " psid-len " + num(k) + " > 16";
    if (offset + k > 16) return path + " offset " + num(offset) + " + psid-len " + num(k) + " > 16";
    // k = 0: the PSID field is ignored (RFC 7598 §4.5), so its bits are not checked (Kea does the same).
    if (k > 0 && k < 16 && (psid & ((1u << (16 - k)) - 1u)) != 0)
        return path + " PSID " + hex16(psid) + " has bits set past psid-len " + num(k);
    return std::nullopt;
}

// The sub-options of a RULE or BIND: only 93 is defined, at most one (strict, RFC 7598 §8).
Problem check_rule_suboptions(View v, const std::string& path) {
    std::size_t pos = 0;
    unsigned portparams = 0;
    while (pos < v.size()) {
        Frame f = frame(v, pos);
        if (f.kind != Frame::ok) return frame_problem(f, path, path);
        if (f.code != provision::kOptionS46PortParams) return path + " unsupported sub-option " + num(f.code);
        if (portparams++) return path + " more than one OPTION_S46_PORTPARAMS";
        if (auto p = check_portparams(f.value, join(path, "OPTION_S46_PORTPARAMS"))) return p;
        pos += 4u + f.len;
    }
    return std::nullopt;
}

// 89 (RFC 7598 §4.1).
Problem check_rule(View v) {
    const std::string path = "OPTION_S46_RULE";
    if (v.size() < 8) return path + " option-len " + num(v.size()) + " < 8";
    unsigned ea = v[1], p4 = v[2], p6 = v[7];
    if (ea > 48) return path + " ea-len " + num(ea) + " > 48";
    if (p4 > 32) return path + " prefix4-len " + num(p4) + " > 32";
    if (p6 > 128) return path + " prefix6-len " + num(p6) + " > 128";
    std::size_t need = (p6 + 7u) / 8u, left = v.size() - 8;
    if (left < need)
        return path + " prefix6-len " + num(p6) + " needs " + num(need) + " prefix octets, only " + num(left) + " left";
    return check_rule_suboptions(v.subspan(8 + need), path);
}

// 90 (RFC 7598 §4.2).
Problem check_br(View v) {
    if (v.size() != 16) return "OPTION_S46_BR option-len " + num(v.size()) + " != 16";
    return std::nullopt;
}

// 91 (RFC 7598 §4.3). No sub-options are defined, so nothing may follow the prefix.
Problem check_dmr(View v) {
    const std::string path = "OPTION_S46_DMR";
    if (v.empty()) return path + " option-len 0 < 1";
    unsigned p6 = v[0];
    if (p6 > 128) return path + " dmr-prefix6-len " + num(p6) + " > 128";
    std::size_t need = (p6 + 7u) / 8u, left = v.size() - 1;
    if (left < need)
        return path + " dmr-prefix6-len " + num(p6) + " needs " + num(need) + " prefix octets, only " + num(left) +
               " left";
    if (left > need) return path + " " + num(left - need) + " trailing octets after dmr-ipv6-prefix";
    return std::nullopt;
}

// 92 (RFC 7598 §4.4).
Problem check_bind(View v) {
    const std::string path = "OPTION_S46_V4V6BIND";
    if (v.size() < 5) return path + " option-len " + num(v.size()) + " < 5";
    unsigned p6 = v[4];
    if (p6 > 128) return path + " bindprefix6-len " + num(p6) + " > 128";
    std::size_t need = (p6 + 7u) / 8u, left = v.size() - 5;
    if (left < need)
        return path + " bindprefix6-len " + num(p6) + " needs " + num(need) + " prefix octets, only " + num(left) +
               " left";
    return check_rule_suboptions(v.subspan(5 + need), path);
}

struct Counts {
    unsigned rule = 0, br = 0, dmr = 0, bind = 0, portparams = 0;
};

// 94/95/96 (RFC 7598 §5, §6 Table 1, §8): framing, permission and counts, every field.
// Sub-options are checked in wire order; the first problem decides the reason.
Problem check_container(std::uint16_t code, View body, Counts& n) {
    const std::string self = option_name(code);
    const bool mape = code == provision::kOptionS46ContMapE, mapt = code == provision::kOptionS46ContMapT,
               lw = code == provision::kOptionS46ContLw;
    std::size_t pos = 0;
    while (pos < body.size()) {
        Frame f = frame(body, pos);
        if (f.kind != Frame::ok) return frame_problem(f, "", self);
        const std::string sub = option_name(f.code);
        Problem p;
        switch (f.code) {
            case provision::kOptionS46Rule:
                if (lw) return sub + " not permitted";
                ++n.rule;
                p = check_rule(f.value);
                break;
            case provision::kOptionS46Br:
                if (mapt) return sub + " not permitted";
                ++n.br;
                p = check_br(f.value);
                break;
            case provision::kOptionS46Dmr:
                if (!mapt) return sub + " not permitted";
                if (n.dmr++) return "more than one " + sub;
                p = check_dmr(f.value);
                break;
            case provision::kOptionS46V4v6Bind:
                if (!lw) return sub + " not permitted";
                if (n.bind++) return "more than one " + sub;
                p = check_bind(f.value);
                break;
            case provision::kOptionS46PortParams:
                if (n.portparams++) return "more than one " + sub;
                p = check_portparams(f.value, sub);
                break;
            default:
                return "unsupported sub-option " + num(f.code);
        }
        if (p) return p;
        pos += 4u + f.len;
    }
    if ((mape || mapt) && n.rule == 0) return std::string("mandatory OPTION_S46_RULE missing");
    if ((mape || lw) && n.br == 0) return std::string("mandatory OPTION_S46_BR missing");
    if (mapt && n.dmr == 0) return std::string("mandatory OPTION_S46_DMR missing");
    return std::nullopt;
}

// 64 (RFC 6334 §3, §5). `first` receives the first FQDN in dotted form without the trailing dot.
// Every FQDN in the option must be well-formed wire format (§3: no label past the end, no
// compression); only the first is used, so only the first is checked for valid characters.
Problem check_aftr_name(View v, std::string& first) {
    if (v.size() <= 3) return "option-len " + num(v.size()) + " must be > 3";
    std::size_t pos = 0;
    for (unsigned fqdn = 0; pos < v.size(); ++fqdn) {
        const std::size_t start = pos;
        unsigned labels = 0;
        std::string text;
        for (;;) {
            if (pos >= v.size()) return "FQDN at octet " + num(start) + " is not terminated by a root label";
            unsigned len = v[pos];
            if (len == 0) {
                ++pos;
                break;
            }
            if ((len & 0xc0) == 0xc0) return "compression pointer at octet " + num(pos);
            if (len > 63) return "label length " + num(len) + " > 63 at octet " + num(pos);
            if (pos + 1 + len > v.size())
                return "label at octet " + num(pos) + " (length " + num(len) + ") runs past the end of the option";
            ++labels;
            if (fqdn == 0) {
                // Host name syntax (RFC 1035 §2.3.1 as relaxed by RFC 1123 §2.1): letters, digits,
                // hyphens; no hyphen at either end of a label.
                View label = v.subspan(pos + 1, len);
                for (std::uint8_t c : label) {
                    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
                    if (!ok) return "label " + num(labels) + " has invalid character " + hex8(c);
                }
                if (label.front() == '-' || label.back() == '-')
                    return "label " + num(labels) + " begins or ends with a hyphen";
                if (!text.empty()) text += '.';
                text.append(label.begin(), label.end());
            }
            pos += 1 + len;
        }
        if (fqdn == 0) {
            if (labels == 0) return std::string("first FQDN has no non-empty label");
            // option-len > 3 (§3) applied to the name actually used, so that a 3-octet name is not
            // accepted merely because more FQDNs follow it (it would be refused on its own).
            if (pos - start <= 3) return "first FQDN is " + num(pos - start) + " octets long (must be > 3)";
            if (pos - start > 255) return "first FQDN is " + num(pos - start) + " octets long (> 255)";
            first = std::move(text);
        }
    }
    return std::nullopt;
}

// ------------------------------------------------------------------- extraction via Kea

kea::OptionBuffer buffer(View v) { return kea::OptionBuffer(v.begin(), v.end()); }

net::Ipv6Address to_v6(const isc::asiolink::IOAddress& a) {
    if (!a.isV6()) throw KeaMismatch("libdhcp++ returned a non-IPv6 address");
    net::Ipv6Address out;
    auto b = a.toBytes();
    std::copy_n(b.begin(), 16, out.bytes.begin());
    return out;
}

net::Ipv4Address to_v4(const isc::asiolink::IOAddress& a) {
    if (!a.isV4()) throw KeaMismatch("libdhcp++ returned a non-IPv4 address");
    return net::Ipv4Address(a.toUint32());
}

net::Ipv6Prefix to_prefix(const kea::PrefixTuple& p) { return net::Ipv6Prefix(to_v6(p.second), p.first.asUnsigned()); }

boost::shared_ptr<kea::OptionCustom> as_custom(const kea::OptionPtr& o, const char* what) {
    auto oc = boost::dynamic_pointer_cast<kea::OptionCustom>(o);
    if (!oc) throw KeaMismatch(std::string("libdhcp++ did not parse ") + what + " as a record");
    return oc;
}

// 93 from libdhcp++: readPsid() returns the PSID right-aligned.
provision::PortParams portparams_from(const kea::OptionPtr& o) {
    auto oc = boost::dynamic_pointer_cast<kea::OptionCustom>(o);
    if (!oc) {
        // Not defined in the container spaces: build it with the s46-rule-options definition.
        auto def = kea::LibDHCP::getOptionDef(V4V6_RULE_OPTION_SPACE, D6O_S46_PORTPARAMS);
        if (!def) throw KeaMismatch("libdhcp++ has no definition for OPTION_S46_PORTPARAMS");
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

std::optional<provision::PortParams> nested_portparams(const kea::OptionPtr& parent, unsigned expected) {
    const auto& subs = parent->getOptions();
    if (subs.size() != expected) throw KeaMismatch("libdhcp++ found a different number of RULE/BIND sub-options");
    if (expected == 0) return std::nullopt;
    return portparams_from(subs.begin()->second);
}

unsigned count_suboptions(View v) {  // of a RULE or BIND's tail, already validated
    unsigned n = 0;
    for (std::size_t pos = 0; pos < v.size(); pos += 4u + rd16(v, pos + 2)) ++n;
    return n;
}

provision::Rule rule_from(const kea::OptionPtr& o, View wire) {
    auto oc = as_custom(o, "OPTION_S46_RULE");
    provision::Rule r;
    r.forwarding = (oc->readInteger<std::uint8_t>(0) & 0x01) != 0;  // RFC 7598 §4.1: F is the LSB
    r.ea_len = oc->readInteger<std::uint8_t>(1);
    unsigned p4len = oc->readInteger<std::uint8_t>(2);
    r.ipv4_prefix = net::Ipv4Prefix(to_v4(oc->readAddress(3)), p4len);
    r.ipv6_prefix = to_prefix(oc->readPrefix(4));
    r.port_params = nested_portparams(o, count_suboptions(wire.subspan(8 + (wire[7] + 7u) / 8u)));
    return r;
}

provision::V4v6Bind bind_from(const kea::OptionPtr& o, View wire) {
    auto oc = as_custom(o, "OPTION_S46_V4V6BIND");
    provision::V4v6Bind b;
    b.ipv4 = to_v4(oc->readAddress(0));
    b.bind_prefix = to_prefix(oc->readPrefix(1));
    b.port_params = nested_portparams(o, count_suboptions(wire.subspan(5 + (wire[4] + 7u) / 8u)));
    return b;
}

// The wire values of every sub-option of `code` in a validated container, in order (the
// nested-option counts above need them; the values themselves come from libdhcp++).
std::vector<View> wire_subs(View body, std::uint16_t code) {
    std::vector<View> out;
    for (std::size_t pos = 0; pos < body.size();) {
        std::uint16_t c = rd16(body, pos), len = rd16(body, pos + 2);
        if (c == code) out.push_back(body.subspan(pos + 4, len));
        pos += 4u + len;
    }
    return out;
}

const char* container_space(std::uint16_t code) {
    switch (code) {
        case provision::kOptionS46ContMapE: return MAPE_V6_OPTION_SPACE;
        case provision::kOptionS46ContMapT: return MAPT_V6_OPTION_SPACE;
        default: return LW_V6_OPTION_SPACE;
    }
}

// Parse a container that passed check_container with libdhcp++ and fill `out`'s fields.
struct KeaContainer {
    std::vector<provision::Rule> rules;
    std::vector<net::Ipv6Address> brs;
    std::optional<net::Ipv6Prefix> dmr;
    std::optional<provision::V4v6Bind> bind;
    std::optional<provision::PortParams> port_params;
};

KeaContainer container_from_kea(std::uint16_t code, View body, const Counts& n) {
    kea::OptionBuffer buf = buffer(body);
    kea::OptionCollection subs;
    std::size_t used = kea::LibDHCP::unpackOptions6(buf, container_space(code), subs);
    if (used != buf.size()) throw KeaMismatch("libdhcp++ parsed " + num(used) + " of " + num(buf.size()) + " octets");
    if (subs.count(D6O_S46_RULE) != n.rule || subs.count(D6O_S46_BR) != n.br || subs.count(D6O_S46_DMR) != n.dmr ||
        subs.count(D6O_S46_V4V6BIND) != n.bind || subs.count(D6O_S46_PORTPARAMS) != n.portparams)
        throw KeaMismatch("libdhcp++ found a different set of sub-options");
    KeaContainer c;
    auto rule_wire = wire_subs(body, D6O_S46_RULE);
    auto bind_wire = wire_subs(body, D6O_S46_V4V6BIND);
    std::size_t ri = 0;
    // An OptionCollection is a multimap ordered by code; equal codes keep their wire order.
    for (const auto& [sub_code, o] : subs) {
        switch (sub_code) {
            case D6O_S46_RULE: c.rules.push_back(rule_from(o, rule_wire.at(ri++))); break;
            case D6O_S46_BR: c.brs.push_back(to_v6(as_custom(o, "OPTION_S46_BR")->readAddress(0))); break;
            case D6O_S46_DMR: c.dmr = to_prefix(as_custom(o, "OPTION_S46_DMR")->readPrefix(0)); break;
            case D6O_S46_V4V6BIND: c.bind = bind_from(o, bind_wire.at(0)); break;
            case D6O_S46_PORTPARAMS: c.port_params = portparams_from(o); break;
            default: throw KeaMismatch("libdhcp++ returned sub-option " + num(sub_code));
        }
    }
    return c;
}

// 111 is not among Kea 2.2's standard definitions (notes/kea.md §2.3). A local definition and
// its factory are enough: nothing is registered in LibDHCP's process-wide runtime definitions.
std::vector<std::uint16_t> priority_from_kea(View v) {
    static const kea::OptionDefinition def("s46-priority", provision::kOptionS46Priority, DHCP6_OPTION_SPACE,
                                           kea::OPT_UINT16_TYPE, true);
    kea::OptionBuffer buf = buffer(v);
    auto o = boost::dynamic_pointer_cast<kea::OptionIntArray<std::uint16_t>>(
        def.optionFactory(kea::Option::V6, provision::kOptionS46Priority, buf.begin(), buf.end()));
    if (!o) throw KeaMismatch("libdhcp++ did not parse OPTION_S46_PRIORITY as a uint16 array");
    return o->getValues();
}

std::vector<net::Ipv6Address> addresses_from_kea(std::uint16_t code, View v) {
    auto def = kea::LibDHCP::getOptionDef(DHCP6_OPTION_SPACE, code);
    if (!def) throw KeaMismatch("libdhcp++ has no definition for " + option_name(code));
    kea::OptionBuffer buf = buffer(v);
    auto o = boost::dynamic_pointer_cast<kea::Option6AddrLst>(def->optionFactory(kea::Option::V6, code, buf.begin(), buf.end()));
    if (!o) throw KeaMismatch("libdhcp++ did not parse " + option_name(code) + " as an address list");
    std::vector<net::Ipv6Address> out;
    for (const auto& a : o->getAddresses()) out.push_back(to_v6(a));
    return out;
}

// ----------------------------------------------------------------------- per option

struct Seen {
    bool aftr = false, priority = false, dns = false, dhcp4o6 = false;
};

void reject(S46OptionSet& out, std::uint16_t code, const std::string& why) {
    out.rejected.push_back({code, option_name(code) + ": " + why});
}

void decode_one(std::uint16_t code, View v, S46OptionSet& out, Seen& seen) {
    static const std::string duplicate = "ignored duplicate (only the first instance is used)";
    switch (code) {
        case provision::kOptionAftrName: {
            if (std::exchange(seen.aftr, true)) return reject(out, code, duplicate);
            std::string name;
            if (auto p = check_aftr_name(v, name)) return reject(out, code, *p);
            out.aftr_name = std::move(name);
            return;
        }
        case provision::kOptionS46Priority: {
            if (std::exchange(seen.priority, true)) return reject(out, code, duplicate);
            if (v.size() < 2 || v.size() % 2 != 0)
                return reject(out, code, "option-len " + num(v.size()) + " must be >= 2 and even");
            std::vector<bool> listed(65536);  // linear even for a 32767-code option
            for (std::size_t i = 0; i < v.size(); i += 2) {
                std::uint16_t c = rd16(v, i);
                if (listed[c]) return reject(out, code, "code " + num(c) + " listed twice");
                listed[c] = true;
            }
            out.priority = priority_from_kea(v);
            return;
        }
        case provision::kOptionDnsServers: {
            if (std::exchange(seen.dns, true)) return reject(out, code, duplicate);
            if (v.size() % 16 != 0) return reject(out, code, "option-len " + num(v.size()) + " is not a multiple of 16");
            out.dns_servers = addresses_from_kea(code, v);
            return;
        }
        case provision::kOptionDhcp4o6Server: {
            if (std::exchange(seen.dhcp4o6, true)) return reject(out, code, duplicate);
            if (v.size() % 16 != 0) return reject(out, code, "option-len " + num(v.size()) + " is not a multiple of 16");
            addresses_from_kea(code, v);  // parsed for consistency; the set only records presence
            out.dhcp4o6_server = true;
            return;
        }
        case provision::kOptionS46Rule:
        case provision::kOptionS46Br:
        case provision::kOptionS46Dmr:
        case provision::kOptionS46V4v6Bind:
        case provision::kOptionS46PortParams:
            return reject(out, code, "ignored outside an S46 container");
        case provision::kOptionS46ContMapE:
        case provision::kOptionS46ContMapT:
        case provision::kOptionS46ContLw: {
            Counts n;
            if (auto p = check_container(code, v, n)) return reject(out, code, *p);
            KeaContainer c = container_from_kea(code, v, n);
            if (code == provision::kOptionS46ContMapE) {
                out.mape.push_back({std::move(c.rules), std::move(c.brs), c.port_params});
            } else if (code == provision::kOptionS46ContMapT) {
                // A container-level 93 in MAP-T is validated but not kept (MapTContainer has no
                // field for it; this CPE does not run MAP-T).
                if (!c.dmr) throw KeaMismatch("libdhcp++ lost OPTION_S46_DMR");
                out.mapt.push_back({std::move(c.rules), *c.dmr});
            } else {
                out.lw.push_back({std::move(c.brs), std::move(c.bind), c.port_params});
            }
            return;
        }
        default:
            return;  // not a softwire option: IA_NA, IA_PD, client id, ... are someone else's
    }
}

}  // namespace

S46OptionSet decode_reply_options(std::span<const std::uint8_t> options) {
    S46OptionSet out;
    Seen seen;
    std::size_t pos = 0;
    while (pos < options.size()) {
        Frame f = frame(options, pos);
        if (f.kind == Frame::short_header) {
            if (!f.code_known)
                out.rejected.push_back(
                    {0, "truncated option header (" + num(f.have) + " of 4 octets) at the end of the message"});
            else
                reject(out, f.code, "truncated option header (" + num(f.have) + " of 4 octets)");
            break;
        }
        if (f.kind == Frame::overrun) {
            reject(out, f.code, "option-len " + num(f.len) + " overruns the message (" + num(f.have) + " octets left)");
            break;
        }
        // decode_one assigns to `out` only after every Kea call for the option has returned, so
        // an exception never leaves half an option behind.
        try {
            decode_one(f.code, f.value, out, seen);
        } catch (const KeaMismatch& e) {
            reject(out, f.code, e.what());
        } catch (const isc::Exception& e) {
            reject(out, f.code, std::string("libdhcp++: ") + e.what());
        } catch (const std::exception& e) {
            reject(out, f.code, std::string("libdhcp++: ") + e.what());
        } catch (...) {
            reject(out, f.code, "libdhcp++: unknown exception");
        }
        pos += 4u + f.len;
    }
    return out;
}

}  // namespace s46::dhcp
