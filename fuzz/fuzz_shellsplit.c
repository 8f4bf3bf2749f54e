/*
 * --ssh word splitting on arbitrary strings (user input). It either fails
 * cleanly or yields words; quoting those words and splitting again must give
 * them back exactly whenever no word holds a backslash (inside single quotes a
 * backslash is kept with the next character, as in Text::ParseWords, so such
 * words do not round-trip through single quotes).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "launcher/shell.h"
#include "util/err.h"
#include "util/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	char err[ERR_LEN];
	struct strv words, again;
	struct buf quoted;
	bool backslash = false;

	strv_init(&words);
	strv_init(&again);
	buf_init(&quoted);
	if (shell_split(&words, s, err) == 0) {
		for (size_t i = 0; i < words.n; i++)
			if (strchr(words.v[i], '\\'))
				backslash = true;
		shell_quote_list(&quoted, words.v, words.n);
		if (!backslash) {
			if (shell_split(&again, quoted.data ? (const char *)quoted.data : "",
			                err) != 0 ||
			    again.n != words.n)
				abort();
			for (size_t i = 0; i < words.n; i++)
				if (strcmp(words.v[i], again.v[i]) != 0)
					abort();
		}
	} else if (err[0] == '\0') {
		abort();
	}
	buf_fini(&quoted);
	strv_fini(&words);
	strv_fini(&again);
	free(s);
	return 0;
}
