/*
 * Table-driven DEC parser; see vtparse.h for the model and bounds.
 *
 * Each state has a static list of transition rules {first, last, action,
 * next}; "anywhere" rules are checked first from every state. A rule with a
 * next state runs the old state's exit action, the rule's action, then the new
 * state's entry action (even when the new state equals the old one, as in the
 * DEC diagram). A code point with no rule is ignored.
 *
 * Where we (like mosh 1.4) depart from the DEC diagram:
 *  - input is Unicode code points, not bytes; C1 controls are U+0080–U+009F;
 *    outside the anywhere rules, code points >= U+00A0 are classified as 'A'
 *    (0x41) but keep their value (so Ground prints them, a CSI ends on them);
 *  - DEL (0x7F) in Ground is a print (the emulator drops it: width -1);
 *  - BEL (0x07) ends an OSC string (xterm), as ST does; ESC, CAN, SUB and C1
 *    controls also end it, and its exit action dispatches it in every case;
 *  - ':' in a CSI parameter string separates sub-parameters (ITU T.416, as
 *    xterm reads SGR 4:3 or 58:2::r:g:b): it starts a new parameter marked as a
 *    sub-parameter (vtparse_param_sub); mosh 1.4 ignores such a sequence, and
 *    the emulator still does for everything but SGR (doc/sequences.md);
 *  - parameters keep only the first 100 raw characters; values > 65535 are
 *    missing; at most 8 collected characters, each <= 0xFF;
 *  - the OSC string keeps its first VTPARSE_OSC_MAX code points;
 *  - SOS/PM/APC strings are not ended by BEL.
 *
 * vtparse_csi_run is a shortcut for the commonest input of all, a whole CSI
 * sequence in Ground: it performs the same actions as the walk through Escape,
 * CSI Entry and CSI Param would, and declines anything else.
 */
#include "term/vtparse.h"

#include <string.h>

enum act {
	A_NONE,
	A_PRINT,
	A_EXECUTE,
	A_CLEAR,
	A_COLLECT,
	A_PARAM,
	A_ESC_DISPATCH,
	A_CSI_DISPATCH,
	A_HOOK,
	A_PUT,
	A_UNHOOK,
	A_OSC_START,
	A_OSC_PUT,
	A_OSC_END,
};

#define STAY VTP_NSTATES

struct rule {
	uint32_t lo, hi;
	uint8_t act;
	uint8_t next;
};

/* C0 controls executed in place: 00–17, 19, 1C–1F (CAN, SUB, ESC are anywhere rules). */
#define C0_EXECUTE                                                                                 \
	{0x00, 0x17, A_EXECUTE, STAY}, {0x19, 0x19, A_EXECUTE, STAY},                              \
	{                                                                                          \
		0x1C, 0x1F, A_EXECUTE, STAY                                                        \
	}
#define C0_IGNORE                                                                                  \
	{0x00, 0x17, A_NONE, STAY}, {0x19, 0x19, A_NONE, STAY},                                    \
	{                                                                                          \
		0x1C, 0x1F, A_NONE, STAY                                                           \
	}
#define C0_PUT                                                                                     \
	{0x00, 0x17, A_PUT, STAY}, {0x19, 0x19, A_PUT, STAY},                                      \
	{                                                                                          \
		0x1C, 0x1F, A_PUT, STAY                                                            \
	}
#define END_RULE                                                                                   \
	{                                                                                          \
		1, 0, A_NONE, STAY                                                                 \
	}

static const struct rule anywhere[] = {
    {0x18, 0x18, A_EXECUTE, VTP_GROUND},
    {0x1A, 0x1A, A_EXECUTE, VTP_GROUND},
    {0x1B, 0x1B, A_NONE, VTP_ESCAPE},
    {0x80, 0x8F, A_EXECUTE, VTP_GROUND},
    {0x90, 0x90, A_NONE, VTP_DCS_ENTRY},
    {0x91, 0x97, A_EXECUTE, VTP_GROUND},
    {0x98, 0x98, A_NONE, VTP_SOS_PM_APC},
    {0x99, 0x9A, A_EXECUTE, VTP_GROUND},
    {0x9B, 0x9B, A_NONE, VTP_CSI_ENTRY},
    {0x9C, 0x9C, A_NONE, VTP_GROUND},
    {0x9D, 0x9D, A_NONE, VTP_OSC},
    {0x9E, 0x9F, A_NONE, VTP_SOS_PM_APC},
    END_RULE,
};

