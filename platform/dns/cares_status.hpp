// Plain-language text for c-ares status codes, as shown after "aftr unresolved: NAME: ".
#pragma once

#include <string>

namespace s46::dns {

// The DNS rcode, where there is one, stays in the text: it is what an operator greps for.
std::string describe_ares_status(int status);

}  // namespace s46::dns
