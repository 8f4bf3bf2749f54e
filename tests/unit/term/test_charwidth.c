/* term/charwidth: the checked-in table agrees with this machine's glibc
 * wcwidth() in C.UTF-8 for every code point, with mosh's forced ranges. */
#include "../test.h"

#include <locale.h>
#include <wchar.h>

#include "term/charwidth.h"

TEST(charwidth_forced_ranges)
{
	CHECK_EQ_INT(cw_width(0), -1);
	CHECK_EQ_INT(cw_width(0x1B), -1);
	CHECK_EQ_INT(cw_width(' '), 1);
	CHECK_EQ_INT(cw_width('~'), 1);
	CHECK_EQ_INT(cw_width(0x7F), -1);
	CHECK_EQ_INT(cw_width(0x85), -1);
	CHECK_EQ_INT(cw_width(0xA0), 1);
	CHECK_EQ_INT(cw_width(0xAD), 1); /* soft hyphen: forced to 1 like all of Latin-1 */
	CHECK_EQ_INT(cw_width(0x300), 0);
	CHECK_EQ_INT(cw_width(0x4E2D), 2);
	CHECK_EQ_INT(cw_width(0x1F600), 2);
	CHECK_EQ_INT(cw_width(0x110000), -1);
	CHECK_EQ_INT(cw_width(0xFFFFFFFF), -1);
}

TEST(charwidth_matches_wcwidth_everywhere)
{
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		TEST_FAIL("C.UTF-8 locale missing");
	for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
		int want;

		if ((cp >= 0x20 && cp <= 0x7E) || (cp >= 0xA0 && cp <= 0xFF))
			want = 1;
		else if (cp == 0)
			want = -1;
		else
			want = wcwidth((wchar_t)cp);
		if (cw_width(cp) != want)
			TEST_FAIL("U+%04X: cw_width %d, wcwidth %d (regenerate the table with "
			          "tools/gen_charwidth.c)",
			          cp, cw_width(cp), want);
	}
}

int main(void)
{
	RUN(charwidth_forced_ranges);
	RUN(charwidth_matches_wcwidth_everywhere);
	return test_done();
}
