// decode_reply_options: tolerant, per-option decoding of a DHCPv6 Reply's softwire options.
//
// One pass per option: the option is framed with the walker of dhcp/option_framer.hpp (top
// level, container contents, RULE/BIND sub-options), every field is checked against RFC 6334 §3,
// RFC 7598 §4-§6 (Table 1) and RFC 8026 §1.3, and the values are read into the provision structs
// as they are checked. A failure produces a reason string that names the option and the field.
//
// libdhcp++ is not used here: Kea 2.2 gives up on the first structurally bad option (losing the
// whole message) and accepts many invalid values without complaint (docs/dhcp-options.md §1). Its reading of the same options is kept as an oracle in the fuzz
// target (fuzz/s46_kea_oracle.cpp), which asserts that both decoders agree on every option this
// file accepts.
#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "dhcp/option_framer.hpp"
#include "dhcp/port_params.hpp"
#include "dhcp/s46_codec.hpp"

namespace s46::dhcp {

namespace {

using View = std::span<const std::uint8_t>;
using provision::S46OptionSet;
using Kind = OptionFrame::Kind;

// A validation failure: the reason text after "<TOP-LEVEL OPTION NAME>: ".
using Problem = std::optional<std::string>;

std::string num(std::size_t v) { return std::to_string(v); }

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
        case provision::kOptionS46BindIpv6Prefix: return "OPTION_S46_BIND_IPV6_PREFIX";
        default: return "option " + num(code);
    }
}

std::uint16_t rd16(View v, std::size_t at) { return static_cast<std::uint16_t>((v[at] << 8) | v[at + 1]); }

// "RULE" + "PORTPARAMS" -> "OPTION_S46_RULE/OPTION_S46_PORTPARAMS"; an empty path is the container.
std::string join(const std::string& path, const std::string& name) { return path.empty() ? name : path + "/" + name; }
std::string at_path(const std::string& path, const std::string& text) { return path.empty() ? text : path + " " + text; }

// A framing error inside `parent` (a container or a RULE/BIND) at `path`.
std::string frame_problem(const OptionFrame& f, const std::string& path, const std::string& parent) {
    if (f.kind == Kind::short_header) {
        if (!f.code_known) return at_path(path, "truncated sub-option header (" + num(f.have) + " of 4 octets)");
        return join(path, option_name(f.code)) + " truncated option header (" + num(f.have) + " of 4 octets)";
    }
    return join(path, option_name(f.code)) + " option-len " + num(f.len) + " overruns " + parent + " (" +
           num(f.have) + " octets left)";
}

// ceil(len/8) prefix octets from `v` at `at` (already checked to be there), canonical.
net::Ipv6Prefix read_prefix6(View v, std::size_t at, unsigned len) {
    net::Ipv6Address a;
    std::copy_n(v.begin() + static_cast<std::ptrdiff_t>(at), (len + 7u) / 8u, a.bytes.begin());
    return net::Ipv6Prefix(a, len);
}

net::Ipv4Address read_ipv4(View v, std::size_t at) {
    return net::Ipv4Address(static_cast<std::uint32_t>(v[at] << 24 | v[at + 1] << 16 | v[at + 2] << 8 | v[at + 3]));
}

// ------------------------------------------------------------------ validate and read

// 93 (RFC 7598 §4.5): the layout option 159 shares, decoded by dhcp/port_params.hpp.
Problem parse_portparams(View v, const std::string& path, provision::PortParams& out) {
    auto decoded = decode_port_params(v, path);
    if (auto* why = std::get_if<std::string>(&decoded)) return std::move(*why);
    out = std::get<provision::PortParams>(decoded);
    return std::nullopt;
}

