/*
 * A tiny unit-test harness that speaks TAP, so meson counts every case.
 * A failed check prints both values with file:line and ends that case; the
 * program exits non-zero if any case failed. A case that cannot run here (a
 * reference binary or ::1 missing) calls TEST_SKIP: meson and
 * scripts/summarize.py count it as skipped, never as passed.
 *
 *   TEST(buf_grows) { ... CHECK_EQ_INT(b.len, 3); ... }
 *   int main(void) { RUN(buf_grows); return test_done(); }
 */
#ifndef MOSHC_TESTS_TEST_H
#define MOSHC_TESTS_TEST_H

#include <inttypes.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

static int test_count, test_failed;
static jmp_buf test_jmp;
static const char *test_name;
static char test_skip_reason[200];

/* setjmp's answer when a case ends early. */
enum { TEST_JMP_FAIL = 1, TEST_JMP_SKIP = 2 };

#define TEST(name) static void name(void)

#define RUN(name)                                                                                  \
	do {                                                                                       \
		test_name = #name;                                                                 \
		test_count++;                                                                      \
		switch (setjmp(test_jmp)) {                                                        \
		case 0:                                                                            \
			name();                                                                    \
			printf("ok %d - %s\n", test_count, #name);                                 \
			break;                                                                     \
		case TEST_JMP_SKIP:                                                                \
			printf("ok %d - %s # SKIP %s\n", test_count, #name, test_skip_reason);     \
			break;                                                                     \
		default:                                                                           \
			test_failed++;                                                             \
			printf("not ok %d - %s\n", test_count, #name);                             \
		}                                                                                  \
		fflush(stdout);                                                                    \
	} while (0)

static inline int test_done(void)
{
	printf("1..%d\n", test_count);
	return test_failed ? 1 : 0;
}

#define TEST_FAIL(...)                                                                             \
	do {                                                                                       \
		printf("# %s:%d: %s: ", __FILE__, __LINE__, test_name);                            \
		printf(__VA_ARGS__);                                                               \
		printf("\n");                                                                      \
		longjmp(test_jmp, TEST_JMP_FAIL);                                                  \
	} while (0)

/* End the case as skipped; the reason is printf-formatted. */
#define TEST_SKIP(...)                                                                             \
	do {                                                                                       \
		snprintf(test_skip_reason, sizeof test_skip_reason, __VA_ARGS__);                  \
		longjmp(test_jmp, TEST_JMP_SKIP);                                                  \
	} while (0)

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			TEST_FAIL("check failed: %s", #cond);                                      \
	} while (0)

#define CHECK_EQ_INT(a, b)                                                                         \
	do {                                                                                       \
		long long va_ = (long long)(a), vb_ = (long long)(b);                              \
		if (va_ != vb_)                                                                    \
			TEST_FAIL("%s == %s: %lld != %lld", #a, #b, va_, vb_);                     \
	} while (0)

#define CHECK_EQ_U64(a, b)                                                                         \
	do {                                                                                       \
		uint64_t va_ = (uint64_t)(a), vb_ = (uint64_t)(b);                                 \
		if (va_ != vb_)                                                                    \
			TEST_FAIL("%s == %s: %" PRIu64 " != %" PRIu64, #a, #b, va_, vb_);          \
	} while (0)

#define CHECK_EQ_STR(a, b)                                                                         \
	do {                                                                                       \
		const char *sa_ = (a), *sb_ = (b);                                                 \
		if (strcmp(sa_, sb_) != 0)                                                         \
			TEST_FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b, sa_, sb_);                 \
	} while (0)

#define CHECK_EQ_MEM(a, b, n)                                                                      \
	do {                                                                                       \
		const unsigned char *ma_ = (const void *)(a), *mb_ = (const void *)(b);            \
		size_t n_ = (n);                                                                   \
		for (size_t i_ = 0; i_ < n_; i_++) {                                               \
			if (ma_[i_] != mb_[i_])                                                    \
				TEST_FAIL("%s == %s: differ at byte %zu (%02x != %02x)", #a, #b,   \
				          i_, ma_[i_], mb_[i_]);                                   \
		}                                                                                  \
	} while (0)

#endif
