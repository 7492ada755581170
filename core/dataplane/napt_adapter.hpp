// core/napt's port-set NAPT44 engine behind the pipeline's NaptSeam interface (napt.hpp).
//
// What the adapter adds: the hairpin sequence (the engine's outbound verdict `hairpin` asks
// for translate_inbound() next, RFC 4787 REQ-9a), restore_quoted() from the engine's reverse
// lookup, and the expiry budget.
#pragma once

#include <optional>

#include "core/dataplane/napt.hpp"
#include "core/napt/napt.hpp"

namespace s46::dataplane {

class PortSetNapt final : public NaptSeam {
public:
    // `config.external` and `config.ports` are placeholders until the first rebind().
    static Result<PortSetNapt> create(const napt::Config& config);

    Result<std::size_t> rebind(const NaptBinding& binding) override;
    void flush() override { engine_.flush(); }
    NaptVerdict outbound(std::span<std::uint8_t> datagram, Time now) override;
    NaptVerdict inbound(std::span<std::uint8_t> datagram, Time now) override;
    bool restore_quoted(std::span<std::uint8_t> quoted, Time now) override;
    void prefetch_outbound_mappings(std::span<const std::span<std::uint8_t>> datagrams) const override {
        engine_.prefetch_outbound_mappings(datagrams);
    }
    void prefetch_outbound_sessions(std::span<const std::span<std::uint8_t>> datagrams) const override {
        engine_.prefetch_outbound_sessions(datagrams);
    }
    // Passes over the whole session table every 16 calls, as core/napt suggests for a 1 s timer.
    void expire(Time now) override;
    std::size_t session_count() const override { return engine_.session_count(); }
    std::string_view detail_name(std::uint8_t detail) const override;
    // The enabled static forwards (core/napt/static_forward.hpp); kept across rebind() while
    // the new set holds their ports.
    Result<std::size_t> set_static_forwards(std::span<const napt::StaticForward> forwards) {
        return engine_.set_static_forwards(forwards);
    }

    const napt::Napt& engine() const { return engine_; }
    napt::Napt& engine() { return engine_; }

private:
    explicit PortSetNapt(napt::Napt engine) : engine_(std::move(engine)) {}

    napt::Napt engine_;
};

}  // namespace s46::dataplane