static const struct rule r_ground[] = {
    C0_EXECUTE,
    {0x20, 0x7F, A_PRINT, STAY},
    END_RULE,
};

static const struct rule r_escape[] = {
    C0_EXECUTE,
    {0x20, 0x2F, A_COLLECT, VTP_ESCAPE_INTER},
    {0x30, 0x4F, A_ESC_DISPATCH, VTP_GROUND},
    {0x50, 0x50, A_NONE, VTP_DCS_ENTRY},
    {0x51, 0x57, A_ESC_DISPATCH, VTP_GROUND},
    {0x58, 0x58, A_NONE, VTP_SOS_PM_APC},
    {0x59, 0x5A, A_ESC_DISPATCH, VTP_GROUND},
    {0x5B, 0x5B, A_NONE, VTP_CSI_ENTRY},
    {0x5C, 0x5C, A_ESC_DISPATCH, VTP_GROUND},
    {0x5D, 0x5D, A_NONE, VTP_OSC},
    {0x5E, 0x5F, A_NONE, VTP_SOS_PM_APC},
    {0x60, 0x7E, A_ESC_DISPATCH, VTP_GROUND},
    END_RULE,
};

static const struct rule r_escape_inter[] = {
    C0_EXECUTE,
    {0x20, 0x2F, A_COLLECT, STAY},
    {0x30, 0x7E, A_ESC_DISPATCH, VTP_GROUND},
    END_RULE,
};

static const struct rule r_csi_entry[] = {
    C0_EXECUTE,
    {0x20, 0x2F, A_COLLECT, VTP_CSI_INTER},
    {0x30, 0x3B, A_PARAM, VTP_CSI_PARAM},
    {0x3C, 0x3F, A_COLLECT, VTP_CSI_PARAM},
    {0x40, 0x7E, A_CSI_DISPATCH, VTP_GROUND},
    END_RULE,
};

static const struct rule r_csi_param[] = {
    C0_EXECUTE,
    {0x20, 0x2F, A_COLLECT, VTP_CSI_INTER},
    {0x30, 0x3B, A_PARAM, STAY},
    {0x3C, 0x3F, A_NONE, VTP_CSI_IGNORE},
    {0x40, 0x7E, A_CSI_DISPATCH, VTP_GROUND},
    END_RULE,
};

static const struct rule r_csi_inter[] = {
    C0_EXECUTE,
    {0x20, 0x2F, A_COLLECT, STAY},
    {0x30, 0x3F, A_NONE, VTP_CSI_IGNORE},
    {0x40, 0x7E, A_CSI_DISPATCH, VTP_GROUND},
    END_RULE,
};

static const struct rule r_csi_ignore[] = {
    C0_EXECUTE,
    {0x40, 0x7E, A_NONE, VTP_GROUND},
    END_RULE,
};

static const struct rule r_dcs_entry[] = {
    C0_IGNORE,
    {0x20, 0x2F, A_COLLECT, VTP_DCS_INTER},
    {0x30, 0x39, A_PARAM, VTP_DCS_PARAM},
    {0x3A, 0x3A, A_NONE, VTP_DCS_IGNORE},
    {0x3B, 0x3B, A_PARAM, VTP_DCS_PARAM},
    {0x3C, 0x3F, A_COLLECT, VTP_DCS_PARAM},
    {0x40, 0x7E, A_NONE, VTP_DCS_PASS},
    END_RULE,
};

static const struct rule r_dcs_param[] = {
    C0_IGNORE,
    {0x20, 0x2F, A_COLLECT, VTP_DCS_INTER},
    {0x30, 0x39, A_PARAM, STAY},
    {0x3A, 0x3A, A_NONE, VTP_DCS_IGNORE},
    {0x3B, 0x3B, A_PARAM, STAY},
    {0x3C, 0x3F, A_NONE, VTP_DCS_IGNORE},
    {0x40, 0x7E, A_NONE, VTP_DCS_PASS},
    END_RULE,
};

static const struct rule r_dcs_inter[] = {
    C0_IGNORE,
    {0x20, 0x2F, A_COLLECT, STAY},
    {0x30, 0x3F, A_NONE, VTP_DCS_IGNORE},
    {0x40, 0x7E, A_NONE, VTP_DCS_PASS},
    END_RULE,
};

static const struct rule r_dcs_pass[] = {
    C0_PUT,
    {0x20, 0x7E, A_PUT, STAY},
    END_RULE,
};

