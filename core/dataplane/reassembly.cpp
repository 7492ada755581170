#include "core/dataplane/reassembly.hpp"

#include <algorithm>
#include <cstring>

namespace s46::dataplane {

namespace {

constexpr std::uint32_t kMaxIpv4 = 65535;

}  // namespace

Ipv4Reassembler::Ipv4Reassembler(const ReassemblyLimits& limits) : limits_(limits) {
    limits_.max_datagram_size = std::clamp<std::uint32_t>(limits_.max_datagram_size, 68, kMaxIpv4);  // RFC 791: 68 minimum
    slots_.resize(limits_.max_datagrams);
    const std::size_t blocks = (limits_.max_datagram_size + 7) / 8;
    for (auto& s : slots_) {
        s.buffer.assign(kHeadroom + limits_.max_datagram_size, 0);
        s.blocks.assign((blocks + 63) / 64, 0);
    }
}

std::uint32_t Ipv4Reassembler::release(Slot& s) {
    std::uint32_t held = s.used ? s.fragments : 0;
    s.used = false;
    return held;
}

bool Ipv4Reassembler::blocks_free(const Slot& s, std::uint32_t first, std::uint32_t last) const {
    for (std::uint32_t b = first; b < last; ++b)
        if (s.blocks[b / 64] & (std::uint64_t{1} << (b % 64))) return false;
    return true;
}

void Ipv4Reassembler::mark_blocks(Slot& s, std::uint32_t first, std::uint32_t last) {
    for (std::uint32_t b = first; b < last; ++b) s.blocks[b / 64] |= std::uint64_t{1} << (b % 64);
}

Ipv4Reassembler::Outcome Ipv4Reassembler::add(net::ConstIpv4View fragment, Time now) {
    Outcome out;
    const auto payload = fragment.payload();
    const std::uint32_t offset = std::uint32_t{fragment.fragment_offset()} * 8;
    const std::uint32_t len = static_cast<std::uint32_t>(payload.size());
    const std::uint32_t end = offset + len;
    const bool more = fragment.more_fragments();

    Slot* slot = nullptr;
    Slot* free_slot = nullptr;
    for (auto& s : slots_) {
        if (!s.used) {
            if (!free_slot) free_slot = &s;
            continue;
        }
        if (s.id == fragment.identification() && s.src == fragment.src().value && s.dst == fragment.dst().value &&
            s.protocol == fragment.protocol()) {
            slot = &s;
            break;
        }
    }
    // Checks on the fragment alone: refused before it may take a slot, and a datagram it
    // belongs to can never complete, so it goes too.
    if (len == 0 || (more && len % 8 != 0) || end + fragment.header_length() > limits_.max_datagram_size) {
        if (slot) out.fragments_discarded = release(*slot);
        return out;
    }
    if (!slot) {
        if (!free_slot) {
            out.reason = DropReason::reassembly_overflow;
            return out;
        }
        slot = free_slot;
        Slot& s = *slot;
        s.used = true;
        s.src = fragment.src().value;
        s.dst = fragment.dst().value;
        s.id = fragment.identification();
        s.protocol = fragment.protocol();
        s.header_len = 0;
        s.have_last = false;
        s.payload_total = s.payload_received = s.payload_end_max = 0;
        s.fragments = 0;
        s.started = now;
        std::fill(s.blocks.begin(), s.blocks.end(), 0);
    }
    Slot& s = *slot;

    const std::uint32_t first_block = offset / 8, last_block = (end + 7) / 8;
    bool bad = false;
    if (!more) {
        bad = (s.have_last && s.payload_total != end) || s.payload_end_max > end;
        s.have_last = true;
        s.payload_total = end;
    } else if (s.have_last && end > s.payload_total) {
        bad = true;
    }
    if (bad || !blocks_free(s, first_block, last_block)) {
        out.fragments_discarded = release(s);
        return out;
    }
    mark_blocks(s, first_block, last_block);
    std::memcpy(s.buffer.data() + kHeadroom + offset, payload.data(), len);
    if (offset == 0) {
        s.header_len = static_cast<std::uint8_t>(fragment.header_length());
        std::memcpy(s.buffer.data() + kHeadroom - s.header_len, fragment.header().data(), s.header_len);
    }
    s.payload_received += len;
    s.payload_end_max = std::max(s.payload_end_max, end);
    ++s.fragments;

    if (!s.have_last || s.header_len == 0 || s.payload_received != s.payload_total) {
        out.status = Status::held;
        return out;
    }
    // Complete: no overlaps, so the bytes received add up to the whole payload.
    const std::uint32_t total = s.header_len + s.payload_total;
    if (total > limits_.max_datagram_size) {
        out.fragments_discarded = release(s) - 1;
        return out;
    }
    std::span<std::uint8_t> dgram(s.buffer.data() + kHeadroom - s.header_len, total);
    net::store_be16(&dgram[2], static_cast<std::uint16_t>(total));
    // Flags: keep DF as the first fragment had it, clear MF; offset 0.
    dgram[6] &= 0x40;
    dgram[7] = 0;
    auto view = net::Ipv4View::parse(dgram);
    view->update_checksum();
    out.status = Status::complete;
    out.datagram = dgram;
    out.fragments_joined = s.fragments - 1u;
    s.used = false;
    return out;
}

std::uint32_t Ipv4Reassembler::expire(Time now) {
    std::uint32_t n = 0;
    for (auto& s : slots_)
        if (s.used && now - s.started >= limits_.timeout) n += release(s);
    return n;
}

std::uint32_t Ipv4Reassembler::clear() {
    std::uint32_t n = 0;
    for (auto& s : slots_) n += release(s);
    return n;
}

std::uint32_t Ipv4Reassembler::pending_fragments() const {
    std::uint32_t n = 0;
    for (const auto& s : slots_)
        if (s.used) n += s.fragments;
    return n;
}

}  // namespace s46::dataplane
