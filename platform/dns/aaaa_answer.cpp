#include "platform/dns/aaaa_answer.hpp"

#include <ares.h>

#include <algorithm>
#include <climits>
#include <cstring>

#include "platform/dns/cares_status.hpp"

namespace s46::dns {

AftrResult parse_aaaa_answer(const unsigned char* buf, std::size_t len) {
    if (buf == nullptr || len > static_cast<std::size_t>(INT_MAX)) return fail("malformed DNS response");

    ares_addr6ttl records[kMaxAaaaRecords];
    int count = kMaxAaaaRecords;
    // No hostent: the addrttls carry everything needed, and c-ares folds any CNAME TTL in
    // the chain into each record's TTL.
    int rc = ares_parse_aaaa_reply(buf, static_cast<int>(len), nullptr, records, &count);
    if (rc != ARES_SUCCESS) return fail(describe_ares_status(rc));
    if (count <= 0) return fail(describe_ares_status(ARES_ENODATA));

    AftrAnswer answer;
    int min_ttl = INT_MAX;
    for (int i = 0; i < count; ++i) {
        net::Ipv6Address a;
        static_assert(sizeof(records[i].ip6addr) == sizeof(a.bytes));
        std::memcpy(a.bytes.data(), &records[i].ip6addr, a.bytes.size());
        if (std::find(answer.addresses.begin(), answer.addresses.end(), a) == answer.addresses.end())
            answer.addresses.push_back(a);
        min_ttl = std::min(min_ttl, records[i].ttl);
    }
    answer.ttl = std::chrono::seconds{std::max(min_ttl, 0)};
    return answer;
}

}  // namespace s46::dns
