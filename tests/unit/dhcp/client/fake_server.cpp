#include "fake_server.hpp"

#include <catch2/catch.hpp>

#include <dhcp/dhcp6.h>
#include <dhcp/option.h>
#include <dhcp/option6_ia.h>
#include <dhcp/option6_iaaddr.h>
#include <dhcp/option6_iaprefix.h>
#include <dhcp/option6_status_code.h>
#include <dhcp/option_int.h>
#include <dhcp/option_int_array.h>
#include <dhcp/pkt6.h>
#include <asiolink/io_address.h>

#include <boost/make_shared.hpp>

#include <stdexcept>

#include "dhcp/client/duid.hpp"
#include "dhcp/s46_codec.hpp"

namespace s46::dhcp::client::test {

namespace kea = isc::dhcp;
using isc::asiolink::IOAddress;

net::Ipv6Address v6(const char* text) { return net::Ipv6Address::parse(text).value(); }
net::Ipv6Prefix v6p(const char* text) { return net::Ipv6Prefix::parse(text, true).value(); }

Random constant_random(std::uint32_t value) {
    return [value] { return value; };
}

Random counting_random() {
    return [n = std::uint32_t{0}]() mutable { return 0x80000000u + 0x010101u * ++n; };
}

namespace {

IOAddress to_kea(const net::Ipv6Address& a) { return IOAddress::fromBytes(AF_INET6, a.bytes.data()); }

net::Ipv6Address from_kea(const IOAddress& a) {
    net::Ipv6Address out;
    const auto b = a.toBytes();
    std::copy(b.begin(), b.end(), out.bytes.begin());
    return out;
}

kea::Pkt6Ptr unpack(std::span<const std::uint8_t> bytes) {
    auto p = boost::make_shared<kea::Pkt6>(bytes.data(), bytes.size());
    p->unpack();
    return p;
}

}  // namespace

const SentMessage::Ia* SentMessage::ia(std::uint16_t code) const {
    for (const auto& i : ias)
        if (i.code == code) return &i;
    return nullptr;
}

SentMessage read_client_message(std::span<const std::uint8_t> bytes) {
    auto p = unpack(bytes);
    SentMessage m;
    m.type = static_cast<MessageType>(p->getType());
    m.transaction_id = p->getTransid();
    if (auto o = p->getOption(D6O_CLIENTID)) m.client_id = o->getData();
    if (auto o = p->getOption(D6O_SERVERID)) m.server_id = o->getData();
    if (auto o = boost::dynamic_pointer_cast<kea::OptionInt<std::uint16_t>>(p->getOption(D6O_ELAPSED_TIME)))
        m.elapsed_cs = o->getValue();
    if (auto o = boost::dynamic_pointer_cast<kea::OptionIntArray<std::uint16_t>>(p->getOption(D6O_ORO)))
        m.oro = o->getValues();
    m.rapid_commit = static_cast<bool>(p->getOption(D6O_RAPID_COMMIT));
    for (auto code : {D6O_IA_NA, D6O_IA_PD}) {
        for (const auto& [c, o] : p->getOptions(code)) {
            auto ia = boost::dynamic_pointer_cast<kea::Option6IA>(o);
            if (!ia) throw std::runtime_error("IA did not parse as Option6IA");
            SentMessage::Ia out{static_cast<std::uint16_t>(code), ia->getIAID(), ia->getT1(), ia->getT2(), {}, {}};
            for (const auto& [sc, so] : ia->getOptions()) {
                if (auto pfx = boost::dynamic_pointer_cast<kea::Option6IAPrefix>(so))
                    out.prefixes.push_back(net::Ipv6Prefix(from_kea(pfx->getAddress()), pfx->getLength()));
                else if (auto a = boost::dynamic_pointer_cast<kea::Option6IAAddr>(so))
                    out.addresses.push_back(from_kea(a->getAddress()));
            }
            m.ias.push_back(out);
        }
    }
    return m;
}

std::vector<std::uint8_t> default_server_duid() { return duid_ll({0x02, 0x00, 0x00, 0x00, 0x00, 0x02}); }

provision::S46OptionSet default_s46_options() {
    provision::S46OptionSet s;
    s.aftr_name = "aftr.example.net";
    provision::MapEContainer mape;
    provision::Rule rule;
    rule.forwarding = true;
    rule.ea_len = 16;
    rule.ipv4_prefix = net::Ipv4Prefix::parse("192.0.2.0/24").value();
    rule.ipv6_prefix = v6p("2001:db8:ff00::/40");
    rule.port_params = provision::PortParams{6, 8, 0};
    mape.rules.push_back(rule);
    mape.brs.push_back(v6("2001:db8:ffff::1"));
    s.mape.push_back(mape);
    s.priority = std::vector<std::uint16_t>{94, 96};
    return s;
}

std::vector<std::uint8_t> FakeServer::advertise(std::span<const std::uint8_t> client_message) const {
    return answer(DHCPV6_ADVERTISE, client_message, false);
}

std::vector<std::uint8_t> FakeServer::reply(std::span<const std::uint8_t> client_message, bool rapid_commit) const {
    return answer(DHCPV6_REPLY, client_message, rapid_commit);
}

std::vector<std::uint8_t> FakeServer::answer(std::uint8_t type, std::span<const std::uint8_t> client_message,
                                             bool rapid_commit) const {
    auto q = unpack(client_message);
    auto r = boost::make_shared<kea::Pkt6>(type, q->getTransid());
    if (include_client_id)
        if (auto cid = q->getOption(D6O_CLIENTID)) r->addOption(cid);
    if (include_server_id) r->addOption(boost::make_shared<kea::Option>(kea::Option::V6, D6O_SERVERID, duid));
    if (preference) r->addOption(boost::make_shared<kea::OptionInt<std::uint8_t>>(kea::Option::V6, D6O_PREFERENCE, *preference));
    if (top_status) r->addOption(boost::make_shared<kea::Option6StatusCode>(*top_status, "top-level status"));
    if (rapid_commit) r->addOption(boost::make_shared<kea::Option>(kea::Option::V6, D6O_RAPID_COMMIT));
    if (information_refresh_time)
        r->addOption(boost::make_shared<kea::OptionInt<std::uint32_t>>(kea::Option::V6, D6O_INFORMATION_REFRESH_TIME,
                                                                        *information_refresh_time));
    if (sol_max_rt)
        r->addOption(boost::make_shared<kea::OptionInt<std::uint32_t>>(kea::Option::V6, D6O_SOL_MAX_RT, *sol_max_rt));

    const bool release = q->getType() == DHCPV6_RELEASE;
    for (auto code : {D6O_IA_NA, D6O_IA_PD}) {
        const bool na = code == D6O_IA_NA;
        if (!(na ? include_na : include_pd)) continue;
        for (const auto& [c, o] : q->getOptions(code)) {
            auto asked = boost::dynamic_pointer_cast<kea::Option6IA>(o);
            auto ia = boost::make_shared<kea::Option6IA>(code, asked->getIAID());
            const auto& status = na ? na_status : pd_status;
            if (status) {
                ia->addOption(boost::make_shared<kea::Option6StatusCode>(*status, "ia status"));
            } else if (!release && (na ? offer_na : offer_pd)) {
                ia->setT1(t1);
                ia->setT2(t2);
                if (na)
                    ia->addOption(boost::make_shared<kea::Option6IAAddr>(D6O_IAADDR, to_kea(na_address), preferred, valid));
                else
                    ia->addOption(boost::make_shared<kea::Option6IAPrefix>(D6O_IAPREFIX, to_kea(pd_prefix.address),
                                                                            pd_prefix.length, preferred, valid));
            } else if (!release) {
                ia->addOption(boost::make_shared<kea::Option6StatusCode>(na ? 2 : 6, "none available"));
            }
            r->addOption(ia);
        }
    }
    r->pack();
    const auto& buf = r->getBuffer();
    const auto* d = static_cast<const std::uint8_t*>(buf.getData());
    std::vector<std::uint8_t> out(d, d + buf.getLength());
    if (!release) {
        const auto extra = encode(s46);  // the codec's encoder: whole TLVs
        out.insert(out.end(), extra.begin(), extra.end());
    }
    return out;
}

Harness::Harness(ClientConfig config, Random random) : client(std::move(config), std::move(random)) {}

std::size_t Harness::pump() {
    auto fresh = client.take_actions();
    for (auto& a : fresh) {
        if (const auto* s = std::get_if<Send>(&a)) sent.push_back(*s);
        actions.push_back(std::move(a));
    }
    return fresh.size();
}

Time Harness::advance() {
    const auto next = client.next_deadline();
    if (!next) throw std::logic_error("advance(): nothing scheduled");
    now = *next;
    client.on_timer(now);
    pump();
    return now;
}

void Harness::advance_to(Time t) {
    now = t;
    client.on_timer(now);
    pump();
}

Disposition Harness::deliver(const std::vector<std::uint8_t>& datagram, const net::Ipv6Address& from) {
    const auto d = client.receive(datagram, from, now);
    pump();
    return d;
}

void Harness::start() {
    client.start(now);
    pump();
}

void Harness::to_requesting(const FakeServer& server) {
    start();
    REQUIRE(deliver(server.advertise(last_sent().bytes)) == Disposition::accepted);
    advance();
    REQUIRE(client.state() == State::requesting);
}

void Harness::bind(const FakeServer& server) {
    to_requesting(server);
    REQUIRE(deliver(server.reply(last_sent().bytes)) == Disposition::accepted);
    REQUIRE(client.state() == State::bound);
}

void Harness::bind_at_once(const FakeServer& server) {
    REQUIRE(server.preference == 255);
    start();
    REQUIRE(deliver(server.advertise(last_sent().bytes)) == Disposition::accepted);
    REQUIRE(client.state() == State::requesting);
    REQUIRE(deliver(server.reply(last_sent().bytes)) == Disposition::accepted);
    REQUIRE(client.state() == State::bound);
}

const Send& Harness::last_sent() const {
    if (sent.empty()) throw std::logic_error("nothing sent");
    return sent.back();
}

ClientConfig test_config() {
    ClientConfig c;
    c.duid = duid_ll({0x02, 0x00, 0x00, 0x00, 0x00, 0x01});
    c.max_initial_delay = Time(0);
    c.rapid_commit = false;
    return c;
}

}  // namespace s46::dhcp::client::test
