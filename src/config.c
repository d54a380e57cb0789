/* config - placeholder, being written. */
#include "autoconfig.h"
