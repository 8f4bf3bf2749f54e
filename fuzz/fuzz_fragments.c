/*
 * A sequence of fragments into one assembler. Input: records of a 2-byte
 * big-endian length followed by that many bytes (a short final record is
 * used as is). Completed assemblies must respect the size bound.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "net/frag.h"
#include "net/wire.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frag_assembly *fa = frag_assembly_new();
	struct buf out;
	size_t off = 0;

	buf_init(&out);
	while (off + 2 <= size) {
		size_t n = (size_t)data[off] << 8 | data[off + 1];
		int rc;

		off += 2;
		if (n > size - off)
			n = size - off;
		rc = frag_add(fa, data + off, n, &out);
		if (rc == 1 && out.len > WIRE_ASSEMBLY_MAX)
			abort();
		if (rc != 0 && rc != 1 && rc >= 0)
			abort();
		off += n;
	}
	buf_fini(&out);
	frag_assembly_free(fa);
	return 0;
}
