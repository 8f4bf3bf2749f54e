/*
 * Fragmentation and reassembly (doc/PROTOCOL.md §2); the model is in frag.h.
 * Receiver invariants: pieces[0..npieces) holds the fragments of the current
 * id that have arrived (have = true), count of them, bytes their total size
 * (<= WIRE_ASSEMBLY_MAX); when have_final, no stored number exceeds
 * final_num, so the assembly is complete exactly when count == final_num + 1.
 */
#include "net/frag.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "net/wire.h"
#include "util/bytes.h"
#include "util/err.h"
#include "util/xmalloc.h"

struct frag_sender {
	uint64_t id;
	bool have_prev;
	size_t prev_chunk;
	struct buf prev; /* the data of the last id, to recognise a retransmission */
	struct buf scratch;
};

struct frag_sender *frag_sender_new(void)
{
	struct frag_sender *fs = xcalloc(1, sizeof *fs);

	buf_init(&fs->prev);
	buf_init(&fs->scratch);
	return fs;
}

void frag_sender_free(struct frag_sender *fs)
{
	if (fs == NULL)
		return;
	buf_fini(&fs->prev);
	buf_fini(&fs->scratch);
	free(fs);
}

int frag_split(struct frag_sender *fs, const uint8_t *data, size_t len, size_t chunk_max,
               frag_emit_fn emit, void *user)
{
	size_t nfrags, off = 0;

	if (chunk_max == 0)
		return ERR_RANGE;
	nfrags = len == 0 ? 1 : len / chunk_max + (len % chunk_max != 0);
	if (nfrags > WIRE_FRAG_MAX_NUM + 1)
		return ERR_RANGE;
	/* The real receiver aborts if one id ever names two different byte strings. */
	if (!fs->have_prev || fs->prev_chunk != chunk_max || fs->prev.len != len ||
	    (len > 0 && memcmp(fs->prev.data, data, len) != 0)) {
		fs->id++;
		fs->have_prev = true;
		fs->prev_chunk = chunk_max;
		buf_clear(&fs->prev);
		buf_append(&fs->prev, data, len);
	}
	buf_reserve(&fs->scratch, WIRE_FRAG_HEADER_LEN + (len < chunk_max ? len : chunk_max));
	for (size_t i = 0; i < nfrags; i++) {
		size_t n = len - off < chunk_max ? len - off : chunk_max;
		bool final = i + 1 == nfrags;
		uint8_t *p = fs->scratch.data;
		int rc;

		be64_put(p, fs->id);
		be16_put(p + 8, (uint16_t)((final ? WIRE_FRAG_FINAL_BIT : 0) | i));
		if (n > 0)
			memcpy(p + WIRE_FRAG_HEADER_LEN, data + off, n);
		rc = emit(user, p, WIRE_FRAG_HEADER_LEN + n);
		if (rc < 0)
			return rc;
		off += n;
	}
	return (int)nfrags;
}

uint64_t frag_sender_last_id(const struct frag_sender *fs)
{
	return fs->id;
}

struct piece {
	uint8_t *data; /* NULL for an empty chunk */
	size_t len;
	bool have;
};

struct frag_assembly {
	bool active;
	uint64_t id;
	struct piece *pieces;
	size_t npieces; /* allocated slots; all beyond the highest stored number are empty */
	size_t count;
	size_t bytes;
	size_t max_num; /* highest number stored (valid when count > 0) */
	bool have_final;
	size_t final_num;
	struct frag_stats stats;
};

struct frag_assembly *frag_assembly_new(void)
{
	return xcalloc(1, sizeof(struct frag_assembly));
}

/* Forget every stored fragment, keeping the slot array for the next instruction. */
static void assembly_clear(struct frag_assembly *fa)
{
	/* Only up to max_num: clearing must not cost 32768 steps per stray fragment. */
	for (size_t i = 0; fa->count > 0 && i <= fa->max_num; i++) {
		free(fa->pieces[i].data);
		fa->pieces[i] = (struct piece){0};
	}
	fa->count = 0;
	fa->bytes = 0;
	fa->max_num = 0;
	fa->have_final = false;
	fa->final_num = 0;
}

