/* Synchronized output: when links hold their frames; see synchold.h. */
#include "server/synchold.h"

bool synchold_update(struct synchold *h, bool held, uint64_t now, int64_t *wait)
{
	int64_t left;

	if (!held) {
		h->since = 0;
		return false;
	}
	if (h->since == 0)
		h->since = now;
	if (now - h->since >= SYNCHOLD_MAX)
		return false;
	left = (int64_t)(h->since + SYNCHOLD_MAX - now);
	if (*wait < 0 || left < *wait)
		*wait = left;
	return true;
}
