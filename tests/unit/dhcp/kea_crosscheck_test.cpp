// The hand-written encoder against libdhcp++'s own OptionCustom writers (writeInteger,
// writeAddress, writePrefix, writePsid + pack) for every valid value the vectors decode to.
// The only test that names Kea types; it links Kea itself, like dhcp/ does.
#include <dhcp/libdhcp++.h>
#include <dhcp/option_custom.h>
#include <dhcp/option_data_types.h>
#include <dhcp/option_space.h>
#include <dhcp/std_option_defs.h>
#include <asiolink/io_address.h>
#include <util/buffer.h>

#include "dhcp_test_util.hpp"

using namespace s46;
using namespace s46::dhcp;
using namespace s46::dhcp::test;
namespace kea = isc::dhcp;
using isc::asiolink::IOAddress;

namespace {

Bytes pack(const kea::OptionPtr& o) {
    isc::util::OutputBuffer buf(0);
    o->pack(buf);
    const auto* d = static_cast<const std::uint8_t*>(buf.getData());
    return Bytes(d, d + buf.getLength());
}

boost::shared_ptr<kea::OptionCustom> make(const std::string& space, std::uint16_t code) {
    auto def = kea::LibDHCP::getOptionDef(space, code);
    REQUIRE(def);
    return boost::make_shared<kea::OptionCustom>(*def, kea::Option::V6);
}

kea::OptionPtr kea_pp(const provision::PortParams& pp) {
    auto o = make(V4V6_RULE_OPTION_SPACE, D6O_S46_PORTPARAMS);
    o->writeInteger<std::uint8_t>(pp.offset, 0);
    o->writePsid(kea::PSIDLen(pp.psid_len), kea::PSID(pp.psid), 1);
    return o;
}

kea::OptionPtr kea_rule(const std::string& space, const provision::Rule& r) {
    auto o = make(space, D6O_S46_RULE);
    o->writeInteger<std::uint8_t>(r.forwarding ? 1 : 0, 0);
    o->writeInteger<std::uint8_t>(r.ea_len, 1);
    o->writeInteger<std::uint8_t>(r.ipv4_prefix.length, 2);
    o->writeAddress(IOAddress(r.ipv4_prefix.address.to_string()), 3);
    o->writePrefix(kea::PrefixLen(r.ipv6_prefix.length), IOAddress(r.ipv6_prefix.address.to_string()), 4);
    if (r.port_params) o->addOption(kea_pp(*r.port_params));
    return o;
}

kea::OptionPtr kea_bind(const provision::V4v6Bind& b) {
    auto o = make(LW_V6_OPTION_SPACE, D6O_S46_V4V6BIND);
    o->writeAddress(IOAddress(b.ipv4.to_string()), 0);
    o->writePrefix(kea::PrefixLen(b.bind_prefix.length), IOAddress(b.bind_prefix.address.to_string()), 1);
    if (b.port_params) {
        auto pp = make(V4V6_BIND_OPTION_SPACE, D6O_S46_PORTPARAMS);
        pp->writeInteger<std::uint8_t>(b.port_params->offset, 0);
        pp->writePsid(kea::PSIDLen(b.port_params->psid_len), kea::PSID(b.port_params->psid), 1);
        o->addOption(pp);
    }
    return o;
}

kea::OptionPtr kea_br(const std::string& space, const net::Ipv6Address& a) {
    auto o = make(space, D6O_S46_BR);
    o->writeAddress(IOAddress(a.to_string()), 0);
    return o;
}

}  // namespace

