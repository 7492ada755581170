#include "platform/s46ctl/odhcp6c_env.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

#include "core/util/hex.hpp"
#include "dhcp/s46_codec.hpp"

namespace s46::ctl {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string item;
    std::istringstream in(s);
    while (std::getline(in, item, sep))
        if (!item.empty()) out.push_back(item);
    return out;
}

Result<unsigned> uint_field(const std::string& var, const std::string& key, const std::string& v, unsigned max) {
    unsigned n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc{} || p != v.data() + v.size() || n > max)
        return fail(var + ": " + key + "='" + v + "' is not a number in 0.." + std::to_string(max));
    return n;
}

// One MAPE/MAPT/LW4O6 entry: its rule or binding fields and the BRs that follow it.
struct Entry {
    bool fmr = false;
    unsigned ealen = 0, prefix4len = 32, prefix6len = 0;
    net::Ipv4Address ipv4;
    net::Ipv6Address ipv6;
    std::optional<provision::PortParams> pp;
    std::vector<net::Ipv6Address> brs;
    std::optional<net::Ipv6Prefix> dmr;
};

Result<Entry> parse_entry(const std::string& var, const std::string& text) {
    Entry e;
    std::optional<unsigned> offset, psidlen, psid;
    for (const auto& field : split(text, ',')) {
        if (field == "fmr") { e.fmr = true; continue; }
        auto eq = field.find('=');
        if (eq == std::string::npos) return fail(var + ": field '" + field + "' is not key=value");
        std::string k = field.substr(0, eq), v = field.substr(eq + 1);
        Result<unsigned> n = 0u;
        if (k == "type") continue;
        else if (k == "ealen") { n = uint_field(var, k, v, 255); if (n) e.ealen = *n; }
        else if (k == "prefix4len") { n = uint_field(var, k, v, 255); if (n) e.prefix4len = *n; }
        else if (k == "prefix6len") { n = uint_field(var, k, v, 255); if (n) e.prefix6len = *n; }
        else if (k == "offset") { n = uint_field(var, k, v, 255); if (n) offset = *n; }
        else if (k == "psidlen") { n = uint_field(var, k, v, 255); if (n) psidlen = *n; }
        else if (k == "psid") { n = uint_field(var, k, v, 65535); if (n) psid = *n; }
        else if (k == "ipv4prefix") {
            auto a = net::Ipv4Address::parse(v);
            if (!a) return fail(var + ": ipv4prefix: " + a.error());
            e.ipv4 = *a;
        } else if (k == "ipv6prefix") {
            auto a = net::Ipv6Address::parse(v);
            if (!a) return fail(var + ": ipv6prefix: " + a.error());
            e.ipv6 = *a;
        } else if (k == "br") {
            auto a = net::Ipv6Address::parse(v);
            if (!a) return fail(var + ": br: " + a.error());
            e.brs.push_back(*a);
        } else if (k == "dmr") {
            auto p = net::Ipv6Prefix::parse(v, true);
            if (!p) return fail(var + ": dmr: " + p.error());
            e.dmr = *p;
        } else {
            return fail(var + ": unknown field '" + k + "'");
        }
        if (!n) return fail(n.error());
    }
    if (psidlen || offset || psid) {
        unsigned k = psidlen.value_or(0);
        if (k > 16) return fail(var + ": psidlen=" + std::to_string(k) + " exceeds 16");
        // odhcp6c passes the raw, left-aligned 16-bit PSID field: shift it back to the right.
        unsigned raw = psid.value_or(0);
        unsigned right = k == 0 ? 0 : raw >> (16 - k);
        if (k > 0 && (raw & ((1u << (16 - k)) - 1u)) != 0)
            return fail(var + ": psid=" + std::to_string(raw) + " has bits set below the top psidlen=" + std::to_string(k) + " bits");
        e.pp = provision::PortParams{static_cast<std::uint8_t>(offset.value_or(0)), static_cast<std::uint8_t>(k), static_cast<std::uint16_t>(right)};
    }
    return e;
}

provision::Rule rule_of(const Entry& e) {
    provision::Rule r;
    r.forwarding = e.fmr;
    r.ea_len = static_cast<std::uint8_t>(e.ealen);
    r.ipv4_prefix = net::Ipv4Prefix(e.ipv4, e.prefix4len);
    r.ipv6_prefix = net::Ipv6Prefix(e.ipv6, e.prefix6len);
    r.port_params = e.pp;
    return r;
}

