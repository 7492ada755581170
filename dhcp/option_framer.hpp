// The one TLV walk of dhcp/: frames a run of options into code, length and value, or says how
// the run is truncated. Every option walk in dhcp/ (the softwire codec's validator, the client's
// message parser) goes through it; what a framing error means in its context (which parent it
// overruns, which counter it bumps) stays with the caller.
//
// Two wire formats share the walk:
//   dhcpv6: 2-octet option-code and option-len (RFC 8415 §21.1), also used for the encapsulated
//           options of IA_NA/IA_PD and the S46 containers (RFC 7598 §5).
//   dhcpv4: 1-octet code and length (RFC 2132 §2); Pad (0) is a single octet without a length
//           and is skipped, End (255) is a single octet that ends the walk (RFC 2132 §3.1, §3.2).
//           The DHCPv4 options inside OPTION_DHCPV4_MSG (RFC 7341 §6) are walked this way.
// Header-only and Kea-free, so the fuzz targets and the tests use exactly the product's walk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace s46::dhcp {

enum class OptionFormat : std::uint8_t { dhcpv6, dhcpv4 };

// One step of a walk.
struct OptionFrame {
    enum class Kind : std::uint8_t {
        ok,            // `value` is the whole option value
        end,           // DHCPv4 only: the End option (code_known), or nothing but Pad was left
        short_header,  // fewer octets left than a header: `have` octets of `header_size`
        overrun,       // option-len runs past the buffer: `have` value octets are left
    };
    Kind kind = Kind::ok;
    bool code_known = false;  // short_header: whether the code octet(s) were there
    std::uint16_t code = 0;
    std::uint16_t len = 0;
    std::size_t have = 0;
    std::size_t header_size = 0;  // 4 (DHCPv6) or 2 (DHCPv4)
    std::span<const std::uint8_t> value;
};

template <OptionFormat F>
struct OptionWire;

template <>
struct OptionWire<OptionFormat::dhcpv6> {
    static constexpr std::size_t kFieldSize = 2;
};

template <>
struct OptionWire<OptionFormat::dhcpv4> {
    static constexpr std::size_t kFieldSize = 1;
    static constexpr std::uint8_t kPad = 0;
    static constexpr std::uint8_t kEnd = 255;
};

// Walks `buffer` from its first octet. next() returns the frame at the current position and
// moves past it when it is ok; after a short_header, overrun or end frame the walk is done.
template <OptionFormat F>
class OptionWalker {
public:
    static constexpr std::size_t kFieldSize = OptionWire<F>::kFieldSize;
    static constexpr std::size_t kHeaderSize = 2 * kFieldSize;

    explicit OptionWalker(std::span<const std::uint8_t> buffer) : buf_(buffer) {}

    bool done() const { return done_ || pos_ >= buf_.size(); }
    // Where the next frame starts (for error texts that name an octet offset).
    std::size_t offset() const { return pos_; }

    OptionFrame next() {
        if constexpr (F == OptionFormat::dhcpv4) {
            while (pos_ < buf_.size() && buf_[pos_] == OptionWire<F>::kPad) ++pos_;
            if (pos_ < buf_.size() && buf_[pos_] == OptionWire<F>::kEnd) {
                done_ = true;
                OptionFrame f;
                f.kind = OptionFrame::Kind::end;
                f.code_known = true;
                f.code = OptionWire<F>::kEnd;
                f.header_size = kHeaderSize;
                return f;
            }
            if (pos_ >= buf_.size()) {  // only Pad left: nothing more to frame
                done_ = true;
                OptionFrame f;
                f.kind = OptionFrame::Kind::end;
                f.header_size = kHeaderSize;
                return f;
            }
        }
        OptionFrame f;
        f.header_size = kHeaderSize;
        const std::size_t rem = buf_.size() - pos_;
        if (rem >= kFieldSize) {
            f.code_known = true;
            f.code = field(pos_);
        }
        if (rem < kHeaderSize) {
            f.kind = OptionFrame::Kind::short_header;
            f.have = rem;
            done_ = true;
            return f;
        }
        f.len = field(pos_ + kFieldSize);
        if (f.len > rem - kHeaderSize) {
            f.kind = OptionFrame::Kind::overrun;
            f.have = rem - kHeaderSize;
            done_ = true;
            return f;
        }
        f.value = buf_.subspan(pos_ + kHeaderSize, f.len);
        pos_ += kHeaderSize + f.len;
        return f;
    }

private:
    std::uint16_t field(std::size_t at) const {
        if constexpr (kFieldSize == 2) return static_cast<std::uint16_t>(buf_[at] << 8 | buf_[at + 1]);
        return buf_[at];
    }

    std::span<const std::uint8_t> buf_;
    std::size_t pos_ = 0;
    bool done_ = false;
};

using Dhcpv6OptionWalker = OptionWalker<OptionFormat::dhcpv6>;
using Dhcpv4OptionWalker = OptionWalker<OptionFormat::dhcpv4>;

}  // namespace s46::dhcp