// The sub-options of a RULE or BIND: only 93 is defined, at most one (strict, RFC 7598 §8).
Problem parse_rule_suboptions(View v, const std::string& path, std::optional<provision::PortParams>& out) {
    for (Dhcpv6OptionWalker walk(v); !walk.done();) {
        OptionFrame f = walk.next();
        if (f.kind != Kind::ok) return frame_problem(f, path, path);
        if (f.code != provision::kOptionS46PortParams) return path + " unsupported sub-option " + num(f.code);
        if (out) return path + " more than one OPTION_S46_PORTPARAMS";
        provision::PortParams pp;
        if (auto p = parse_portparams(f.value, join(path, "OPTION_S46_PORTPARAMS"), pp)) return p;
        out = pp;
    }
    return std::nullopt;
}

// 89 (RFC 7598 §4.1).
Problem parse_rule(View v, provision::Rule& out) {
    const std::string path = "OPTION_S46_RULE";
    if (v.size() < 8) return path + " option-len " + num(v.size()) + " < 8";
    unsigned ea = v[1], p4 = v[2], p6 = v[7];
    if (ea > 48) return path + " ea-len " + num(ea) + " > 48";
    if (p4 > 32) return path + " prefix4-len " + num(p4) + " > 32";
    if (p6 > 128) return path + " prefix6-len " + num(p6) + " > 128";
    std::size_t need = (p6 + 7u) / 8u, left = v.size() - 8;
    if (left < need)
        return path + " prefix6-len " + num(p6) + " needs " + num(need) + " prefix octets, only " + num(left) + " left";
    out.forwarding = (v[0] & 0x01) != 0;  // F is the LSB; the other flag bits are reserved
    out.ea_len = static_cast<std::uint8_t>(ea);
    out.ipv4_prefix = net::Ipv4Prefix(read_ipv4(v, 3), p4);
    out.ipv6_prefix = read_prefix6(v, 8, p6);
    return parse_rule_suboptions(v.subspan(8 + need), path, out.port_params);
}

// 90 (RFC 7598 §4.2).
Problem parse_br(View v, net::Ipv6Address& out) {
    if (v.size() != 16) return "OPTION_S46_BR option-len " + num(v.size()) + " != 16";
    std::copy(v.begin(), v.end(), out.bytes.begin());
    return std::nullopt;
}

// A prefix-length octet followed by exactly ceil(len/8) octets of prefix, as in 91.
Problem parse_prefix_field(View v, std::size_t at, const std::string& path, const std::string& field, unsigned& need) {
    unsigned p6 = v[at];
    if (p6 > 128) return path + " " + field + " " + num(p6) + " > 128";
    need = (p6 + 7u) / 8u;
    std::size_t left = v.size() - at - 1;
    if (left < need)
        return path + " " + field + " " + num(p6) + " needs " + num(need) + " prefix octets, only " + num(left) + " left";
    return std::nullopt;
}

// 91 (RFC 7598 §4.3). No sub-options are defined, so nothing may follow the prefix.
Problem parse_dmr(View v, net::Ipv6Prefix& out) {
    const std::string path = "OPTION_S46_DMR";
    if (v.empty()) return path + " option-len 0 < 1";
    unsigned need = 0;
    if (auto p = parse_prefix_field(v, 0, path, "dmr-prefix6-len", need)) return p;
    if (std::size_t left = v.size() - 1; left > need)
        return path + " " + num(left - need) + " trailing octets after dmr-ipv6-prefix";
    out = read_prefix6(v, 1, v[0]);
    return std::nullopt;
}

// 92 (RFC 7598 §4.4).
Problem parse_bind(View v, provision::V4v6Bind& out) {
    const std::string path = "OPTION_S46_V4V6BIND";
    if (v.size() < 5) return path + " option-len " + num(v.size()) + " < 5";
    unsigned need = 0;
    if (auto p = parse_prefix_field(v, 4, path, "bindprefix6-len", need)) return p;
    out.ipv4 = read_ipv4(v, 0);
    out.bind_prefix = read_prefix6(v, 5, v[4]);
    return parse_rule_suboptions(v.subspan(5 + need), path, out.port_params);
}

