/*
 * Unpredictable bytes from the kernel (getrandom), for keys and chaff.
 * A kernel that cannot supply them leaves nothing safe to do: the process
 * reports it and aborts, so callers need no error path.
 */
#ifndef MOSHC_CRYPTO_RANDOM_H
#define MOSHC_CRYPTO_RANDOM_H

#include <stddef.h>

/* Fill buf; 0 or ERR_IO when the kernel refuses (errno says why). */
int crypto_random_fill(void *buf, size_t n);
/* Fill buf or abort. */
void crypto_random(void *buf, size_t n);

#endif
