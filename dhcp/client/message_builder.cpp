#include "dhcp/client/message_builder.hpp"

#include <dhcp/dhcp6.h>
#include <dhcp/option.h>
#include <dhcp/option6_ia.h>
#include <dhcp/option6_iaaddr.h>
#include <dhcp/option6_iaprefix.h>
#include <dhcp/option_int.h>
#include <dhcp/option_int_array.h>
#include <dhcp/pkt6.h>
#include <asiolink/io_address.h>
#include <sys/socket.h>  // AF_INET6

#include <boost/make_shared.hpp>

namespace s46::dhcp::client {

namespace {

namespace kea = isc::dhcp;
using isc::asiolink::IOAddress;

IOAddress to_kea(const net::Ipv6Address& a) {
    return IOAddress::fromBytes(AF_INET6, a.bytes.data());
}

kea::OptionPtr build_ia(const IaRequest& r) {
    auto ia = boost::make_shared<kea::Option6IA>(r.code, r.iaid);
    ia->setT1(0);
    ia->setT2(0);
    for (const auto& a : r.addresses)
        ia->addOption(boost::make_shared<kea::Option6IAAddr>(D6O_IAADDR, to_kea(a), 0, 0));
    for (const auto& p : r.prefixes)
        ia->addOption(boost::make_shared<kea::Option6IAPrefix>(D6O_IAPREFIX, to_kea(p.address), p.length, 0, 0));
    if (r.code == D6O_IA_PD && r.prefixes.empty() && r.prefix_hint != 0)
        ia->addOption(boost::make_shared<kea::Option6IAPrefix>(D6O_IAPREFIX, IOAddress("::"), r.prefix_hint, 0, 0));
    return ia;
}

}  // namespace

std::vector<std::uint8_t> build_message(const ClientMessage& m) {
    auto pkt = boost::make_shared<kea::Pkt6>(static_cast<std::uint8_t>(m.type), m.transaction_id & 0xffffff);
    pkt->addOption(boost::make_shared<kea::Option>(kea::Option::V6, D6O_CLIENTID, m.client_id));
    if (!m.server_id.empty())
        pkt->addOption(boost::make_shared<kea::Option>(kea::Option::V6, D6O_SERVERID, m.server_id));
    pkt->addOption(boost::make_shared<kea::OptionInt<std::uint16_t>>(kea::Option::V6, D6O_ELAPSED_TIME, m.elapsed_cs));
    for (const auto& ia : m.ias) pkt->addOption(build_ia(ia));
    if (!m.oro.empty()) {
        auto oro = boost::make_shared<kea::OptionIntArray<std::uint16_t>>(kea::Option::V6, D6O_ORO);
        for (auto code : m.oro) oro->addValue(code);
        pkt->addOption(oro);
    }
    if (m.rapid_commit) pkt->addOption(boost::make_shared<kea::Option>(kea::Option::V6, D6O_RAPID_COMMIT));
    pkt->pack();
    const auto& buf = pkt->getBuffer();
    const auto* data = static_cast<const std::uint8_t*>(buf.getData());
    return std::vector<std::uint8_t>(data, data + buf.getLength());
}

}  // namespace s46::dhcp::client