TEST_CASE("the encoder matches libdhcp++'s OptionCustom packing", "[dhcp][kea]") {
    std::vector<provision::S46OptionSet> sets;
    const json options = load_vectors("options.json");
    for (const auto& vec : decoded_option_vectors(options)) {
        const Bytes& w = vec.wire;
        switch (vec.code) {
            case 89: sets.push_back(decode(tlv(94, cat({w, br_opt()})))); break;
            case 90: sets.push_back(decode(tlv(94, cat({rule_opt(), w})))); break;
            case 91: sets.push_back(decode(tlv(95, cat({rule_opt(), w})))); break;
            case 92: sets.push_back(decode(tlv(96, cat({w, br_opt()})))); break;
            case 93: sets.push_back(decode(tlv(94, cat({tlv(89, cat({value_of(rule_opt()), w})), br_opt()})))); break;
            default: sets.push_back(decode(w));
        }
    }
    unsigned compared = 0;
    for (const auto& s : sets) {
        REQUIRE(s.rejected.empty());
        INFO(describe(s));
        for (const auto& c : s.mape) {
            // Kea packs sub-options in code order: 89s, then 90s (the encoder's canonical order too).
            auto cont = make(DHCP6_OPTION_SPACE, D6O_S46_CONT_MAPE);
            for (const auto& r : c.rules) {
                CHECK(pack(kea_rule(MAPE_V6_OPTION_SPACE, r)) == encode(r));
                cont->addOption(kea_rule(MAPE_V6_OPTION_SPACE, r));
                if (r.port_params) CHECK(pack(kea_pp(*r.port_params)) == encode(*r.port_params));
                ++compared;
            }
            for (const auto& b : c.brs) cont->addOption(kea_br(MAPE_V6_OPTION_SPACE, b));
            if (!c.port_params) {
                CHECK(pack(cont) == encode(c));
                ++compared;
            }
        }
        for (const auto& c : s.mapt) {
            auto cont = make(DHCP6_OPTION_SPACE, D6O_S46_CONT_MAPT);
            for (const auto& r : c.rules) cont->addOption(kea_rule(MAPT_V6_OPTION_SPACE, r));
            auto dmr = make(MAPT_V6_OPTION_SPACE, D6O_S46_DMR);
            dmr->writePrefix(kea::PrefixLen(c.dmr.length), IOAddress(c.dmr.address.to_string()), 0);
            CHECK(pack(dmr) == encode_dmr(c.dmr));
            cont->addOption(dmr);
            CHECK(pack(cont) == encode(c));
            compared += 2;
        }
        for (const auto& c : s.lw) {
            // Kea would put the BRs (90) before the BIND (92); compare the parts.
            for (const auto& b : c.brs) CHECK(pack(kea_br(LW_V6_OPTION_SPACE, b)) == encode_br(b));
            if (c.bind) CHECK(pack(kea_bind(*c.bind)) == encode(*c.bind));
            compared += 2;
        }
        if (s.aftr_name) {
            auto o = make(DHCP6_OPTION_SPACE, D6O_AFTR_NAME);
            o->writeFqdn(*s.aftr_name, 0);
            CHECK(pack(o) == encode_aftr_name(*s.aftr_name));
            ++compared;
        }
    }
    CHECK(compared >= 25);
}

// Kea 2.2 has no definition for 137 (RFC 8539); servers define it at runtime. This is the
// definition docs/dhcp-options.md gives: "ipv6-prefix" is the one option-def type whose layout is
// RFC 8539 §5.1's (length octet, then ceil(len/8) octets), checked in both directions here.
TEST_CASE("137: Kea's runtime \"ipv6-prefix\" definition writes and reads the RFC 8539 layout", "[dhcp][kea][bindprefix]") {
    const kea::OptionDefinition def("s46-bind-ipv6-prefix", provision::kOptionS46BindIpv6Prefix, DHCP6_OPTION_SPACE,
                                    "ipv6-prefix");
    for (const char* text : {"2001:db8:12:3400::/56", "2001:db8:12:3480::/57", "::/0", "2001:db8::1/128", "2001:db0::/28"}) {
        INFO(text);
        const net::Ipv6Prefix prefix = p6(text);
        kea::OptionCustom o(def, kea::Option::V6);
        o.writePrefix(kea::PrefixLen(prefix.length), IOAddress(prefix.address.to_string()), 0);
        const Bytes ours = encode_bind_ipv6_prefix(prefix);
        CHECK(pack(boost::make_shared<kea::OptionCustom>(o)) == ours);

        const Bytes value = value_of(ours);
        kea::OptionCustom read(def, kea::Option::V6, kea::OptionBuffer(value.begin(), value.end()));
        auto [len, addr] = read.readPrefix(0);
        CHECK(len.asUnsigned() == prefix.length);
        CHECK(addr.toText() == prefix.address.to_string());
        CHECK(decode(ours).bind_ipv6_prefix == prefix);
    }
    // Kea masks the padding bits as the RFC asks; the decoder ignores them either way.
    kea::OptionCustom padded(def, kea::Option::V6);
    padded.writePrefix(kea::PrefixLen(28), IOAddress("2001:dbf::"), 0);
    CHECK(to_hex(pack(boost::make_shared<kea::OptionCustom>(padded))) == "008900051c20010db0");

    // The tempting record of uint8 + ipv6-address always writes 17 octets: not RFC 8539's layout.
    kea::OptionDefinition record("s46-bind-ipv6-prefix", provision::kOptionS46BindIpv6Prefix, DHCP6_OPTION_SPACE, "record");
    record.addRecordField("uint8");
    record.addRecordField("ipv6-address");
    kea::OptionCustom r(record, kea::Option::V6);
    r.writeInteger<std::uint8_t>(56, 0);
    r.writeAddress(IOAddress("2001:db8:12:3400::"), 1);
    const Bytes wrong = pack(boost::make_shared<kea::OptionCustom>(r));
    CHECK(wrong.size() == 4 + 17);
    CHECK(reasons(decode(wrong)) == std::vector<std::string>{"OPTION_S46_BIND_IPV6_PREFIX: 9 trailing octets after bind-ipv6-prefix"});
}
