#include "app/pack_file.hpp"
