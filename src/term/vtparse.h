/*
 * Paul Williams' DEC ANSI parser (vt100.net/emu/dec_ansi_parser) on Unicode
 * code points, as mosh 1.4 runs it (doc/PROTOCOL.md §8.2). The parser holds no
 * terminal state: it classifies code points, collects intermediates,
 * parameters and OSC strings, and reports actions through a const callback
 * struct with a void *user. It never allocates.
 *
 * Bounds (all as mosh): the raw parameter string keeps its first 100
 * characters (digits, ';' and ':'), a parameter value above 65535 or with no digits
 * is "missing"; at most 8 collected characters, each <= 0xFF; the OSC string
 * keeps its first VTPARSE_OSC_MAX code points.
 */
#ifndef MOSHC_TERM_VTPARSE_H
#define MOSHC_TERM_VTPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VTPARSE_MAX_RAW 100
#define VTPARSE_MAX_PARAMS (VTPARSE_MAX_RAW + 1)
#define VTPARSE_MAX_COLLECT 8
#define VTPARSE_OSC_MAX 16384
#define VTPARSE_PARAM_MAX 65535

enum vtparse_state {
	VTP_GROUND,
	VTP_ESCAPE,
	VTP_ESCAPE_INTER,
	VTP_CSI_ENTRY,
	VTP_CSI_PARAM,
	VTP_CSI_INTER,
	VTP_CSI_IGNORE,
	VTP_DCS_ENTRY,
	VTP_DCS_PARAM,
	VTP_DCS_INTER,
	VTP_DCS_PASS,
	VTP_DCS_IGNORE,
	VTP_OSC,
	VTP_SOS_PM_APC,
	VTP_NSTATES,
};

struct vtparse;

/*
 * Actions. Any member may be NULL (the action is then dropped). The parser
 * argument of the dispatches gives the collected characters and parameters
 * (vtparse_collected, vtparse_param); final is the dispatching code point.
 */
struct vtparse_cb {
	void (*print)(void *user, uint32_t cp);
	void (*execute)(void *user, uint32_t cp);
	void (*esc_dispatch)(void *user, const struct vtparse *p, uint32_t final);
	void (*csi_dispatch)(void *user, const struct vtparse *p, uint32_t final);
	void (*osc_start)(void *user);
	void (*osc_put)(void *user, uint32_t cp);
	/* The OSC string ended (BEL, ST, ESC, CAN, SUB or a C1 control). */
	void (*osc_end)(void *user, const uint32_t *osc, size_t len);
	void (*hook)(void *user, const struct vtparse *p, uint32_t final);
	void (*put)(void *user, uint32_t cp);
	void (*unhook)(void *user);
};

struct vtparse {
	const struct vtparse_cb *cb;
	void *user;
	uint8_t state;
	uint8_t nraw;     /* raw parameter characters kept (<= VTPARSE_MAX_RAW) */
	uint8_t ncollect; /* collected characters (<= VTPARSE_MAX_COLLECT) */
	char collect[VTPARSE_MAX_COLLECT];
	int nparams;                        /* >= 1 */
	int32_t params[VTPARSE_MAX_PARAMS]; /* -1 = no digits; saturates above the max */
	uint8_t sub[VTPARSE_MAX_PARAMS];    /* 1 = introduced by ':' (a sub-parameter) */
	bool subs;                          /* some parameter is a sub-parameter */
	size_t osc_len;
	uint32_t osc[VTPARSE_OSC_MAX];
};

void vtparse_init(struct vtparse *p, const struct vtparse_cb *cb, void *user);
/* Copy the parse state of src into dst (callbacks of dst kept). */
void vtparse_copy_state(struct vtparse *dst, const struct vtparse *src);
/* Feed one code point. */
void vtparse_feed(struct vtparse *p, uint32_t cp);

/*
 * Feed a whole CSI sequence from the start of s, when the parser is in Ground
 * and s holds a complete one of the common form ESC '[' [private marker
 * '<'..'?'] {digit | ';'} final (0x40..0x7E): the result is exactly that of
 * feeding its bytes one by one (same dispatch, same parser state after).
 * Returns the bytes consumed, or 0, having changed nothing, for anything else
 * (another state, another form, or a sequence not complete in s).
 */
size_t vtparse_csi_run(struct vtparse *p, const uint8_t *s, size_t len);

/* Number of parameters: always >= 1 (an empty string is one missing parameter). */
static inline int vtparse_nparams(const struct vtparse *p)
{
	return p->nparams;
}
/* Parameter i, or def when absent, missing or < 1 (so an explicit 0 means default). */
int vtparse_param(const struct vtparse *p, int i, int def);
/* Whether parameter i was introduced by ':' (a sub-parameter of the one before). */
static inline bool vtparse_param_sub(const struct vtparse *p, int i)
{
	return i > 0 && i < p->nparams && p->sub[i] != 0;
}
/* Whether any parameter is a sub-parameter. */
static inline bool vtparse_has_subs(const struct vtparse *p)
{
	return p->subs;
}
/* Collected intermediates/private markers (not NUL-terminated). */
static inline const char *vtparse_collected(const struct vtparse *p, size_t *len)
{
	*len = p->ncollect;
	return p->collect;
}

#endif
