/* server/synchold: a hold lasts while the mode is set, at most SYNCHOLD_MAX ms
 * from when it was first seen, and tells the loop when it ends. */
#include "../test.h"

#include "server/synchold.h"

TEST(synchold_released_by_the_program)
{
	struct synchold h = {0};
	int64_t wait = -1;

	CHECK(!synchold_update(&h, false, 1000, &wait));
	CHECK_EQ_INT(wait, -1);
	CHECK(synchold_update(&h, true, 1000, &wait));
	CHECK_EQ_INT(wait, SYNCHOLD_MAX);
	wait = 5;
	CHECK(synchold_update(&h, true, 1050, &wait));
	CHECK_EQ_INT(wait, 5); /* an earlier deadline stays */
	wait = -1;
	CHECK(synchold_update(&h, true, 1050, &wait));
	CHECK_EQ_INT(wait, SYNCHOLD_MAX - 50);
	CHECK(!synchold_update(&h, false, 1060, &wait));
	/* Set again: a fresh hold. */
	wait = -1;
	CHECK(synchold_update(&h, true, 2000, &wait));
	CHECK_EQ_INT(wait, SYNCHOLD_MAX);
}

TEST(synchold_never_released)
{
	struct synchold h = {0};
	int64_t wait = -1;

	CHECK(synchold_update(&h, true, 500, &wait));
	CHECK(synchold_update(&h, true, 500 + SYNCHOLD_MAX - 1, &wait));
	wait = -1;
	CHECK(!synchold_update(&h, true, 500 + SYNCHOLD_MAX, &wait));
	CHECK_EQ_INT(wait, -1);
	/* Still set much later: no new hold until the program resets the mode. */
	CHECK(!synchold_update(&h, true, 500 + 10 * SYNCHOLD_MAX, &wait));
	CHECK(!synchold_update(&h, false, 500 + 11 * SYNCHOLD_MAX, &wait));
	CHECK(synchold_update(&h, true, 500 + 12 * SYNCHOLD_MAX, &wait));
}

int main(void)
{
	RUN(synchold_released_by_the_program);
	RUN(synchold_never_released);
	return test_done();
}
