// The directory s46d keeps state.db in. The lease, the journal and the binding log name
// subscribers' addresses and port sets (docs/s46d.md), so nobody else on the box needs to read
// them, and anyone who can write to the directory could swap state.db for a file of their own.
#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"

namespace s46::store {

struct StateDir {
    bool created = false;               // s46d made it (mode 0700)
    std::vector<std::string> warnings;  // an existing directory others can write to
};

// Creates `path` with mode 0700 when it is missing (parents as the umask allows). An existing
// directory is left as the operator set it up, but one that is group- or world-writable is
// reported. Fails when `path` cannot be created or is not a directory.
Result<StateDir> prepare_state_dir(const std::string& path);

}  // namespace s46::store
