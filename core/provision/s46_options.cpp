#include "core/provision/s46_options.hpp"
