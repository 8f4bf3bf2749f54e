/* The window-title prefix; see title.h. */
#include "client/title.h"

#include <string.h>

const char *title_prefix(bool noprefix)
{
	return noprefix ? "" : TITLE_PREFIX;
}

void title_apply(const char *prefix, const uint8_t *title, size_t title_len, const uint8_t *icon,
                 size_t icon_len, struct buf *out_title, struct buf *out_icon)
{
	bool same =
	    icon_len == title_len && (title_len == 0 || memcmp(icon, title, title_len) == 0);

	buf_clear(out_title);
	buf_clear(out_icon);
	buf_append_str(out_title, prefix);
	buf_append(out_title, title, title_len);
	if (same)
		buf_append_str(out_icon, prefix);
	buf_append(out_icon, icon, icon_len);
}