// What one container carried, before it becomes the MAP-E, MAP-T or lw4o6 struct.
struct ContainerValues {
    std::vector<provision::Rule> rules;
    std::vector<net::Ipv6Address> brs;
    std::optional<net::Ipv6Prefix> dmr;
    std::optional<provision::V4v6Bind> bind;
    std::optional<provision::PortParams> port_params;
};

// 94/95/96 (RFC 7598 §5, §6 Table 1, §8): framing, permission and counts, every field.
// Sub-options are checked in wire order; the first problem decides the reason.
Problem parse_container(std::uint16_t code, View body, ContainerValues& c) {
    const std::string self = option_name(code);
    const bool mape = code == provision::kOptionS46ContMapE, mapt = code == provision::kOptionS46ContMapT,
               lw = code == provision::kOptionS46ContLw;
    for (Dhcpv6OptionWalker walk(body); !walk.done();) {
        OptionFrame f = walk.next();
        if (f.kind != Kind::ok) return frame_problem(f, "", self);
        const std::string sub = option_name(f.code);
        Problem p;
        switch (f.code) {
            case provision::kOptionS46Rule:
                if (lw) return sub + " not permitted";
                p = parse_rule(f.value, c.rules.emplace_back());
                break;
            case provision::kOptionS46Br:
                if (mapt) return sub + " not permitted";
                p = parse_br(f.value, c.brs.emplace_back());
                break;
            case provision::kOptionS46Dmr:
                if (!mapt) return sub + " not permitted";
                if (c.dmr) return "more than one " + sub;
                p = parse_dmr(f.value, c.dmr.emplace());
                break;
            case provision::kOptionS46V4v6Bind:
                if (!lw) return sub + " not permitted";
                if (c.bind) return "more than one " + sub;
                p = parse_bind(f.value, c.bind.emplace());
                break;
            case provision::kOptionS46PortParams:
                if (c.port_params) return "more than one " + sub;
                p = parse_portparams(f.value, sub, c.port_params.emplace());
                break;
            default:
                return "unsupported sub-option " + num(f.code);
        }
        if (p) return p;
    }
    if ((mape || mapt) && c.rules.empty()) return std::string("mandatory OPTION_S46_RULE missing");
    if ((mape || lw) && c.brs.empty()) return std::string("mandatory OPTION_S46_BR missing");
    if (mapt && !c.dmr) return std::string("mandatory OPTION_S46_DMR missing");
    return std::nullopt;
}