void add_brs(std::vector<net::Ipv6Address>& brs, const Entry& e) {
    for (const auto& b : e.brs)
        if (std::find(brs.begin(), brs.end(), b) == brs.end()) brs.push_back(b);
}

// "prefix/len,preferred,valid[,...]": the lifetimes that matter to s46d.
template <class Lease>
Result<std::vector<Lease>> parse_leases(const std::string& var, const std::string& text) {
    std::vector<Lease> out;
    for (const auto& item : split(text, ' ')) {
        auto fields = split(item, ',');
        if (fields.size() < 3) return fail(var + ": '" + item + "' needs prefix/len,preferred,valid");
        auto pref = uint_field(var, "preferred", fields[1], 0xffffffffu);
        if (!pref) return fail(pref.error());
        auto valid = uint_field(var, "valid", fields[2], 0xffffffffu);
        if (!valid) return fail(valid.error());
        auto p = net::Ipv6Prefix::parse(fields[0], true);
        if (!p) return fail(var + ": " + p.error());
        Lease l;
        if constexpr (std::is_same_v<Lease, provision::LeasedPrefix>) l.prefix = *p;
        else l.address = p->address;
        l.preferred_lifetime = *pref;
        l.valid_lifetime = *valid;
        out.push_back(l);
    }
    return out;
}

}  // namespace

Result<ExternalProvisioning> from_odhcp6c_env(const EnvLookup& env) {
    ExternalProvisioning out;
    // The codec's encoders return whole options (code, length, value).
    auto append = [&](const std::vector<std::uint8_t>& option) { out.options.insert(out.options.end(), option.begin(), option.end()); };

    if (auto dns = env("RDNSS")) {
        std::vector<net::Ipv6Address> servers;
        for (const auto& s : split(*dns, ' ')) {
            auto a = net::Ipv6Address::parse(s);
            if (!a) return fail("RDNSS: " + a.error());
            servers.push_back(*a);
        }
        if (!servers.empty()) append(dhcp::encode_dns_servers(servers));
    }
    if (auto aftr = env("AFTR"); aftr && !aftr->empty()) {
        // Only the first FQDN counts (RFC 6334 §5); odhcp6c space-separates several.
        append(dhcp::encode_aftr_name(split(*aftr, ' ').front()));
    }
    if (auto mape = env("MAPE"); mape && !mape->empty()) {
        provision::MapEContainer c;
        for (const auto& entry : split(*mape, ' ')) {
            auto e = parse_entry("MAPE", entry);
            if (!e) return fail(e.error());
            c.rules.push_back(rule_of(*e));
            add_brs(c.brs, *e);
        }
        append(dhcp::encode(c));
    }
    if (auto mapt = env("MAPT"); mapt && !mapt->empty()) {
        provision::MapTContainer c;
        for (const auto& entry : split(*mapt, ' ')) {
            auto e = parse_entry("MAPT", entry);
            if (!e) return fail(e.error());
            c.rules.push_back(rule_of(*e));
            if (e->dmr) c.dmr = *e->dmr;
        }
        append(dhcp::encode(c));
    }
    if (auto lw = env("LW4O6"); lw && !lw->empty()) {
        provision::LwContainer c;
        for (const auto& entry : split(*lw, ' ')) {
            auto e = parse_entry("LW4O6", entry);
            if (!e) return fail(e.error());
            if (!c.bind) {
                provision::V4v6Bind b;
                b.ipv4 = e->ipv4;
                b.bind_prefix = net::Ipv6Prefix(e->ipv6, e->prefix6len);
                b.port_params = e->pp;
                c.bind = b;
            }
            add_brs(c.brs, *e);
        }
        append(dhcp::encode(c));
    }
    if (auto prio = env("OPTION_111"); prio && !prio->empty()) {
        auto bytes = util::parse_hex(*prio);
        if (!bytes) return fail("OPTION_111: " + bytes.error());
        append(dhcp::encode_option(111, *bytes));
    }
    if (auto p = env("PREFIXES")) {
        auto leases = parse_leases<provision::LeasedPrefix>("PREFIXES", *p);
        if (!leases) return fail(leases.error());
        out.prefixes = std::move(*leases);
    }
    if (auto a = env("ADDRESSES")) {
        auto leases = parse_leases<provision::LeasedAddress>("ADDRESSES", *a);
        if (!leases) return fail(leases.error());
        out.addresses = std::move(*leases);
    }
    return out;
}

}  // namespace s46::ctl
