/* launcher/strv: growth, NULL termination, formatting. */
#include "../test.h"

#include "launcher/strv.h"

TEST(empty_vector_is_a_valid_argv)
{
	struct strv sv;

	strv_init(&sv);
	CHECK(strv_array(&sv)[0] == NULL);
	strv_fini(&sv);
}

TEST(push_keeps_null_terminated_copies)
{
	char word[] = "abc";
	struct strv sv;

	strv_init(&sv);
	strv_push(&sv, word);
	word[0] = 'X';
	for (int i = 0; i < 100; i++)
		strv_pushf(&sv, "w%d", i);
	CHECK_EQ_INT(sv.n, 101);
	CHECK_EQ_STR(sv.v[0], "abc");
	CHECK_EQ_STR(sv.v[100], "w99");
	CHECK(sv.v[101] == NULL);
	strv_fini(&sv);
	CHECK(sv.v == NULL);
}

TEST(pushf_may_be_empty)
{
	struct strv sv;

	strv_init(&sv);
	strv_pushf(&sv, "%s", "");
	CHECK_EQ_STR(sv.v[0], "");
	strv_fini(&sv);
}

int main(void)
{
	RUN(empty_vector_is_a_valid_argv);
	RUN(push_keeps_null_terminated_copies);
	RUN(pushf_may_be_empty);
	return test_done();
}
