#include "dhcp/client4o6/message.hpp"

#include <dhcp/dhcp4.h>
#include <dhcp/option.h>
#include <dhcp/pkt4.h>
#include <asiolink/io_address.h>
#include <exceptions/exceptions.h>

#include <boost/make_shared.hpp>
#include <exception>

#include "dhcp/option_framer.hpp"
#include "dhcp/port_params.hpp"

namespace s46::dhcp::client4o6 {

namespace {

namespace kea = isc::dhcp;
using Bytes = std::vector<std::uint8_t>;

// RFC 2131 §2: 236 octets of fixed fields, then the 4-octet magic cookie, then options.
constexpr std::size_t kFixedHeader = 236;
constexpr std::size_t kOptionsStart = kFixedHeader + 4;

Rejection reject(Reject r, std::string detail) { return Rejection{r, std::move(detail)}; }

Bytes v4_bytes(net::Ipv4Address a) {
    return {static_cast<std::uint8_t>(a.value >> 24), static_cast<std::uint8_t>(a.value >> 16),
            static_cast<std::uint8_t>(a.value >> 8), static_cast<std::uint8_t>(a.value)};
}

std::uint32_t be32(const Bytes& b) {
    return std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3];
}

void add(kea::Pkt4& pkt, std::uint8_t code, Bytes value) {
    pkt.addOption(boost::make_shared<kea::Option>(kea::Option::V4, code, std::move(value)));
}

// The value octets of option `code`, or nullopt when absent.
std::optional<Bytes> value_of(kea::Pkt4& pkt, std::uint8_t code) {
    const kea::OptionPtr o = pkt.getOption(code);
    if (!o) return std::nullopt;
    return o->toBinary(false);
}

// A 4-octet option (its length was checked by walk_options; this guards libdhcp++'s copy).
std::optional<Rejection> read_u32(kea::Pkt4& pkt, std::uint8_t code, std::optional<std::uint32_t>& out) {
    auto v = value_of(pkt, code);
    if (!v) return std::nullopt;
    if (v->size() != 4)
        return reject(Reject::malformed_message, "option " + std::to_string(code) + ": libdhcp++ returned " +
                                                    std::to_string(v->size()) + " octets");
    out = be32(*v);
    return std::nullopt;
}

// RFC 2132 §9.6 (53: 1 octet), §9.7 (54), §9.2 (51), §9.11-§9.12 (58, 59): 4 octets.
std::optional<std::size_t> fixed_length(std::uint8_t code) {
    switch (code) {
        case kOpt4MessageType: return 1;
        case kOpt4ServerId:
        case kOpt4LeaseTime:
        case kOpt4RenewalTime:
        case kOpt4RebindingTime: return 4;
        default: return std::nullopt;
    }
}

// Walks the options field with the framer of dhcp/: libdhcp++ stops silently at an option that
// overruns it (and would keep what came before), so truncation is named here. Also picks out
// 159, which libdhcp++ would decode with its own (right-aligned) PSID reading; the engine checks
// the raw value with the codec's port-set decoder.
std::optional<Rejection> walk_options(std::span<const std::uint8_t> d, ServerMessage& m) {
    for (Dhcpv4OptionWalker walk(d.subspan(kOptionsStart)); !walk.done();) {
        const OptionFrame f = walk.next();
        switch (f.kind) {
            case OptionFrame::Kind::end: return std::nullopt;
            case OptionFrame::Kind::short_header:  // one octet left: the code, never Pad or End
                return reject(Reject::truncated_option, "option " + std::to_string(f.code) + " has no length");
            case OptionFrame::Kind::overrun:
                return reject(Reject::truncated_option, "option " + std::to_string(f.code) + " length " +
                                                           std::to_string(f.len) + " overruns the message");
            case OptionFrame::Kind::ok: break;
        }
        // libdhcp++ reads a fixed-size value from a longer option without complaint, and
        // throws a generic "truncated" on a shorter one: name the length here instead.
        if (auto want = fixed_length(static_cast<std::uint8_t>(f.code)); want && f.len != *want) {
            const Reject r = f.code == kOpt4LeaseTime || f.code == kOpt4RenewalTime || f.code == kOpt4RebindingTime
                                 ? Reject::bad_lease_times
                                 : Reject::malformed_message;
            return reject(r, "option " + std::to_string(f.code) + " length " + std::to_string(f.len) + ", expected " +
                                 std::to_string(*want));
        }
        if (f.code == kOpt4PortParams) {
            if (m.port_params_raw) return reject(Reject::bad_port_params, "option 159 appears twice");
            m.port_params_raw = Bytes(f.value.begin(), f.value.end());
            // Checked before libdhcp++ sees it, so a bad port set is named as one.
            auto decoded = decode_port_params(f.value, "option 159");
            if (auto* why = std::get_if<std::string>(&decoded)) return reject(Reject::bad_port_params, std::move(*why));
            m.port_params = std::get<provision::PortParams>(decoded);
        }
    }
    return std::nullopt;  // RFC 2131 §4.1 wants END, but a missing one loses nothing
}

}  // namespace