static const struct rule r_ignore_all[] = {
    END_RULE,
};

static const struct rule r_osc[] = {
    {0x07, 0x07, A_NONE, VTP_GROUND},
    {0x20, 0x7F, A_OSC_PUT, STAY},
    END_RULE,
};

static const struct state_def {
	const struct rule *rules;
	uint8_t entry, exit;
} states[VTP_NSTATES] = {
    [VTP_GROUND] = {r_ground, A_NONE, A_NONE},
    [VTP_ESCAPE] = {r_escape, A_CLEAR, A_NONE},
    [VTP_ESCAPE_INTER] = {r_escape_inter, A_NONE, A_NONE},
    [VTP_CSI_ENTRY] = {r_csi_entry, A_CLEAR, A_NONE},
    [VTP_CSI_PARAM] = {r_csi_param, A_NONE, A_NONE},
    [VTP_CSI_INTER] = {r_csi_inter, A_NONE, A_NONE},
    [VTP_CSI_IGNORE] = {r_csi_ignore, A_NONE, A_NONE},
    [VTP_DCS_ENTRY] = {r_dcs_entry, A_CLEAR, A_NONE},
    [VTP_DCS_PARAM] = {r_dcs_param, A_NONE, A_NONE},
    [VTP_DCS_INTER] = {r_dcs_inter, A_NONE, A_NONE},
    [VTP_DCS_PASS] = {r_dcs_pass, A_HOOK, A_UNHOOK},
    [VTP_DCS_IGNORE] = {r_ignore_all, A_NONE, A_NONE},
    [VTP_OSC] = {r_osc, A_OSC_START, A_OSC_END},
    [VTP_SOS_PM_APC] = {r_ignore_all, A_NONE, A_NONE},
};

static void clear(struct vtparse *p)
{
	p->nraw = 0;
	p->ncollect = 0;
	p->nparams = 1;
	p->params[0] = -1;
	p->subs = false;
	p->sub[0] = 0;
}

void vtparse_init(struct vtparse *p, const struct vtparse_cb *cb, void *user)
{
	p->cb = cb;
	p->user = user;
	p->state = VTP_GROUND;
	p->osc_len = 0;
	clear(p);
}

void vtparse_copy_state(struct vtparse *dst, const struct vtparse *src)
{
	dst->state = src->state;
	dst->nraw = src->nraw;
	dst->ncollect = src->ncollect;
	memcpy(dst->collect, src->collect, sizeof dst->collect);
	dst->nparams = src->nparams;
	memcpy(dst->params, src->params, (size_t)src->nparams * sizeof src->params[0]);
	dst->subs = src->subs;
	memcpy(dst->sub, src->sub, (size_t)src->nparams * sizeof src->sub[0]);
	dst->osc_len = src->osc_len;
	memcpy(dst->osc, src->osc, src->osc_len * sizeof src->osc[0]);
}

int vtparse_param(const struct vtparse *p, int i, int def)
{
	int32_t v;

	if (i < 0 || i >= p->nparams)
		return def;
	v = p->params[i];
	if (v > VTPARSE_PARAM_MAX || v < 1)
		return def;
	return v;
}

static void param(struct vtparse *p, uint32_t cp)
{
	int32_t *v;

	if (p->nraw >= VTPARSE_MAX_RAW)
		return;
	p->nraw++;
	if (cp == ';' || cp == ':') {
		p->sub[p->nparams] = cp == ':';
		p->subs |= cp == ':';
		p->params[p->nparams++] = -1;
		return;
	}
	v = &p->params[p->nparams - 1];
	if (*v < 0)
		*v = 0;
	/* Saturate just above the maximum: any larger value is equally "missing". */
	*v = *v * 10 + (int32_t)(cp - '0');
	if (*v > VTPARSE_PARAM_MAX)
		*v = VTPARSE_PARAM_MAX + 1;
}

