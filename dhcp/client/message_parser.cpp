#include "dhcp/client/message_parser.hpp"

#include <dhcp/dhcp6.h>
#include <dhcp/libdhcp++.h>
#include <dhcp/option.h>
#include <dhcp/option6_ia.h>
#include <dhcp/option6_iaaddr.h>
#include <dhcp/option6_iaprefix.h>
#include <dhcp/option6_status_code.h>
#include <dhcp/option_int.h>
#include <dhcp/option_space.h>
#include <asiolink/io_address.h>
#include <exceptions/exceptions.h>

#include <algorithm>
#include <exception>
#include <string>

#include "dhcp/client/duid.hpp"
#include "dhcp/client/types.hpp"
#include "dhcp/option_framer.hpp"

namespace s46::dhcp::client {

namespace {

namespace kea = isc::dhcp;
using Bytes = std::span<const std::uint8_t>;

Rejection reject(Reject r, std::string detail) { return Rejection{r, std::move(detail)}; }

std::string opt(std::uint16_t code) { return "option " + std::to_string(code); }

// Checks that `body` is a well-framed sequence of TLVs (RFC 8415 §21.1 encapsulated options);
// libdhcp++ would silently drop a trailing sub-option that overruns its parent.
std::optional<std::string> check_framing(Bytes body) {
    for (Dhcpv6OptionWalker walk(body); !walk.done();) {
        const OptionFrame f = walk.next();
        if (f.kind == OptionFrame::Kind::short_header) return std::to_string(f.have) + " trailing octet(s)";
        if (f.kind == OptionFrame::Kind::overrun)
            return "sub-option " + std::to_string(f.code) + " length " + std::to_string(f.len) + " overruns its parent";
    }
    return std::nullopt;
}

// Unpacks one whole TLV with libdhcp++'s standard DHCPv6 definitions.
kea::OptionPtr unpack_one(Bytes tlv) {
    kea::OptionBuffer buf(tlv.begin(), tlv.end());
    kea::OptionCollection col;
    kea::LibDHCP::unpackOptions6(buf, DHCP6_OPTION_SPACE, col);
    if (col.size() != 1) isc_throw(isc::BadValue, "libdhcp++ parsed " << col.size() << " options, expected 1");
    return col.begin()->second;
}

template <class T>
boost::shared_ptr<T> as(const kea::OptionPtr& o) {
    auto p = boost::dynamic_pointer_cast<T>(o);
    if (!p) isc_throw(isc::BadValue, "libdhcp++ returned an unexpected option class");
    return p;
}

net::Ipv6Address to_address(const isc::asiolink::IOAddress& a) {
    const auto v = a.toBytes();
    if (v.size() != 16) isc_throw(isc::BadValue, "not an IPv6 address");
    net::Ipv6Address out;
    std::copy(v.begin(), v.end(), out.bytes.begin());
    return out;
}

// A DUID as carried in Client/Server Identifier (§11.1): a 2-octet type and 1..128 octets.
std::optional<std::string> check_duid(const std::vector<std::uint8_t>& d) {
    if (d.size() < 3) return "DUID of " + std::to_string(d.size()) + " octet(s) is too short";
    if (d.size() > kMaxDuidLength) return "DUID of " + std::to_string(d.size()) + " octets exceeds 130";
    return std::nullopt;
}

IaReply read_ia(std::uint16_t code, const kea::OptionPtr& option, std::vector<std::string>& notes) {
    auto ia = as<kea::Option6IA>(option);
    IaReply out;
    out.code = code;
    out.iaid = ia->getIAID();
    out.t1 = ia->getT1();
    out.t2 = ia->getT2();
    const char* name = code == kOptIaNa ? "IA_NA" : "IA_PD";
    for (const auto& [sub_code, sub] : ia->getOptions()) {
        if (sub_code == D6O_STATUS_CODE) {
            if (out.status) isc_throw(isc::BadValue, name << " iaid " << out.iaid << ": two status codes");
            auto s = as<kea::Option6StatusCode>(sub);
            out.status = s->getStatusCode();
            out.status_message = s->getStatusMessage();
        } else if (code == kOptIaNa && sub_code == D6O_IAADDR) {
            auto a = as<kea::Option6IAAddr>(sub);
            if (a->getPreferred() > a->getValid()) {  // §21.6: discard
                notes.push_back(std::string(name) + " iaid " + std::to_string(out.iaid) + ": address " +
                                a->getAddress().toText() + " has preferred > valid lifetime, dropped");
                continue;
            }
            out.addresses.push_back({to_address(a->getAddress()), a->getPreferred(), a->getValid()});
        } else if (code == kOptIaPd && sub_code == D6O_IAPREFIX) {
            auto p = as<kea::Option6IAPrefix>(sub);
            const std::string what = std::string(name) + " iaid " + std::to_string(out.iaid) + ": prefix " +
                                     p->getAddress().toText() + "/" + std::to_string(p->getLength());
            if (p->getPreferred() > p->getValid()) {  // §21.22: discard
                notes.push_back(what + " has preferred > valid lifetime, dropped");
                continue;
            }
            if (p->getLength() > 128) {  // RFC 8415 §21.22: at most 128; libdhcp++ accepts /200
                notes.push_back(what + " has a prefix length above 128, dropped");
                continue;
            }
            out.prefixes.push_back({net::Ipv6Prefix(to_address(p->getAddress()), p->getLength()), p->getPreferred(),
                                    p->getValid()});
        }
        // Anything else inside an IA is not ours to interpret.
    }
    return out;
}

// Reads one top-level option the engine uses into `m`; returns a problem text on failure.
std::optional<Rejection> read_option(std::uint16_t code, Bytes tlv, ServerMessage& m) {
    const Bytes value = tlv.subspan(4);
    auto exact_length = [&](std::size_t want) -> std::optional<Rejection> {
        if (value.size() == want) return std::nullopt;
        return reject(Reject::malformed_option, opt(code) + ": length " + std::to_string(value.size()) + ", expected " +
                                                   std::to_string(want));
    };
    auto duplicate = [&]() { return reject(Reject::duplicate_option, opt(code) + " appears twice"); };

    switch (code) {
        case kOptClientId:
        case kOptServerId: {
            bool& seen = code == kOptClientId ? m.has_client_id : m.has_server_id;
            if (seen) return duplicate();
            auto data = unpack_one(tlv)->getData();
            if (auto why = check_duid(data)) return reject(Reject::malformed_option, opt(code) + ": " + *why);
            seen = true;
            (code == kOptClientId ? m.client_id : m.server_id) = std::move(data);
            return std::nullopt;
        }
        case kOptIaNa:
        case kOptIaPd: {
            if (value.size() >= 12) {
                if (auto why = check_framing(value.subspan(12)))
                    return reject(Reject::malformed_option, opt(code) + ": " + *why);
            }
            IaReply ia = read_ia(code, unpack_one(tlv), m.notes);
            for (const auto& other : m.ias)
                if (other.code == ia.code && other.iaid == ia.iaid)
                    return reject(Reject::duplicate_option, opt(code) + " iaid " + std::to_string(ia.iaid) + " appears twice");
            if (ia.t1 > ia.t2 && ia.t2 > 0) {  // §21.4/§21.21: discard the IA, keep the rest
                m.notes.push_back(opt(code) + " iaid " + std::to_string(ia.iaid) + ": T1 " + std::to_string(ia.t1) +
                                  " > T2 " + std::to_string(ia.t2) + ", IA discarded");
                return std::nullopt;
            }
            m.ias.push_back(std::move(ia));
            return std::nullopt;
        }
        case kOptPreference: {
            if (auto bad = exact_length(1)) return bad;
            m.preference = as<kea::OptionInt<std::uint8_t>>(unpack_one(tlv))->getValue();
            return std::nullopt;
        }
        case kOptStatusCode: {
            if (m.status) return duplicate();
            auto s = as<kea::Option6StatusCode>(unpack_one(tlv));
            m.status = s->getStatusCode();
            m.status_message = s->getStatusMessage();
            return std::nullopt;
        }
        case kOptRapidCommit: {
            if (auto bad = exact_length(0)) return bad;
            if (m.rapid_commit) return duplicate();
            m.rapid_commit = true;
            return std::nullopt;
        }
        case kOptInformationRefreshTime:
        case kOptSolMaxRt:
        case kOptInfMaxRt: {
            if (auto bad = exact_length(4)) return bad;
            auto& slot = code == kOptInformationRefreshTime ? m.information_refresh_time
                         : code == kOptSolMaxRt             ? m.sol_max_rt
                                                            : m.inf_max_rt;
            if (slot) return duplicate();
            slot = as<kea::OptionInt<std::uint32_t>>(unpack_one(tlv))->getValue();
            return std::nullopt;
        }
        default:
            return std::nullopt;  // framed only; the codec (or nobody) reads it
    }
}

}  // namespace

std::optional<MessageHeader> parse_header(std::span<const std::uint8_t> d) {
    if (d.size() < 4) return std::nullopt;
    return MessageHeader{d[0], static_cast<std::uint32_t>(d[1] << 16 | d[2] << 8 | d[3])};
}

std::variant<ServerMessage, Rejection> parse_server_message(std::span<const std::uint8_t> d) {
    auto header = parse_header(d);
    if (!header) return reject(Reject::truncated_header, std::to_string(d.size()) + " octet(s)");
    ServerMessage m;
    m.header = *header;
    m.options.assign(d.begin() + 4, d.end());

    for (Dhcpv6OptionWalker walk(d.subspan(4)); !walk.done();) {
        const std::size_t at = 4 + walk.offset();
        const OptionFrame f = walk.next();
        if (f.kind == OptionFrame::Kind::short_header)
            return reject(Reject::truncated_option, std::to_string(f.have) + " octet(s) trail the last option");
        if (f.kind == OptionFrame::Kind::overrun)
            return reject(Reject::truncated_option, opt(f.code) + ": length " + std::to_string(f.len) +
                                                       " overruns the message (" + std::to_string(f.have) +
                                                       " octets left)");
        try {
            if (auto bad = read_option(f.code, d.subspan(at, f.header_size + f.len), m)) return *bad;
        } catch (const isc::Exception& e) {
            return reject(Reject::malformed_option, opt(f.code) + ": libdhcp++: " + e.what());
        } catch (const std::exception& e) {
            return reject(Reject::malformed_option, opt(f.code) + ": " + e.what());
        }
    }
    return m;
}

}  // namespace s46::dhcp::client
