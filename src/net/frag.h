/*
 * Fragments (doc/PROTOCOL.md §2): one compressed instruction is cut into chunks,
 * each carried by one datagram behind a 10-byte header
 * id(u64) | final<<15 | number(u16).
 *
 * Sender: the id is a counter that starts at 0 and is incremented before use
 * unless the data and the chunk size equal the previous call's (a pure
 * retransmission) — so the first id is 1 and an id never names two different
 * byte strings, which the real receiver would abort on.
 *
 * Receiver: one assembly at a time, keyed by id. A fragment of a newer id
 * discards the partial assembly; one of an older id is dropped while an
 * assembly is in progress (a replayed datagram must not throw away the
 * instruction arriving now; the sender's ids only grow); with none in
 * progress any id starts one. Duplicates are ignored; a duplicate whose
 * bytes differ, or fragments that contradict each other (two final numbers, a
 * fragment beyond the final one) discard the assembly. Everything a peer can
 * make us hold is bounded: fragment numbers <= 32767 and at most
 * WIRE_ASSEMBLY_MAX chunk bytes. An assembly yields the exact concatenation of
 * fragments 0..final, or nothing.
 */
#ifndef MOSHC_NET_FRAG_H
#define MOSHC_NET_FRAG_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Receives each fragment (header + chunk, contiguous, borrowed for the call). */
typedef int (*frag_emit_fn)(void *user, const uint8_t *fragment, size_t len);

struct frag_sender;

struct frag_sender *frag_sender_new(void);
void frag_sender_free(struct frag_sender *fs);

/*
 * Split data into fragments of at most chunk_max chunk bytes (every one but the
 * last exactly chunk_max; empty data gives one empty final fragment) and hand
 * each to emit in order. Returns the number of fragments, ERR_RANGE if
 * chunk_max is 0 or more than 32768 fragments would be needed, or the first
 * negative value emit returns (the remaining fragments are not emitted).
 */
int frag_split(struct frag_sender *fs, const uint8_t *data, size_t len, size_t chunk_max,
               frag_emit_fn emit, void *user);
/* The id the last frag_split used (0 before the first). */
uint64_t frag_sender_last_id(const struct frag_sender *fs);

struct frag_stats {
	uint64_t fragments;  /* accepted into an assembly (duplicates included) */
	uint64_t duplicates; /* identical repeats, ignored */
	uint64_t completed;  /* assemblies returned */
	uint64_t abandoned;  /* partial assemblies discarded by a new id */
	/* drops, by kind */
	uint64_t too_short;  /* payload < 10 bytes */
	uint64_t stale;      /* older id than the assembly in progress */
	uint64_t bad_number; /* contradicts the final fragment's number */
	uint64_t conflict;   /* same id and number, different bytes */
	uint64_t too_big;    /* assembly would exceed WIRE_ASSEMBLY_MAX */
};

struct frag_assembly;

struct frag_assembly *frag_assembly_new(void);
void frag_assembly_free(struct frag_assembly *fa);

/*
 * Add one fragment (a datagram payload). 1: the instruction is complete and
 * out is replaced by its bytes (the assembly is then empty); 0: more needed;
 * negative (ERR_INVAL, ERR_PROTO, ERR_RANGE): the fragment was dropped and
 * counted, and a contradicted assembly discarded.
 */
int frag_add(struct frag_assembly *fa, const uint8_t *payload, size_t len, struct buf *out);
/* Borrowed, valid while the assembly lives. */
const struct frag_stats *frag_get_stats(const struct frag_assembly *fa);

#endif
