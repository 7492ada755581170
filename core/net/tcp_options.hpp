// Walking the TCP options area (RFC 9293 §3.1, §3.2): End of Option List (kind 0)
// stops the walk, No-Operation (kind 1) is a single byte, every other kind is
// kind, length (>= 2, counting both), value. A bad length ends the walk and marks the
// area malformed; the options are not rejected at parse time because a CPE forwards
// segments it does not understand rather than dropping them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>

#include "core/net/bytes.hpp"

namespace s46::net {

namespace tcp_option {
inline constexpr std::uint8_t eol = 0;
inline constexpr std::uint8_t nop = 1;
inline constexpr std::uint8_t mss = 2;             // RFC 9293 §3.7.1, length 4
inline constexpr std::uint8_t window_scale = 3;    // RFC 7323 §2
inline constexpr std::uint8_t sack_permitted = 4;  // RFC 2018
inline constexpr std::uint8_t sack = 5;            // RFC 2018
inline constexpr std::uint8_t timestamps = 8;      // RFC 7323 §3
}  // namespace tcp_option

template <PacketByte B>
struct TcpOption {
    std::uint8_t kind = tcp_option::eol;
    std::span<B> value;      // after kind and length; empty for NOP
    std::size_t offset = 0;  // of the kind byte, from the start of the options area
};

template <PacketByte B>
class TcpOptionRange {
public:
    constexpr TcpOptionRange() = default;
    constexpr explicit TcpOptionRange(std::span<B> area) : area_(area) {}

    class iterator {
    public:
        using value_type = TcpOption<B>;
        using difference_type = std::ptrdiff_t;

        constexpr iterator() = default;
        constexpr const TcpOption<B>& operator*() const { return cur_; }
        constexpr const TcpOption<B>* operator->() const { return &cur_; }
        constexpr iterator& operator++() {
            decode();
            return *this;
        }
        constexpr iterator operator++(int) {
            iterator t = *this;
            decode();
            return t;
        }
        constexpr bool operator==(std::default_sentinel_t) const { return state_ != State::option; }
        // After the walk has ended: true if it ran into a bad length rather than the end or EOL.
        constexpr bool malformed() const { return state_ == State::malformed; }

    private:
        friend class TcpOptionRange;
        enum class State : std::uint8_t { option, end, malformed };

        constexpr explicit iterator(std::span<B> area) : area_(area) { decode(); }

        // Decodes the option at next_ into cur_, or ends the walk.
        constexpr void decode() {
            if (state_ != State::option) return;
            std::size_t pos = next_;
            if (pos >= area_.size() || area_[pos] == tcp_option::eol) {
                state_ = State::end;
                return;
            }
            std::uint8_t kind = area_[pos];
            if (kind == tcp_option::nop) {
                cur_ = {kind, {}, pos};
                next_ = pos + 1;
                return;
            }
            if (pos + 1 >= area_.size()) {
                state_ = State::malformed;
                return;
            }
            std::size_t len = area_[pos + 1];
            if (len < 2 || len > area_.size() - pos) {
                state_ = State::malformed;
                return;
            }
            cur_ = {kind, area_.subspan(pos + 2, len - 2), pos};
            next_ = pos + len;
        }

        std::span<B> area_{};
        std::size_t next_ = 0;
        TcpOption<B> cur_{};
        State state_ = State::option;
    };

    constexpr iterator begin() const { return iterator(area_); }
    constexpr std::default_sentinel_t end() const { return {}; }

    // True if the walk reaches the end of the area or an EOL without a bad length.
    constexpr bool well_formed() const {
        auto it = begin();
        while (it != end()) ++it;
        return !it.malformed();
    }

    // The first option of `kind`, if the walk reaches one.
    constexpr std::optional<TcpOption<B>> find(std::uint8_t kind) const {
        for (const auto& o : *this)
            if (o.kind == kind) return o;
        return std::nullopt;
    }

private:
    std::span<B> area_{};
};

}  // namespace s46::net
