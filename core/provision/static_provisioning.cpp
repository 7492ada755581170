#include "core/provision/static_provisioning.hpp"

#include "core/map/rule.hpp"

namespace s46::provision {

namespace {

std::string num(unsigned v) { return std::to_string(v); }

// RFC 7598 §4.5 bounds, as the codec applies them to option 93.
Result<void> check_port_params(const PortParams& pp, const std::string& at) {
    if (pp.offset > 15) return fail(at + ".psid_offset: " + num(pp.offset) + " is outside 0..15 (RFC 7598 §4.5)");
    if (pp.psid_len > 16) return fail(at + ".psid_length: " + num(pp.psid_len) + " is outside 0..16 (RFC 7598 §4.5)");
    if (pp.offset + pp.psid_len > 16)
        return fail(at + ".psid_length: psid_offset " + num(pp.offset) + " + psid_length " + num(pp.psid_len) +
                    " exceeds the 16 port bits (RFC 7597 §5.1)");
    if (pp.psid_len < 16 && pp.psid >= (1u << pp.psid_len))
        return fail(at + ".psid: " + num(pp.psid) + " does not fit psid_length " + num(pp.psid_len));
    return ok();
}

// The Reply's first container of a kind: RFC 7596 §5.1 and RFC 7598 use the first one too.
template <class C>
const C* first(const std::vector<C>& v) {
    return v.empty() ? nullptr : &v.front();
}

}  // namespace

Result<StaticProvisioning> validate(const StaticProvisioning& s) {
    switch (s.mode) {
        case select::Mode::none: return s;
        case select::Mode::dslite:
            if (s.dslite.aftr_name && s.dslite.aftr_address)
                return fail("dslite: aftr_name and aftr_address are alternatives; configure one");
            if (!s.dslite.aftr_name && !s.dslite.aftr_address) return fail("dslite: needs aftr_name or aftr_address");
            if (s.dslite.aftr_name && s.dslite.aftr_name->empty()) return fail("dslite.aftr_name: empty");
            if (s.dslite.aftr_name && is_aftr_address_literal(*s.dslite.aftr_name))
                return fail("dslite.aftr_name: '" + *s.dslite.aftr_name + "' is an address; use aftr_address");
            return s;
        case select::Mode::lw4o6:
            if (!s.lw4o6.ipv4 && !s.lw4o6.port_params && !s.lw4o6.bind_prefix && !s.lw4o6.aftr)
                return fail("lw4o6: configures nothing (ipv4_address, psid_*, bind_prefix, aftr)");
            if (s.lw4o6.port_params && !s.lw4o6.ipv4)
                return fail("lw4o6: psid_offset/psid_length/psid need ipv4_address (a port set belongs to its address)");
            if (s.lw4o6.port_params) {
                if (auto r = check_port_params(*s.lw4o6.port_params, "lw4o6"); !r) return fail(r.error());
            }
            return s;
        case select::Mode::mape:
            if (s.mape.rules.empty() && !s.mape.br) return fail("mape: configures nothing (rules, br)");
            for (std::size_t i = 0; i < s.mape.rules.size(); ++i) {
                const Rule& r = s.mape.rules[i];
                const std::string at = "mape.rules[" + std::to_string(i) + "]";
                if (r.port_params) {
                    if (auto c = check_port_params(*r.port_params, at); !c) return fail(c.error());
                }
                // The same checks a Reply's OPTION_S46_RULE gets (RFC 7597 §5, RFC 7598 §4.1).
                if (auto m = map::from_provision(r, std::nullopt); !m) return fail(at + ": " + m.error());
            }
            return s;
    }
    return fail("static: unknown mode");
}

S46OptionSet to_option_set(const StaticProvisioning& s) { return merge_static(S46OptionSet{}, s); }

S46OptionSet merge_static(const S46OptionSet& from_dhcp, const StaticProvisioning& s) {
    if (s.mode == select::Mode::none) return from_dhcp;
    S46OptionSet out;
    // Not tied to a mode: the DNS servers resolve an AFTR name and serve the LAN; the rejections
    // stay visible in `s46ctl status`.
    out.dns_servers = from_dhcp.dns_servers;
    out.rejected = from_dhcp.rejected;

    switch (s.mode) {
        case select::Mode::none: break;
        case select::Mode::dslite:
            // validate() guarantees one of the two.
            if (s.dslite.aftr_address) out.aftr_name = s.dslite.aftr_address->to_string();
            else if (s.dslite.aftr_name) out.aftr_name = s.dslite.aftr_name;
            else out.aftr_name = from_dhcp.aftr_name;
            break;
        case select::Mode::lw4o6: {
            const LwContainer* d = first(from_dhcp.lw);
            const V4v6Bind* db = d && d->bind ? &*d->bind : nullptr;
            LwContainer c;
            if (s.lw4o6.aftr) c.brs = {*s.lw4o6.aftr};
            else if (d) c.brs = d->brs;

            std::optional<net::Ipv4Address> ipv4 = s.lw4o6.ipv4;
            std::optional<PortParams> bind_pp, container_pp;
            if (ipv4) {
                bind_pp = s.lw4o6.port_params;  // the Reply's port set belongs to the Reply's address
            } else if (db) {
                ipv4 = db->ipv4;
                bind_pp = db->port_params;
                container_pp = d->port_params;
            }
            if (ipv4) {
                V4v6Bind b;
                b.ipv4 = *ipv4;
                b.bind_prefix = s.lw4o6.bind_prefix ? *s.lw4o6.bind_prefix
                                : db                ? db->bind_prefix
                                                    : net::Ipv6Prefix();  // ::/0: any active prefix (RFC 7596 §5.1)
                b.port_params = bind_pp;
                c.bind = b;
            }
            c.port_params = container_pp;
            if (c.brs.empty())
                out.rejected.push_back({kOptionS46ContLw, "static lw4o6: no lwAFTR configured and none in the Reply"});
            else if (!c.bind)
                out.rejected.push_back({kOptionS46ContLw, "static lw4o6: no IPv4 address configured and no V4V6BIND in the Reply"});
            else out.lw.push_back(std::move(c));
            break;
        }
        case select::Mode::mape: {
            const MapEContainer* d = first(from_dhcp.mape);
            MapEContainer c;
            if (!s.mape.rules.empty()) {
                // Configured rules carry their own offsets; the Reply's container-level 93 belongs to its rules.
                c.rules = s.mape.rules;
            } else if (d) {
                c.rules = d->rules;
                c.port_params = d->port_params;
            }
            if (s.mape.br) c.brs = {*s.mape.br};
            else if (d) c.brs = d->brs;
            if (c.rules.empty())
                out.rejected.push_back({kOptionS46ContMapE, "static mape: no rules configured and none in the Reply"});
            else if (c.brs.empty())
                out.rejected.push_back({kOptionS46ContMapE, "static mape: no BR configured and none in the Reply"});
            else out.mape.push_back(std::move(c));
            break;
        }
    }
    return out;
}

bool is_aftr_address_literal(const std::string& aftr_name) {
    return aftr_name.find(':') != std::string::npos && net::Ipv6Address::parse(aftr_name).ok();
}

}  // namespace s46::provision
