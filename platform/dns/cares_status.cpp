#include "platform/dns/cares_status.hpp"

#include <ares.h>

namespace s46::dns {

std::string describe_ares_status(int status) {
    switch (status) {
    case ARES_ENOTFOUND: return "name does not exist (NXDOMAIN)";
    case ARES_ENODATA: return "no AAAA records (the name exists)";
    case ARES_ESERVFAIL: return "server failure (SERVFAIL)";
    case ARES_EREFUSED: return "query refused (REFUSED)";
    case ARES_EFORMERR: return "server rejected the query as malformed (FORMERR)";
    case ARES_ENOTIMP: return "server does not implement the query (NOTIMP)";
    case ARES_EBADNAME: return "not a valid DNS name";
    case ARES_EBADRESP: return "malformed DNS response";
    // c-ares 1.18 skips a server that answers REFUSED, SERVFAIL or NOTIMP and, once all are
    // skipped, reports ECONNREFUSED, the same as ICMP port unreachable: it cannot say which.
    case ARES_ECONNREFUSED:
        return "every server refused or failed the query (REFUSED, SERVFAIL, NOTIMP or port unreachable)";
    case ARES_ETIMEOUT: return "no answer (every try timed out)";
    default: return ares_strerror(status);
    }
}

}  // namespace s46::dns
