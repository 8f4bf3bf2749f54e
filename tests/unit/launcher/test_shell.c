/* launcher/shell: quoting survives a real sh; splitting follows Text::ParseWords. */
#include "../test.h"

#include <stdio.h>
#include <stdlib.h>

#include "launcher/shell.h"
#include "util/err.h"

/* What `sh -c "printf %s <quoted s>"` prints, into out. */
static size_t through_sh(const char *s, char *out, size_t cap)
{
	struct buf cmd;
	FILE *f;
	size_t n;

	buf_init(&cmd);
	buf_append_str(&cmd, "printf %s ");
	shell_quote(&cmd, s);
	f = popen((const char *)cmd.data, "r");
	CHECK(f != NULL);
	n = fread(out, 1, cap, f);
	CHECK(pclose(f) == 0);
	buf_fini(&cmd);
	return n;
}

TEST(quote_forms)
{
	struct buf b;

	buf_init(&b);
	shell_quote(&b, "a b");
	buf_append_byte(&b, '|');
	shell_quote(&b, "it's");
	buf_append_byte(&b, '|');
	shell_quote(&b, "");
	CHECK_EQ_STR((const char *)b.data, "'a b'|'it'\\''s'|''");
	buf_fini(&b);
}

TEST(quote_round_trips_through_sh)
{
	static const char *const nasty[] = {
	    "plain",
	    "two words",
	    "'",
	    "''",
	    "it's a 'quote'",
	    "\"double\"",
	    "$HOME ${PATH} $(id) `id`",
	    "back\\slash\\",
	    "new\nline\n",
	    "tab\there",
	    "glob * ? [a]",
	    "semi; amp & pipe | redirect > < ",
	    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	    "-n",
	    "!history",
	    "#comment",
	    "~",
	};

	for (size_t i = 0; i < sizeof nasty / sizeof nasty[0]; i++) {
		char out[256];
		size_t n = through_sh(nasty[i], out, sizeof out);

		CHECK_EQ_INT(n, strlen(nasty[i]));
		CHECK_EQ_MEM(out, nasty[i], n);
	}
}

TEST(quote_round_trips_every_byte)
{
	char s[256], out[512];
	size_t n;

	for (int i = 1; i < 256; i++)
		s[i - 1] = (char)i;
	s[255] = '\0';
	n = through_sh(s, out, sizeof out);
	CHECK_EQ_INT(n, 255);
	CHECK_EQ_MEM(out, s, 255);
}

static void check_split(const char *in, const char *const *want, size_t nwant)
{
	char err[ERR_LEN];
	struct strv sv;

	strv_init(&sv);
	CHECK_EQ_INT(shell_split(&sv, in, err), 0);
	CHECK_EQ_INT(sv.n, nwant);
	for (size_t i = 0; i < nwant; i++)
		CHECK_EQ_STR(sv.v[i], want[i]);
	strv_fini(&sv);
}

#define SPLIT(in, ...)                                                                             \
	do {                                                                                       \
		static const char *const w_[] = {__VA_ARGS__};                                     \
		check_split(in, w_, sizeof w_ / sizeof w_[0]);                                     \
	} while (0)

TEST(split_words)
{
	SPLIT("ssh", "ssh");
	SPLIT("  ssh   -p 2222\t-v \n", "ssh", "-p", "2222", "-v");
	SPLIT("ssh -o 'ProxyCommand=nc %h %p'", "ssh", "-o", "ProxyCommand=nc %h %p");
	SPLIT("a\"b c\"d", "ab cd");
	SPLIT("x\\ y", "x y");
	SPLIT("a '' b", "a", "", "b");
	SPLIT("\"\"", "");
	SPLIT("'$HOME' \"`id`\"", "$HOME", "`id`");
}

TEST(split_backslashes_like_text_parsewords)
{
	/* Captured from /usr/bin/mosh --ssh="... a''b x\ y 'c\'d' \"a\\b\"". */
	SPLIT("a''b x\\ y 'c\\'d' \"a\\b\"", "ab", "x y", "c\\'d", "ab");
	SPLIT("\"q\\\"q\"", "q\"q");
	SPLIT("'s\\\\s'", "s\\\\s");
}

TEST(split_empty_gives_no_words)
{
	struct strv sv;
	char err[ERR_LEN];

	strv_init(&sv);
	CHECK_EQ_INT(shell_split(&sv, "   ", err), 0);
	CHECK_EQ_INT(sv.n, 0);
	strv_fini(&sv);
}

TEST(split_errors)
{
	static const char *const bad[] = {"'open", "ssh \"open", "trailing\\", "'a\\'", "\"a\\\""};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct strv sv;
		char err[ERR_LEN] = "";

		strv_init(&sv);
		CHECK_EQ_INT(shell_split(&sv, bad[i], err), ERR_INVAL);
		CHECK(err[0] != '\0');
		strv_fini(&sv);
	}
}

TEST(quote_then_split_round_trips)
{
	static const char *const words[] = {"ssh", "-o", "Proxy Command=a 'b' \"c\"", "", "$x"};
	char *list[5];
	char err[ERR_LEN];
	struct strv sv;
	struct buf b;

	for (int i = 0; i < 5; i++)
		list[i] = (char *)words[i];
	buf_init(&b);
	shell_quote_list(&b, list, 5);
	strv_init(&sv);
	CHECK_EQ_INT(shell_split(&sv, (const char *)b.data, err), 0);
	CHECK_EQ_INT(sv.n, 5);
	for (int i = 0; i < 5; i++)
		CHECK_EQ_STR(sv.v[i], words[i]);
	strv_fini(&sv);
	buf_fini(&b);
}

int main(void)
{
	RUN(quote_forms);
	RUN(quote_round_trips_through_sh);
	RUN(quote_round_trips_every_byte);
	RUN(split_words);
	RUN(split_backslashes_like_text_parsewords);
	RUN(split_empty_gives_no_words);
	RUN(split_errors);
	RUN(quote_then_split_round_trips);
	return test_done();
}