void frag_assembly_free(struct frag_assembly *fa)
{
	if (fa == NULL)
		return;
	assembly_clear(fa);
	free(fa->pieces);
	free(fa);
}

/* Make slot num exist (num <= WIRE_FRAG_MAX_NUM, so at most 32768 slots). */
static void ensure_slot(struct frag_assembly *fa, size_t num)
{
	size_t n = fa->npieces ? fa->npieces : 8;

	if (num < fa->npieces)
		return;
	while (n <= num)
		n *= 2;
	if (n > WIRE_FRAG_MAX_NUM + 1)
		n = WIRE_FRAG_MAX_NUM + 1;
	fa->pieces = xreallocarray(fa->pieces, n, sizeof *fa->pieces);
	memset(fa->pieces + fa->npieces, 0, (n - fa->npieces) * sizeof *fa->pieces);
	fa->npieces = n;
}

/* Drop the assembly after a contradiction: its bytes can no longer be trusted to fit. */
static int reject(struct frag_assembly *fa, uint64_t *counter, int code)
{
	(*counter)++;
	assembly_clear(fa);
	return code;
}

int frag_add(struct frag_assembly *fa, const uint8_t *payload, size_t len, struct buf *out)
{
	const uint8_t *chunk = payload + WIRE_FRAG_HEADER_LEN;
	uint64_t id;
	uint16_t word;
	size_t num, clen;
	bool final;
	struct piece *pc;

	if (len < WIRE_FRAG_HEADER_LEN) {
		fa->stats.too_short++;
		return ERR_INVAL;
	}
	id = be64_get(payload);
	word = be16_get(payload + 8);
	final = (word & WIRE_FRAG_FINAL_BIT) != 0;
	num = word & WIRE_FRAG_MAX_NUM;
	clen = len - WIRE_FRAG_HEADER_LEN;

	if (fa->active && fa->count > 0 && id < fa->id) {
		fa->stats.stale++;
		return ERR_PROTO;
	}
	if (!fa->active || id != fa->id) {
		if (fa->count > 0)
			fa->stats.abandoned++;
		assembly_clear(fa);
		fa->active = true;
		fa->id = id;
	}
	if (num < fa->npieces && fa->pieces[num].have) {
		pc = &fa->pieces[num];
		if (pc->len != clen || (clen > 0 && memcmp(pc->data, chunk, clen) != 0) ||
		    final != (fa->have_final && fa->final_num == num))
			return reject(fa, &fa->stats.conflict, ERR_PROTO);
		fa->stats.duplicates++;
		fa->stats.fragments++;
		return 0;
	}
	if ((fa->have_final && (num > fa->final_num || final)) ||
	    (final && fa->count > 0 && fa->max_num > num))
		return reject(fa, &fa->stats.bad_number, ERR_PROTO);
	if (clen > WIRE_ASSEMBLY_MAX - fa->bytes)
		return reject(fa, &fa->stats.too_big, ERR_RANGE);

	ensure_slot(fa, num);
	pc = &fa->pieces[num];
	pc->data = clen > 0 ? xmemdup(chunk, clen) : NULL;
	pc->len = clen;
	pc->have = true;
	if (fa->count == 0 || num > fa->max_num)
		fa->max_num = num;
	fa->count++;
	fa->bytes += clen;
	fa->stats.fragments++;
	if (final) {
		fa->have_final = true;
		fa->final_num = num;
	}
	if (!fa->have_final || fa->count != fa->final_num + 1)
		return 0;

	buf_clear(out);
	buf_reserve(out, fa->bytes);
	for (size_t i = 0; i <= fa->final_num; i++)
		buf_append(out, fa->pieces[i].data, fa->pieces[i].len);
	fa->stats.completed++;
	/* The id stays current: a late duplicate starts a fresh assembly of it, as in mosh. */
	assembly_clear(fa);
	return 1;
}

const struct frag_stats *frag_get_stats(const struct frag_assembly *fa)
{
	return &fa->stats;
}
