#include "platform/dns/aftr_tracker.hpp"

#include <algorithm>
#include <utility>

namespace s46::dns {

using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

std::string secs(seconds s) { return std::to_string(s.count()) + " s"; }

// Whole seconds until `t`, rounded up so "retry in 0 s" only appears once the retry is due.
seconds seconds_until(Time t, Time now) {
    if (t <= now) return seconds{0};
    return std::chrono::ceil<seconds>(t - now);
}

}  // namespace

AftrTracker::AftrTracker(std::string name, Random random, AftrTrackerConfig config)
    : name_(std::move(name)), random_(std::move(random)), config_(config) {}

void AftrTracker::on_resolved(const AftrAnswer& answer, Time now) {
    std::vector<net::Ipv6Address> fresh;
    for (const auto& a : answer.addresses)
        if (std::find(fresh.begin(), fresh.end(), a) == fresh.end()) fresh.push_back(a);
    if (fresh.empty()) {
        // The resolver reports this as an error already; guard against a caller that does not.
        on_resolve_failed("no AAAA records", now);
        return;
    }

    std::size_t index = 0;
    if (auto in_use = current()) {
        auto it = std::find(fresh.begin(), fresh.end(), *in_use);
        if (it != fresh.end()) index = static_cast<std::size_t>(it - fresh.begin());
    }
    addresses_ = std::move(fresh);
    index_ = index;
    tunnel_failures_ = 0;

    ttl_ = std::max(answer.ttl, seconds{0});
    refresh_ = std::clamp(ttl_, config_.ttl_floor, config_.ttl_cap);
    resolved_at_ = now;
    next_resolve_at_ = now + refresh_;
    failures_ = 0;
    last_error_.clear();
}

void AftrTracker::on_resolve_failed(std::string reason, Time now) {
    ++failures_;
    last_error_ = reason.empty() ? std::string("unknown error") : std::move(reason);
    next_resolve_at_ = now + retry_delay();
}

void AftrTracker::on_tunnel_failed(Time now) {
    if (addresses_.empty()) return;
    index_ = (index_ + 1) % addresses_.size();
    if (++tunnel_failures_ < addresses_.size()) return;
    // Every address has failed once: the set itself may be out of date.
    tunnel_failures_ = 0;
    next_resolve_at_ = std::min(next_resolve_at_, std::max(now, resolved_at_ + config_.ttl_floor));
}

void AftrTracker::on_tunnel_up() { tunnel_failures_ = 0; }

std::optional<net::Ipv6Address> AftrTracker::current() const {
    if (addresses_.empty()) return std::nullopt;
    return addresses_[index_];
}

milliseconds AftrTracker::retry_delay() {
    // initial * 2^(failures-1), capped; doubled step by step so no shift can overflow.
    milliseconds base = config_.backoff_initial;
    for (unsigned i = 1; i < failures_ && base < config_.backoff_cap; ++i) base *= 2;
    base = std::min(base, config_.backoff_cap);

    double u = random_ ? random_() : 0.0;
    u = std::clamp(u, 0.0, 1.0);
    double factor = 1.0 - std::clamp(config_.jitter, 0.0, 1.0) * u;
    return milliseconds{static_cast<milliseconds::rep>(static_cast<double>(base.count()) * factor)};
}

std::string AftrTracker::status(Time now) const {
    std::string retry = "retry in " + secs(seconds_until(next_resolve_at_, now));
    if (addresses_.empty()) {
        if (last_error_.empty()) return "aftr unresolved: " + name_ + ": not resolved yet";
        return "aftr unresolved: " + name_ + ": " + last_error_ + "; " + retry;
    }

    std::string detail = "ttl " + secs(ttl_);
    if (refresh_ != ttl_) detail += ", refresh every " + secs(refresh_);
    if (addresses_.size() > 1)
        detail += ", address " + std::to_string(index_ + 1) + " of " + std::to_string(addresses_.size());
    if (!last_error_.empty()) detail += "; stale: refresh failed: " + last_error_ + "; " + retry;
    return "aftr resolved: " + name_ + " -> " + addresses_[index_].to_string() + " (" + detail + ")";
}

}  // namespace s46::dns
