/*
 * Randomness straight from the kernel's CSPRNG via getrandom(2), which blocks
 * only until the pool is first initialised and never returns weak bytes.
 */
#include "crypto/random.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "util/err.h"

int crypto_random_fill(void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n > 0) {
		ssize_t got = getrandom(p, n, 0);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return ERR_IO;
		}
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

void crypto_random(void *buf, size_t n)
{
	if (crypto_random_fill(buf, n) < 0) {
		fprintf(stderr, "mosh-c: the kernel refused random bytes: %s\n", strerror(errno));
		abort();
	}
}
