/*
 * The complete terminal state (PROTOCOL.md 5.6): the server-to-client SSP
 * state, an emulator (its framebuffer is what the user sees) plus the echo
 * ack, the newest client state whose keystrokes the application has had 50 ms
 * to echo.
 *
 * diff(old, new) is a HostBuffers.HostMessage with, in this order: an EchoAck
 * if the echo ack changed; if the framebuffers differ, a Resize when the size
 * changed and a HostBytes whose hoststring redraws old into new using only
 * what a mosh 1.4 client understands (term/disp.h, server flavour).
 * apply() checks every instruction of a message before changing anything, so
 * a malformed or hostile diff leaves the state as it was: sizes outside the
 * framebuffer limits and an echo ack going backwards are rejected, and reply
 * bytes a hoststring provokes (a query smuggled into a diff) are discarded:
 * a client never answers its server.
 *
 * Copies share framebuffer rows (copy-on-write), so SSP's sent and received
 * state lists cost O(changed rows) each.
 */
#ifndef MOSHC_STATE_TERMINAL_H
#define MOSHC_STATE_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ssp/ssp.h"
#include "term/emu.h"
#include "util/buf.h"

struct termstate;

/* A blank width×height terminal with echo ack 0 (SSP state 0). */
struct termstate *termstate_new(int width, int height);
struct termstate *termstate_copy(const struct termstate *s);
void termstate_free(struct termstate *s);

/* The emulator, to feed pty output or resize (borrowed, valid until free). */
struct emu *termstate_emu(struct termstate *s);
/* Borrowed; valid until the state is next changed. */
const struct fb *termstate_fb(const struct termstate *s);

uint64_t termstate_echo_ack(const struct termstate *s);
/* The echo ack never goes back: returns whether it changed. */
bool termstate_set_echo_ack(struct termstate *s, uint64_t echo_ack);

bool termstate_equal(const struct termstate *a, const struct termstate *b);
void termstate_diff(const struct termstate *from, const struct termstate *to, struct buf *out);
/* 0, ERR_INVAL (not a HostMessage), ERR_RANGE (bad size) or ERR_PROTO (echo ack
 * going back); the state is unchanged on error. */
int termstate_apply(struct termstate *s, const uint8_t *diff, size_t len);

/* Reply bytes discarded from received hoststrings (a well-behaved server sends none). */
uint64_t termstate_replies_dropped(const struct termstate *s);

/* The SSP state interface over struct termstate. */
extern const struct ssp_state_ops termstate_ops;

#endif
