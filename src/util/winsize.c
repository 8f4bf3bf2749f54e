/* A terminal's window size with the 80x24 fallback; see winsize.h. */
#include "util/winsize.h"

#include <sys/ioctl.h>

bool winsize_get(int fd, uint16_t *rows, uint16_t *cols)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) < 0 || ws.ws_row == 0 || ws.ws_col == 0) {
		*rows = WINSIZE_DEFAULT_ROWS;
		*cols = WINSIZE_DEFAULT_COLS;
		return false;
	}
	*rows = ws.ws_row;
	*cols = ws.ws_col;
	return true;
}