// 64 (RFC 6334 §3, §5). `first` receives the first FQDN in dotted form without the trailing dot.
// Every FQDN in the option must be well-formed wire format (§3: no label past the end, no
// compression); only the first is used, so only the first is checked for valid characters.
Problem parse_aftr_name(View v, std::string& first) {
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

// 111 (RFC 8026 §1.3): a non-empty list of distinct codes.
Problem parse_priority(View v, std::vector<std::uint16_t>& out) {
    if (v.size() < 2 || v.size() % 2 != 0) return "option-len " + num(v.size()) + " must be >= 2 and even";
    std::vector<bool> listed(65536);  // linear even for a 32767-code option
    for (std::size_t i = 0; i < v.size(); i += 2) {
        std::uint16_t c = rd16(v, i);
        if (listed[c]) return "code " + num(c) + " listed twice";
        listed[c] = true;
        out.push_back(c);
    }
    return std::nullopt;
}

// 23 (RFC 3646 §3) and 88 (RFC 7341 §8): a list of IPv6 addresses.
Problem parse_addresses(View v, std::vector<net::Ipv6Address>& out) {
    if (v.size() % 16 != 0) return "option-len " + num(v.size()) + " is not a multiple of 16";
    for (std::size_t i = 0; i < v.size(); i += 16)
        std::copy_n(v.begin() + static_cast<std::ptrdiff_t>(i), 16, out.emplace_back().bytes.begin());
    return std::nullopt;
}

// 137 (RFC 8539 §5.1): bindprefix6-len (0..128), then exactly (len + 7) / 8 prefix octets; the
// option-length is defined as 1 + that, and no sub-options follow. Bits past the prefix length
// are padding the sender MUST zero (§5.1); they are ignored (the prefix is kept canonical), as
// for 91 and 92, because the length alone says which bits name the prefix.
Problem parse_bind_ipv6_prefix(View v, net::Ipv6Prefix& out) {
    if (v.empty()) return std::string("option-len 0 < 1");
    unsigned len = v[0];
    if (len > 128) return "bindprefix6-len " + num(len) + " > 128";
    std::size_t need = (len + 7u) / 8u, have = v.size() - 1;
    if (have < need)
        return "bindprefix6-len " + num(len) + " needs " + num(need) + " prefix octets, only " + num(have) + " left";
    if (have > need) return num(have - need) + " trailing octets after bind-ipv6-prefix";
    out = read_prefix6(v, 1, len);
    return std::nullopt;
}

// ----------------------------------------------------------------------- per option

struct Seen {
    bool aftr = false, priority = false, dns = false, dhcp4o6 = false, bind_prefix = false;
};

void reject(S46OptionSet& out, std::uint16_t code, const std::string& why) {
    out.rejected.push_back({code, option_name(code) + ": " + why});
}

// Values are assigned to `out` only after the whole option has passed, so a rejected option
// never leaves half of itself behind.
void decode_one(std::uint16_t code, View v, S46OptionSet& out, Seen& seen) {
    static const std::string duplicate = "ignored duplicate (only the first instance is used)";
    switch (code) {
        case provision::kOptionAftrName: {
            if (std::exchange(seen.aftr, true)) return reject(out, code, duplicate);
            std::string name;
            if (auto p = parse_aftr_name(v, name)) return reject(out, code, *p);
            out.aftr_name = std::move(name);
            return;
        }
        case provision::kOptionS46Priority: {
            if (std::exchange(seen.priority, true)) return reject(out, code, duplicate);
            std::vector<std::uint16_t> codes;
            if (auto p = parse_priority(v, codes)) return reject(out, code, *p);
            out.priority = std::move(codes);
            return;
        }
        case provision::kOptionDnsServers:
        case provision::kOptionDhcp4o6Server: {
            const bool dns = code == provision::kOptionDnsServers;
            if (std::exchange(dns ? seen.dns : seen.dhcp4o6, true)) return reject(out, code, duplicate);
            std::vector<net::Ipv6Address> servers;
            if (auto p = parse_addresses(v, servers)) return reject(out, code, *p);
            if (dns)
                out.dns_servers = std::move(servers);
            else
                out.dhcp4o6_servers = std::move(servers);
            return;
        }
        case provision::kOptionS46BindIpv6Prefix: {
            if (std::exchange(seen.bind_prefix, true)) return reject(out, code, duplicate);
            net::Ipv6Prefix prefix;
            if (auto p = parse_bind_ipv6_prefix(v, prefix)) return reject(out, code, *p);
            out.bind_ipv6_prefix = prefix;
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
            ContainerValues c;
            if (auto p = parse_container(code, v, c)) return reject(out, code, *p);
            if (code == provision::kOptionS46ContMapE) {
                out.mape.push_back({std::move(c.rules), std::move(c.brs), c.port_params});
            } else if (code == provision::kOptionS46ContMapT) {
                // A container-level 93 in MAP-T is validated but not kept (MapTContainer has no
                // field for it; this CPE does not run MAP-T).
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
    for (Dhcpv6OptionWalker walk(options); !walk.done();) {
        OptionFrame f = walk.next();
        if (f.kind == Kind::short_header) {
            if (!f.code_known)
                out.rejected.push_back(
                    {0, "truncated option header (" + num(f.have) + " of 4 octets) at the end of the message"});
            else
                reject(out, f.code, "truncated option header (" + num(f.have) + " of 4 octets)");
            break;
        }
        if (f.kind == Kind::overrun) {
            reject(out, f.code, "option-len " + num(f.len) + " overruns the message (" + num(f.have) + " octets left)");
            break;
        }
        decode_one(f.code, f.value, out, seen);
    }
    return out;
}

}  // namespace s46::dhcp
