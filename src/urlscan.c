/* urlscan - placeholder, being written. */
#include "autoconfig.h"