static void act(struct vtparse *p, uint8_t a, uint32_t cp)
{
	const struct vtparse_cb *cb = p->cb;

	switch (a) {
	case A_NONE:
		break;
	case A_PRINT:
		if (cb->print)
			cb->print(p->user, cp);
		break;
	case A_EXECUTE:
		if (cb->execute)
			cb->execute(p->user, cp);
		break;
	case A_CLEAR:
		clear(p);
		break;
	case A_COLLECT:
		if (p->ncollect < VTPARSE_MAX_COLLECT && cp <= 0xFF)
			p->collect[p->ncollect++] = (char)cp;
		break;
	case A_PARAM:
		param(p, cp);
		break;
	case A_ESC_DISPATCH:
		if (cb->esc_dispatch)
			cb->esc_dispatch(p->user, p, cp);
		break;
	case A_CSI_DISPATCH:
		if (cb->csi_dispatch)
			cb->csi_dispatch(p->user, p, cp);
		break;
	case A_HOOK:
		if (cb->hook)
			cb->hook(p->user, p, cp);
		break;
	case A_PUT:
		if (cb->put)
			cb->put(p->user, cp);
		break;
	case A_UNHOOK:
		if (cb->unhook)
			cb->unhook(p->user);
		break;
	case A_OSC_START:
		p->osc_len = 0;
		if (cb->osc_start)
			cb->osc_start(p->user);
		break;
	case A_OSC_PUT:
		if (p->osc_len < VTPARSE_OSC_MAX)
			p->osc[p->osc_len++] = cp;
		if (cb->osc_put)
			cb->osc_put(p->user, cp);
		break;
	case A_OSC_END:
		if (cb->osc_end)
			cb->osc_end(p->user, p->osc, p->osc_len);
		break;
	}
}

static const struct rule *find(const struct rule *r, uint32_t c)
{
	for (; r->lo <= r->hi; r++) {
		if (c >= r->lo && c <= r->hi)
			return r;
	}
	return NULL;
}

/* param() on each of s[0..n) (digits and ';'), with the value being built
 * kept in a register: the same values, saturation and raw-length limit. */
static void params_run(struct vtparse *p, const uint8_t *s, size_t n)
{
	int np = p->nparams;
	int32_t v = p->params[np - 1];

	if (n > (size_t)(VTPARSE_MAX_RAW - p->nraw))
		n = (size_t)(VTPARSE_MAX_RAW - p->nraw);
	p->nraw = (uint8_t)(p->nraw + n);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ';') {
			p->params[np - 1] = v;
			p->sub[np] = 0;
			v = -1;
			np++;
			continue;
		}
		v = (v < 0 ? 0 : v) * 10 + (int32_t)(s[i] - '0');
		if (v > VTPARSE_PARAM_MAX)
			v = VTPARSE_PARAM_MAX + 1;
	}
	p->params[np - 1] = v;
	p->nparams = np;
}

size_t vtparse_csi_run(struct vtparse *p, const uint8_t *s, size_t len)
{
	size_t i = 2, params_from, end;
	uint8_t final;

	if (p->state != VTP_GROUND || len < 3 || s[0] != 0x1B || s[1] != '[')
		return 0;
	if (s[i] >= 0x3C && s[i] <= 0x3F)
		i++;
	params_from = i;
	while (i < len && ((s[i] >= '0' && s[i] <= '9') || s[i] == ';'))
		i++;
	if (i >= len || s[i] < 0x40 || s[i] > 0x7E)
		return 0;
	end = i;
	final = s[end];
	/* What the byte-at-a-time walk does: ESC and '[' each enter a state
	 * whose entry action clears; a private marker is collected; every
	 * parameter character goes through param(); the final dispatches from
	 * CSI Entry or CSI Param, and the parser is back in Ground after. */
	clear(p);
	if (params_from > 2)
		p->collect[p->ncollect++] = (char)s[2];
	params_run(p, s + params_from, end - params_from);
	p->state = end > 2 ? VTP_CSI_PARAM : VTP_CSI_ENTRY;
	if (p->cb->csi_dispatch)
		p->cb->csi_dispatch(p->user, p, final);
	p->state = VTP_GROUND;
	return end + 1;
}

void vtparse_feed(struct vtparse *p, uint32_t cp)
{
	const struct rule *r;

	if (p->state == VTP_GROUND && ((cp >= 0x20 && cp <= 0x7F) || cp >= 0xA0)) {
		if (p->cb->print)
			p->cb->print(p->user, cp);
		return;
	}
	r = NULL;
	if (cp == 0x18 || cp == 0x1A || cp == 0x1B || (cp >= 0x80 && cp <= 0x9F))
		r = find(anywhere, cp);
	if (r == NULL)
		r = find(states[p->state].rules, cp >= 0xA0 ? 0x41 : cp);
	if (r == NULL)
		return;
	if (r->next == STAY) {
		act(p, r->act, cp);
		return;
	}
	act(p, states[p->state].exit, cp);
	act(p, r->act, cp);
	p->state = r->next;
	act(p, states[p->state].entry, cp);
}
