#include "fake_server.hpp"

#include <dhcp/dhcp4.h>
#include <dhcp/dhcp6.h>
#include <dhcp/option.h>
#include <dhcp/pkt4.h>
#include <dhcp/pkt4o6.h>
#include <dhcp/pkt6.h>
#include <asiolink/io_address.h>

#include <boost/make_shared.hpp>
#include <memory>
#include <stdexcept>
#include <string>

namespace s46::dhcp::client4o6::test {

namespace kea = isc::dhcp;
using namespace isc::dhcp;  // DHO_* option codes

namespace {

Bytes v4_bytes(net::Ipv4Address a) {
    return {static_cast<std::uint8_t>(a.value >> 24), static_cast<std::uint8_t>(a.value >> 16),
            static_cast<std::uint8_t>(a.value >> 8), static_cast<std::uint8_t>(a.value)};
}

Bytes u32_bytes(std::uint32_t v) { return v4_bytes(net::Ipv4Address(v)); }

Bytes buffer_of(const isc::util::OutputBuffer& buf) {
    const auto* p = static_cast<const std::uint8_t*>(buf.getData());
    return Bytes(p, p + buf.getLength());
}

std::optional<Bytes> option_value(kea::Pkt4& pkt, std::uint8_t code) {
    auto o = pkt.getOption(code);
    if (!o) return std::nullopt;
    return o->toBinary(false);
}

net::Ipv4Address to_v4(const Bytes& b) {
    if (b.size() != 4) throw std::runtime_error("IPv4 option of " + std::to_string(b.size()) + " octets");
    return net::Ipv4Address(b[0], b[1], b[2], b[3]);
}

}  // namespace

net::Ipv6Address v6(const char* text) { return net::Ipv6Address::parse(text).value(); }
net::Ipv4Address v4(const char* text) { return net::Ipv4Address::parse(text).value(); }

Random constant_random(std::uint32_t value) {
    return [value] { return value; };
}

Random counting_random() {
    auto n = std::make_shared<std::uint32_t>(0x80000000u);
    return [n] { return (*n)++; };
}

SentQuery read_query(std::span<const std::uint8_t> d) {
    auto pkt6 = boost::make_shared<kea::Pkt6>(d.data(), d.size());
    pkt6->unpack();
    SentQuery q;
    q.v6_type = pkt6->getType();
    q.flags = pkt6->getTransid();
    auto msg = pkt6->getOption(D6O_DHCPV4_MSG);
    if (!msg) throw std::runtime_error("DHCPV4-QUERY without option 87");
    kea::Pkt4o6 pkt(msg->getData(), pkt6);
    pkt.unpack();
    q.type = static_cast<MessageType>(pkt.getType());
    q.op = pkt.getOp();
    q.xid = pkt.getTransid();
    q.secs = pkt.getSecs();
    q.ciaddr = net::Ipv4Address(pkt.getCiaddr().toUint32());
    q.chaddr = pkt.getHWAddr()->hwaddr_;
    if (auto v = option_value(pkt, DHO_DHCP_CLIENT_IDENTIFIER)) q.client_id = *v;
    if (auto v = option_value(pkt, DHO_DHCP_REQUESTED_ADDRESS)) q.requested_address = to_v4(*v);
    if (auto v = option_value(pkt, DHO_DHCP_SERVER_IDENTIFIER)) q.server_id = to_v4(*v);
    if (auto v = option_value(pkt, DHO_DHCP_PARAMETER_REQUEST_LIST)) q.parameter_request_list = *v;
    if (auto v = option_value(pkt, kOpt4S46Saddr)) {
        if (v->size() != 16) throw std::runtime_error("option 109 of " + std::to_string(v->size()) + " octets");
        net::Ipv6Address a;
        std::copy(v->begin(), v->end(), a.bytes.begin());
        q.softwire_source = a;
    }
    return q;
}

Bytes wrap_raw(const Bytes& dhcpv4, std::uint8_t v6_type) {
    kea::Pkt6 pkt(v6_type, 0);
    pkt.addOption(boost::make_shared<kea::Option>(kea::Option::V6, D6O_DHCPV4_MSG, dhcpv4));
    pkt.pack();
    return buffer_of(pkt.getBuffer());
}

Bytes FakeServer::reply4(MessageType type, std::uint32_t xid) const {
    kea::Pkt4 pkt(static_cast<std::uint8_t>(type), xid);
    pkt.setHWAddr(kea::HTYPE_ETHER, 6, Bytes{0x02, 0, 0, 0, 0, 1});
    if (type != MessageType::nak) pkt.setYiaddr(isc::asiolink::IOAddress(address.value));
    auto add = [&](std::uint8_t code, Bytes v) {
        pkt.addOption(boost::make_shared<kea::Option>(kea::Option::V4, code, std::move(v)));
    };
    if (send_server_id) add(DHO_DHCP_SERVER_IDENTIFIER, v4_bytes(server_id));
    if (type != MessageType::nak) {
        if (send_lease_time) add(DHO_DHCP_LEASE_TIME, u32_bytes(lease_time));
        if (t1) add(DHO_DHCP_RENEWAL_TIME, u32_bytes(*t1));
        if (t2) add(DHO_DHCP_REBINDING_TIME, u32_bytes(*t2));
        if (port_params) add(kOpt4PortParams, *port_params);
    }
    pkt.pack();
    Bytes out = buffer_of(pkt.getBuffer());
    out[0] = op;  // Pkt4 derives op from the type; tests may want a BOOTREQUEST
    return out;
}

Bytes FakeServer::reply(MessageType type, std::uint32_t xid) const {
    const Bytes v4 = reply4(type, xid);
    auto pkt4 = boost::make_shared<kea::Pkt4>(v4.data(), v4.size());
    pkt4->unpack();
    auto pkt6 = boost::make_shared<kea::Pkt6>(DHCPV6_DHCPV4_RESPONSE, 0);
    kea::Pkt4o6 wrapped(pkt4, pkt6);
    wrapped.pack();
    return buffer_of(pkt6->getBuffer());
}

FakeServer short_lease_server() {
    FakeServer s;
    s.lease_time = 1000;
    s.t1 = 500;
    s.t2 = 800;
    return s;
}

// ---------------------------------------------------------------------------------------------

ClientConfig Harness::default_config() {
    ClientConfig c;
    c.hw_address = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    c.client_id = {0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    c.max_initial_delay = Time(0);
    return c;
}

Harness::Harness(ClientConfig config, Random random) : client(std::move(config), std::move(random)) {}

void Harness::start() { client.start(now, source, servers); }

void Harness::advance_to(Time t) {
    now = t;
    client.on_timer(now);
}

Disposition Harness::deliver(const Bytes& datagram) { return client.receive(datagram, now); }

std::vector<Send> Harness::drain_sends() {
    std::vector<Send> out;
    for (auto& a : client.take_actions()) {
        if (auto* s = std::get_if<Send>(&a)) out.push_back(*s);
        actions.push_back(std::move(a));
    }
    return out;
}

SentQuery Harness::bind(const FakeServer& server) {
    start();
    auto discover = drain_sends();
    if (discover.empty()) throw std::runtime_error("no DHCPDISCOVER");
    deliver(server.offer(read_query(discover.front().bytes)));
    auto request = drain_sends();
    if (request.empty()) throw std::runtime_error("no DHCPREQUEST after the OFFER");
    SentQuery q = read_query(request.front().bytes);
    deliver(server.ack(q));
    drain_sends();
    return q;
}

}  // namespace s46::dhcp::client4o6::test
