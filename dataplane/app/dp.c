/* The dataplane's one global: its runtime state (see dp.h). main.c fills
 * it; the tests of the stages fill it themselves. */
#include "dp.h"

struct dp dp;