std::vector<std::uint8_t> build_message(const ClientMessage& c) {
    kea::Pkt4 pkt(static_cast<std::uint8_t>(c.type), c.xid);  // adds option 53
    pkt.setHWAddr(kea::HTYPE_ETHER, 6, std::vector<std::uint8_t>(c.hw_address.begin(), c.hw_address.end()));
    pkt.setSecs(c.secs);
    pkt.setCiaddr(isc::asiolink::IOAddress(c.ciaddr.value));
    if (!c.client_id.empty()) add(pkt, kOpt4ClientId, c.client_id);
    if (c.requested_address) add(pkt, kOpt4RequestedAddress, v4_bytes(*c.requested_address));
    if (c.server_id) add(pkt, kOpt4ServerId, v4_bytes(*c.server_id));
    if (c.parameter_request_list) add(pkt, kOpt4ParameterRequestList, Bytes(kParameterRequestList.begin(), kParameterRequestList.end()));
    if (c.softwire_source) add(pkt, kOpt4S46Saddr, Bytes(c.softwire_source->bytes.begin(), c.softwire_source->bytes.end()));
    pkt.pack();
    const auto& buf = pkt.getBuffer();
    const auto* p = static_cast<const std::uint8_t*>(buf.getData());
    return Bytes(p, p + buf.getLength());
}

std::variant<ServerMessage, Rejection> parse_server_message(std::span<const std::uint8_t> d) {
    if (d.size() < kOptionsStart)
        return reject(Reject::truncated_message, std::to_string(d.size()) + " octet(s), a DHCPv4 message has at least 240");
    ServerMessage m;
    if (auto bad = walk_options(d, m)) return *bad;
    try {
        kea::Pkt4 pkt(d.data(), d.size());
        pkt.unpack();  // checks the magic cookie
        m.op = pkt.getOp();
        m.xid = pkt.getTransid();
        m.yiaddr = net::Ipv4Address(pkt.getYiaddr().toUint32());
        if (auto t = value_of(pkt, kOpt4MessageType)) {
            if (t->size() != 1)
                return reject(Reject::malformed_message, "option 53 length " + std::to_string(t->size()) + ", expected 1");
            m.type = (*t)[0];
        }
        std::optional<std::uint32_t> server_id;
        if (auto bad = read_u32(pkt, kOpt4ServerId, server_id)) return *bad;
        if (server_id) m.server_id = net::Ipv4Address(*server_id);
        if (auto bad = read_u32(pkt, kOpt4LeaseTime, m.lease_time)) return *bad;
        if (auto bad = read_u32(pkt, kOpt4RenewalTime, m.t1)) return *bad;
        if (auto bad = read_u32(pkt, kOpt4RebindingTime, m.t2)) return *bad;
        if (auto text = value_of(pkt, 56)) m.message.assign(text->begin(), text->end());
    } catch (const isc::Exception& e) {
        return reject(Reject::malformed_message, std::string("libdhcp++: ") + e.what());
    } catch (const std::exception& e) {
        return reject(Reject::malformed_message, e.what());
    }
    return m;
}

}  // namespace s46::dhcp::client4o6
