/* soar - placeholder, being written. */
#include "autoconfig.h"
