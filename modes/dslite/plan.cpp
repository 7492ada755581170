#include "modes/dslite/plan.hpp"

#include "modes/tunnel_source.hpp"

namespace s46::modes::dslite {

Result<Plan> build_plan(const provision::S46OptionSet& options, const PlanContext& ctx) {
    if (!options.aftr_name) return fail("no valid AFTR-Name (option 64)");
    auto local = b4_tunnel_source(ctx);
    if (!local) return fail(local.error());
    Plan p;
    p.mode = select::Mode::dslite;
    p.tunnel_local = *local;
    p.remote_name = *options.aftr_name;
    p.ipv4 = net::Ipv4Prefix(kB4Address, 32);
    p.napt = false;  // RFC 6333 §6.6: the AFTR does the NAT, told apart by the B4's IPv6 address
    p.forwarding.push_back({net::Ipv4Prefix(net::Ipv4Address(0), 0), std::nullopt});  // everything to the AFTR
    p.tunnel_mtu = tunnel_mtu(ctx);
    return p;
}

}  // namespace s46::modes::dslite
