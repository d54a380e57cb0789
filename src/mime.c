/* mime - placeholder, being written. */
#include "autoconfig.h"
