// IPv4 reassembly in front of NAPT: only the first fragment carries the ports, so a shared-address
// CE must reassemble (or at least cache the first fragment) before translating or routing by port
// (RFC 7597 §8.3.2, RFC 6346 §5.3.3).
//
// Memory is bounded and allocated up front: `max_datagrams` slots, each with a buffer for
// `max_datagram_size` bytes and a bitmap of the 8-byte blocks received. Nothing allocates in add().
// Policy, chosen for a CPE under a fragment flood (RFC 7597 §10 warns about reassembly DoS):
//  * a datagram not completed `timeout` after its first fragment arrived is discarded
//    (RFC 791 §3.2 recommends a 15 s initial timer);
//  * when every slot is busy a fragment of a new datagram is dropped; datagrams in progress keep
//    their slots until they complete or time out;
//  * overlapping fragments discard the whole datagram, as Linux does since 2018 (RFC 1858 §3
//    attacks); so do misaligned non-final fragments (RFC 791: fragments end on 8-byte
//    boundaries), two different ends, and datagrams larger than `max_datagram_size`.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/dataplane/drop_reason.hpp"
#include "core/time.hpp"
#include "core/net/ipv4_packet.hpp"

namespace s46::dataplane {

struct ReassemblyLimits {
    std::uint16_t max_datagrams = 8;
    std::uint32_t max_datagram_size = 65535;  // header included; at most 65535 (RFC 791)
    Time timeout = std::chrono::seconds(15);
    friend bool operator==(const ReassemblyLimits&, const ReassemblyLimits&) = default;
};

class Ipv4Reassembler {
public:
    enum class Status : std::uint8_t { held, complete, dropped };

    struct Outcome {
        Status status = Status::dropped;
        DropReason reason = DropReason::reassembly_bad_fragment;  // when dropped
        // complete: the whole datagram (header of the first fragment, MF and offset cleared,
        // Total Length and checksum fixed) in this reassembler's memory, valid until the next add().
        std::span<std::uint8_t> datagram;
        std::uint32_t fragments_joined = 0;     // complete: earlier, held fragments now part of it
        std::uint32_t fragments_discarded = 0;  // dropped: earlier, held fragments dropped with it
    };

    explicit Ipv4Reassembler(const ReassemblyLimits& limits = {});

    // `fragment` is a parsed datagram with is_fragment() true. Call expire() first.
    Outcome add(net::ConstIpv4View fragment, Time now);
    // Discards datagrams whose first fragment is `timeout` old; returns how many held fragments went.
    std::uint32_t expire(Time now);
    // Discards everything; returns how many held fragments went.
    std::uint32_t clear();

    std::uint32_t pending_fragments() const;
    const ReassemblyLimits& limits() const { return limits_; }

private:
    // Room for the longest IPv4 header in front of the payload, so the first fragment's header
    // lands right before the data and the completed datagram is contiguous.
    static constexpr std::size_t kHeadroom = 60;

    struct Slot {
        bool used = false;
        std::uint32_t src = 0, dst = 0;
        std::uint16_t id = 0;
        std::uint8_t protocol = 0;
        std::uint8_t header_len = 0;  // 0 until the first fragment (offset 0) arrives
        bool have_last = false;
        std::uint32_t payload_total = 0;     // known once the last fragment (MF = 0) arrived
        std::uint32_t payload_received = 0;
        std::uint32_t payload_end_max = 0;
        std::uint16_t fragments = 0;
        Time started{};
        std::vector<std::uint8_t> buffer;
        std::vector<std::uint64_t> blocks;  // one bit per 8-byte payload block
    };

    std::uint32_t release(Slot& s);
    bool blocks_free(const Slot& s, std::uint32_t first, std::uint32_t last) const;
    void mark_blocks(Slot& s, std::uint32_t first, std::uint32_t last);

    ReassemblyLimits limits_;
    std::vector<Slot> slots_;
};

}  // namespace s46::dataplane
