/* Notification bar and title prefix; see overlay.h. */
#include "client/overlay.h"

#include <string.h>

#include "client/title.h"
#include "term/charwidth.h"
#include "term/utf8.h"
#include "util/buf.h"

enum { BAR_FG = 37, BAR_BG = 44 }; /* white on blue, in fb colour encoding */

void overlay_bar(struct fb *fb, const char *text, size_t len)
{
	const struct fb_rend plain = {.fg = BAR_FG, .bg = BAR_BG, .attr = 0};
	const struct fb_rend bold = {.fg = BAR_FG, .bg = BAR_BG, .attr = FB_ATTR_BOLD};
	struct fb_row *row = fb_mut_row(fb, 0);
	struct utf8_dec dec;
	int x = 0, last = -1;

	for (int i = 0; i < row->width; i++)
		fb_cell_reset(&row->cells[i], &plain);
	utf8_init(&dec);
	for (size_t i = 0; i < len; i++) {
		uint32_t cps[2];
		int n = utf8_feed(&dec, (uint8_t)text[i], cps);

		for (int k = 0; k < n; k++) {
			int w = cw_width(cps[k]);

			if (w == 0 && last >= 0) {
				fb_cell_append_cp(&row->cells[last], cps[k]);
				continue;
			}
			if (w < 1 || x + w > row->width)
				continue;
			fb_cell_reset(&row->cells[x], &bold);
			fb_cell_set_cp(&row->cells[x], cps[k]);
			if (w == 2) {
				row->cells[x].flags |= FB_CELL_WIDE;
				fb_cell_reset(&row->cells[x + 1], &bold);
			}
			last = x;
			x += w;
		}
	}
	if (fb->ds.cur_row == 0)
		fb->ds.cursor_visible = false;
}

void overlay_title(struct fb *fb, const char *prefix)
{
	struct buf title, icon;

	if (prefix == NULL || prefix[0] == '\0' || !fb->title_init)
		return;
	buf_init(&title);
	buf_init(&icon);
	title_apply(prefix, (const uint8_t *)fb_str_data(fb->title), fb_str_len(fb->title),
	            (const uint8_t *)fb_str_data(fb->icon), fb_str_len(fb->icon), &title, &icon);
	fb_set_title(fb, (const char *)title.data, title.len);
	fb_set_icon(fb, icon.len ? (const char *)icon.data : "", icon.len);
	buf_fini(&title);
	buf_fini(&icon);
}
