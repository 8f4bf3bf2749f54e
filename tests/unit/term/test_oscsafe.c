/* term/oscsafe: which titles and clipboard strings may reach the user's
 * terminal, and the emulator storing only those (emu_stats.filtered). */
#include "../test.h"

#include <stdlib.h>

#include "term/emu.h"
#include "term/oscsafe.h"

static bool text_ok(const char *s)
{
	return oscsafe_text(s, strlen(s));
}

static bool clip_ok(const char *s)
{
	return oscsafe_clipboard(s, strlen(s));
}

TEST(oscsafe_text_rules)
{
	char big[OSCSAFE_TEXT_MAX + 2];

	CHECK(text_ok(""));
	CHECK(text_ok("vim: main.c ~"));
	CHECK(text_ok("caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80 \xc2\xa0"));
	CHECK(!text_ok("a\033]52;c;?\a")); /* ESC: a new sequence */
	CHECK(!text_ok("a\ab"));           /* BEL ends the OSC */
	CHECK(!text_ok("a\nb"));           /* any C0 */
	CHECK(!text_ok("a\x7f"));          /* DEL */
	CHECK(!text_ok("a\xc2\x9c"));      /* C1 ST as UTF-8 */
	CHECK(!text_ok("a\xc2\x9b"
	               "2J")); /* C1 CSI */
	CHECK(!text_ok("\x9b"
	               "2J"));               /* a raw 8-bit C1 byte is not UTF-8 */
	CHECK(!text_ok("\xc0\x9b"));         /* overlong */
	CHECK(!text_ok("\xed\xa0\x80"));     /* surrogate */
	CHECK(!text_ok("\xf4\x90\x80\x80")); /* past U+10FFFF */
	CHECK(!text_ok("\xe4\xb8"));         /* cut */
	memset(big, 'x', sizeof big);
	CHECK(oscsafe_text(big, OSCSAFE_TEXT_MAX));
	CHECK(!oscsafe_text(big, OSCSAFE_TEXT_MAX + 1));
}

TEST(oscsafe_clipboard_rules)
{
	char *big = malloc(OSCSAFE_CLIPBOARD_MAX + 4);

	CHECK(clip_ok(""));
	CHECK(clip_ok("Zm9v"));
	CHECK(clip_ok("Zm8="));
	CHECK(clip_ok("Zg=="));
	CHECK(clip_ok("aGVsbG8gd29ybGQ+Lw=="));
	CHECK(!clip_ok("?"));        /* the query: would make the terminal answer */
	CHECK(!clip_ok("Zm9"));      /* length */
	CHECK(!clip_ok("Z==="));     /* three pads */
	CHECK(!clip_ok("Zg==Zg==")); /* pad inside */
	CHECK(!clip_ok("Zm9v\n"));   /* control */
	CHECK(!clip_ok("Zm9-"));     /* base64url is not the alphabet */
	CHECK(!clip_ok("Zm\033["));
	memset(big, 'A', OSCSAFE_CLIPBOARD_MAX + 4);
	CHECK(oscsafe_clipboard(big, OSCSAFE_CLIPBOARD_MAX / 4 * 4));
	CHECK(!oscsafe_clipboard(big, OSCSAFE_CLIPBOARD_MAX + 4));
	free(big);
}

static void push(struct emu *e, const char *s)
{
	emu_write(e, (const uint8_t *)s, strlen(s));
}

/* Hostile OSC strings never enter the framebuffer; good ones do. */
TEST(oscsafe_emu_filters)
{
	struct emu *e = emu_new(80, 24);
	const struct fb *fb = emu_fb(e);
	struct emu_stats st;
	size_t n = VTPARSE_OSC_MAX + 16;
	char *cut = malloc(n + 1);

	push(e, "\033]52;c;Zm9v\a\033]2;ok\a");
	CHECK_EQ_STR(fb_str_data(fb->clipboard), "Zm9v");
	push(e, "\033]52;c;?\a");
	push(e, "\033]52;c;Zm9v\x7f\a");
	/* A string the OSC buffer cut: what is left may look valid, but is not the data. */
	memcpy(cut, "\033]52;c;", 7);
	memset(cut + 7, 'A', n - 8);
	cut[n - 1] = '\a';
	cut[n] = '\0';
	push(e, cut);
	emu_stats(e, &st);
	CHECK_EQ_INT(st.filtered, 3);
	CHECK_EQ_STR(fb_str_data(fb->clipboard), "Zm9v");
	push(e, "\033]2;x\x7fy\a");
	CHECK_EQ_STR(fb_str_data(fb->title), "xy");
	emu_free(e);
	free(cut);
}

int main(void)
{
	RUN(oscsafe_text_rules);
	RUN(oscsafe_clipboard_rules);
	RUN(oscsafe_emu_filters);
	return test_done();
}
