/* CLOCK_MONOTONIC in milliseconds. */
#include "util/clock.h"

#include <time.h>

#include "util/err.h"

uint64_t clock_ms(void)
{
	struct timespec ts;
	int rc = clock_gettime(CLOCK_MONOTONIC, &ts);

	ASSERT(rc == 0);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
