/* Character widths by binary search of a generated range table; see charwidth.h. */
#include "term/charwidth.h"

#include <stddef.h>

struct cw_range {
	uint32_t lo, hi;
	int8_t width;
};

#include "term/charwidth_table.h"

int cw_width(uint32_t cp)
{
	size_t lo = 0, hi = sizeof cw_table / sizeof cw_table[0];

	/* U+00A0–U+00FF are forced to 1; U+0100–U+02FF happen to be 1 in the table. */
	if ((cp >= 0x20 && cp <= 0x7E) || (cp >= 0xA0 && cp < 0x300))
		return 1;
	if (cp == 0 || cp > 0x10FFFF)
		return -1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp < cw_table[mid].lo)
			hi = mid;
		else if (cp > cw_table[mid].hi)
			lo = mid + 1;
		else
			return cw_table[mid].width;
	}
	return 1;
}
