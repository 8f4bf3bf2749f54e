/*
 * protobuf-c glue for the three mosh message families (doc/PROTOCOL.md §4).
 * Encoding builds protobuf-c structs on the heap that borrow the caller's
 * bytes, packs them straight into the output buffer and frees the structs.
 * Decoding keeps protobuf-c's unpacked message alive in priv_ so the event
 * arrays can point into it without another copy.
 */
#include "net/msg.h"

#include <stdbool.h>
#include <stdlib.h>

#include "hostinput.pb-c.h"
#include "net/wire.h"
#include "channels.pb-c.h"
#include "transportinstruction.pb-c.h"
#include "userinput.pb-c.h"
#include "util/err.h"
#include "util/xmalloc.h"

/*
 * Which fields of a message protobuf-c unpacks as submessages (and so walks
 * and allocates inside): the walk below descends into exactly those.
 */
struct shape {
	size_t n;
	struct {
		uint32_t field;
		const struct shape *shape;
	} sub[3];
};

static const struct shape leaf = {0, {{0, NULL}}};
static const struct shape user_instruction = {2, {{2, &leaf}, {3, &leaf}}};
static const struct shape user_message = {1, {{1, &user_instruction}}};
static const struct shape host_instruction = {3, {{2, &leaf}, {3, &leaf}, {7, &leaf}}};
static const struct shape host_message = {1, {{1, &host_instruction}}};
static const struct shape chans_message = {2, {{1, &leaf}, {2, &leaf}}};

/* Read a base-128 varint; false if it runs past the end or past 10 bytes. */
static bool get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	*v = 0;
	for (unsigned shift = 0; *p < end && shift < 70; shift += 7) {
		uint8_t b = *(*p)++;

		*v |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0)
			return true;
	}
	return false;
}

/*
 * Count the fields of a message of the given shape into *left (decremented per
 * field); false once the budget is spent. Malformed bytes end the walk with
 * true: protobuf-c rejects them itself, without allocating per field first.
 */
static bool fields_within(const uint8_t *p, size_t len, const struct shape *s, size_t *left)
{
	const uint8_t *end = p + len;

	while (p < end) {
		uint64_t tag, n = 0;
		const struct shape *inner = NULL;

		if (!get_varint(&p, end, &tag))
			return true;
		if (*left == 0)
			return false;
		(*left)--;
		switch (tag & 7) {
		case 0:
			if (!get_varint(&p, end, &n))
				return true;
			continue;
		case 1:
			n = 8;
			break;
		case 5:
			n = 4;
			break;
		case 2:
			if (!get_varint(&p, end, &n) || n > (uint64_t)(end - p))
				return true;
			for (size_t i = 0; i < s->n; i++)
				if (s->sub[i].field == tag >> 3)
					inner = s->sub[i].shape;
			if (inner != NULL && !fields_within(p, (size_t)n, inner, left))
				return false;
			break;
		default:
			return true; /* groups: protobuf-c refuses them */
		}
		if (n > (uint64_t)(end - p))
			return true;
		p += n;
	}
	return true;
}

static bool small_enough(const uint8_t *data, size_t len, const struct shape *s)
{
	size_t left = MSG_FIELDS_MAX;

	/* An empty message may come as a NULL pointer: no arithmetic on it. */
	return len == 0 || fields_within(data, len, s, &left);
}

/* protobuf-c wants non-const data pointers even for packing; it never writes them. */
static ProtobufCBinaryData bin(const uint8_t *data, size_t len)
{
	static uint8_t empty[1];

	return (ProtobufCBinaryData){.len = len, .data = len ? (uint8_t *)(uintptr_t)data : empty};
}

/* Serialize any protobuf-c message into out (replacing its contents). */
static void pack_into(const ProtobufCMessage *m, struct buf *out)
{
	size_t n = protobuf_c_message_get_packed_size(m);

	buf_clear(out);
	buf_reserve(out, n);
	ASSERT(protobuf_c_message_pack(m, out->data) == n);
	out->len = n;
	out->data[n] = '\0';
}

void msg_instruction_encode(const struct msg_instruction *in, struct buf *out)
{
	TransportBuffers__Instruction m = TRANSPORT_BUFFERS__INSTRUCTION__INIT;

	/* mosh 1.4 always sends all seven fields; a missing version reads as 0 = mismatch. */
	m.has_protocol_version = true;
	m.protocol_version = WIRE_PROTOCOL_VERSION;
	m.has_old_num = true;
	m.old_num = in->old_num;
	m.has_new_num = true;
	m.new_num = in->new_num;
	m.has_ack_num = true;
	m.ack_num = in->ack_num;
	m.has_throwaway_num = true;
	m.throwaway_num = in->throwaway_num;
	m.has_diff = true;
	m.diff = bin(in->diff, in->diff_len);
	m.has_chaff = true;
	m.chaff = bin(in->chaff, in->chaff_len);
	pack_into(&m.base, out);
}

int msg_instruction_decode(const uint8_t *data, size_t len, struct msg_instruction *out)
{
	TransportBuffers__Instruction *m;

	*out = (struct msg_instruction){0};
	if (!small_enough(data, len, &leaf))
		return ERR_RANGE;
	m = transport_buffers__instruction__unpack(NULL, len, data);
	if (m == NULL)
		return ERR_INVAL;
	out->protocol_version = m->has_protocol_version ? m->protocol_version : 0;
	if (out->protocol_version != WIRE_PROTOCOL_VERSION) {
		transport_buffers__instruction__free_unpacked(m, NULL);
		return ERR_PROTO;
	}
	out->old_num = m->old_num;
	out->new_num = m->new_num;
	out->ack_num = m->ack_num;
	out->throwaway_num = m->throwaway_num;
	if (m->has_diff) {
		out->diff = m->diff.data;
		out->diff_len = m->diff.len;
	}
	if (m->has_chaff) {
		out->chaff = m->chaff.data;
		out->chaff_len = m->chaff.len;
	}
	out->priv_ = m;
	return 0;
}

void msg_instruction_release(struct msg_instruction *in)
{
	if (in->priv_ != NULL)
		transport_buffers__instruction__free_unpacked(in->priv_, NULL);
	*in = (struct msg_instruction){0};
}

void msg_user_encode(const struct msg_user_event *events, size_t n, struct buf *out)
{
	ClientBuffers__UserMessage m = CLIENT_BUFFERS__USER_MESSAGE__INIT;
	ClientBuffers__Instruction *ins = xcalloc(n ? n : 1, sizeof *ins);
	ClientBuffers__Instruction **ptrs = xcalloc(n ? n : 1, sizeof *ptrs);
	ClientBuffers__Keystroke *keys = xcalloc(n ? n : 1, sizeof *keys);
	ClientBuffers__ResizeMessage *rs = xcalloc(n ? n : 1, sizeof *rs);
	ClientBuffers__Hello *hello = xcalloc(n ? n : 1, sizeof *hello);
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		const struct msg_user_event *e = &events[i];

		client_buffers__instruction__init(&ins[k]);
		if (e->kind == MSG_USER_KEYS) {
			client_buffers__keystroke__init(&keys[k]);
			keys[k].has_keys = true;
			keys[k].keys = bin(e->keys, e->keys_len);
			ins[k].keystroke = &keys[k];
		} else if (e->kind == MSG_USER_RESIZE) {
			client_buffers__resize_message__init(&rs[k]);
			rs[k].has_width = rs[k].has_height = true;
			rs[k].width = e->width;
			rs[k].height = e->height;
			ins[k].resize = &rs[k];
		} else if (e->kind == MSG_USER_HELLO) {
			client_buffers__hello__init(&hello[k]);
			hello[k].has_version = hello[k].has_features = true;
			hello[k].version = e->version;
			hello[k].features = e->features;
			ins[k].hello = &hello[k];
		} else if (e->kind == MSG_USER_CHANNELS) {
			ins[k].has_channels = true;
			ins[k].channels = bin(e->chans, e->chans_len);
		} else {
			continue;
		}
		ptrs[k] = &ins[k];
		k++;
	}
	m.n_instruction = k;
	m.instruction = ptrs;
	pack_into(&m.base, out);
	free(ins);
	free(ptrs);
	free(keys);
	free(rs);
	free(hello);
}

int msg_user_decode(const uint8_t *data, size_t len, struct msg_user *out)
{
	ClientBuffers__UserMessage *m;

	*out = (struct msg_user){0};
	if (!small_enough(data, len, &user_message))
		return ERR_RANGE;
	m = client_buffers__user_message__unpack(NULL, len, data);
	if (m == NULL)
		return ERR_INVAL;
	out->events = xcalloc(m->n_instruction ? m->n_instruction : 1, sizeof *out->events);
	out->n_events = m->n_instruction;
	for (size_t i = 0; i < m->n_instruction; i++) {
		const ClientBuffers__Instruction *in = m->instruction[i];
		struct msg_user_event *e = &out->events[i];

		/* mosh-server's priority: keystroke, else resize. */
		if (in->keystroke != NULL) {
			e->kind = MSG_USER_KEYS;
			if (in->keystroke->has_keys) {
				e->keys = in->keystroke->keys.data;
				e->keys_len = in->keystroke->keys.len;
			}
		} else if (in->resize != NULL) {
			e->kind = MSG_USER_RESIZE;
			e->width = in->resize->width;
			e->height = in->resize->height;
		} else if (in->hello != NULL) {
			e->kind = MSG_USER_HELLO;
			e->version = in->hello->version;
			e->features = in->hello->features;
		} else if (in->has_channels) {
			e->kind = MSG_USER_CHANNELS;
			e->chans = in->channels.data;
			e->chans_len = in->channels.len;
		}
	}
	out->priv_ = m;
	return 0;
}

void msg_user_release(struct msg_user *u)
{
	if (u->priv_ != NULL)
		client_buffers__user_message__free_unpacked(u->priv_, NULL);
	free(u->events);
	*u = (struct msg_user){0};
}

void msg_host_encode(const struct msg_host_event *events, size_t n, struct buf *out)
{
	HostBuffers__HostMessage m = HOST_BUFFERS__HOST_MESSAGE__INIT;
	HostBuffers__Instruction *ins = xcalloc(n ? n : 1, sizeof *ins);
	HostBuffers__Instruction **ptrs = xcalloc(n ? n : 1, sizeof *ptrs);
	HostBuffers__HostBytes *hb = xcalloc(n ? n : 1, sizeof *hb);
	HostBuffers__ResizeMessage *rs = xcalloc(n ? n : 1, sizeof *rs);
	HostBuffers__EchoAck *ea = xcalloc(n ? n : 1, sizeof *ea);
	HostBuffers__Hello *hello = xcalloc(n ? n : 1, sizeof *hello);
	HostBuffers__Notice *notice = xcalloc(n ? n : 1, sizeof *notice);
	HostBuffers__History *hist = xcalloc(n ? n : 1, sizeof *hist);
	HostBuffers__Screen *screen = xcalloc(n ? n : 1, sizeof *screen);
	HostBuffers__HistoryChunk *chunks, **chunk_ptrs;
	size_t k = 0, n_chunks = 0, c = 0;

	for (size_t i = 0; i < n; i++)
		if (events[i].kind == MSG_HOST_HISTORY)
			n_chunks += events[i].n_chunks;
	chunks = xcalloc(n_chunks ? n_chunks : 1, sizeof *chunks);
	chunk_ptrs = xcalloc(n_chunks ? n_chunks : 1, sizeof *chunk_ptrs);
	for (size_t i = 0; i < n; i++) {
		const struct msg_host_event *e = &events[i];

		host_buffers__instruction__init(&ins[k]);
		if (e->kind == MSG_HOST_BYTES) {
			host_buffers__host_bytes__init(&hb[k]);
			hb[k].has_hoststring = true;
			hb[k].hoststring = bin(e->bytes, e->bytes_len);
			ins[k].hostbytes = &hb[k];
		} else if (e->kind == MSG_HOST_RESIZE) {
			host_buffers__resize_message__init(&rs[k]);
			rs[k].has_width = rs[k].has_height = true;
			rs[k].width = e->width;
			rs[k].height = e->height;
			ins[k].resize = &rs[k];
		} else if (e->kind == MSG_HOST_ECHOACK) {
			host_buffers__echo_ack__init(&ea[k]);
			ea[k].has_echo_ack_num = true;
			ea[k].echo_ack_num = e->echo_ack;
			ins[k].echoack = &ea[k];
		} else if (e->kind == MSG_HOST_HELLO) {
			host_buffers__hello__init(&hello[k]);
			hello[k].has_version = hello[k].has_features = true;
			hello[k].version = e->version;
			hello[k].features = e->features;
			ins[k].hello = &hello[k];
		} else if (e->kind == MSG_HOST_NOTICE) {
			host_buffers__notice__init(&notice[k]);
			notice[k].has_kind = notice[k].has_text = true;
			notice[k].kind = e->notice;
			notice[k].text = bin(e->bytes, e->bytes_len);
			ins[k].notice = &notice[k];
		} else if (e->kind == MSG_HOST_HISTORY) {
			host_buffers__history__init(&hist[k]);
			hist[k].has_end = true;
			hist[k].end = e->hist_end;
			hist[k].chunk = chunk_ptrs + c;
			hist[k].n_chunk = e->n_chunks;
			for (size_t j = 0; j < e->n_chunks; j++, c++) {
				const struct msg_history_chunk *src = &e->chunks[j];

				host_buffers__history_chunk__init(&chunks[c]);
				chunks[c].has_first_line = chunks[c].has_width = true;
				chunks[c].has_count = chunks[c].has_rows = true;
				chunks[c].first_line = src->first_line;
				chunks[c].width = src->width;
				chunks[c].count = src->count;
				chunks[c].rows = bin(src->rows, src->rows_len);
				chunk_ptrs[c] = &chunks[c];
			}
			ins[k].history = &hist[k];
		} else if (e->kind == MSG_HOST_SCREEN) {
			host_buffers__screen__init(&screen[k]);
			screen[k].has_alternate = true;
			screen[k].alternate = e->alternate;
			ins[k].screen = &screen[k];
		} else if (e->kind == MSG_HOST_CHANNELS) {
			ins[k].has_channels = true;
			ins[k].channels = bin(e->bytes, e->bytes_len);
		} else {
			continue;
		}
		ptrs[k] = &ins[k];
		k++;
	}
	m.n_instruction = k;
	m.instruction = ptrs;
	pack_into(&m.base, out);
	free(ins);
	free(ptrs);
	free(hb);
	free(rs);
	free(ea);
	free(hello);
	free(notice);
	free(hist);
	free(screen);
	free(chunks);
	free(chunk_ptrs);
}

int msg_host_decode(const uint8_t *data, size_t len, struct msg_host *out)
{
	HostBuffers__HostMessage *m;

	size_t n_chunks = 0, c = 0;

	*out = (struct msg_host){0};
	if (!small_enough(data, len, &host_message))
		return ERR_RANGE;
	m = host_buffers__host_message__unpack(NULL, len, data);
	if (m == NULL)
		return ERR_INVAL;
	out->events = xcalloc(m->n_instruction ? m->n_instruction : 1, sizeof *out->events);
	out->n_events = m->n_instruction;
	for (size_t i = 0; i < m->n_instruction; i++)
		if (m->instruction[i]->history != NULL)
			n_chunks += m->instruction[i]->history->n_chunk;
	out->chunks_ = xcalloc(n_chunks ? n_chunks : 1, sizeof *out->chunks_);
	for (size_t i = 0; i < m->n_instruction; i++) {
		const HostBuffers__Instruction *in = m->instruction[i];
		struct msg_host_event *e = &out->events[i];

		/* mosh-client's priority: hostbytes, else resize, else echoack. */
		if (in->hostbytes != NULL) {
			e->kind = MSG_HOST_BYTES;
			if (in->hostbytes->has_hoststring) {
				e->bytes = in->hostbytes->hoststring.data;
				e->bytes_len = in->hostbytes->hoststring.len;
			}
		} else if (in->resize != NULL) {
			e->kind = MSG_HOST_RESIZE;
			e->width = in->resize->width;
			e->height = in->resize->height;
		} else if (in->echoack != NULL) {
			e->kind = MSG_HOST_ECHOACK;
			e->echo_ack = in->echoack->echo_ack_num;
		} else if (in->hello != NULL) {
			e->kind = MSG_HOST_HELLO;
			e->version = in->hello->version;
			e->features = in->hello->features;
		} else if (in->notice != NULL) {
			e->kind = MSG_HOST_NOTICE;
			e->notice = in->notice->kind;
			if (in->notice->has_text) {
				e->bytes = in->notice->text.data;
				e->bytes_len = in->notice->text.len;
			}
		} else if (in->history != NULL) {
			e->kind = MSG_HOST_HISTORY;
			e->hist_end = in->history->end;
			e->chunks = out->chunks_ + c;
			e->n_chunks = in->history->n_chunk;
			for (size_t j = 0; j < in->history->n_chunk; j++, c++) {
				const HostBuffers__HistoryChunk *src = in->history->chunk[j];

				out->chunks_[c] = (struct msg_history_chunk){
				    .first_line = src->first_line,
				    .width = src->width,
				    .count = src->count,
				    .rows = src->has_rows ? src->rows.data : NULL,
				    .rows_len = src->has_rows ? src->rows.len : 0,
				};
			}
		} else if (in->screen != NULL) {
			e->kind = MSG_HOST_SCREEN;
			e->alternate = in->screen->alternate;
		} else if (in->has_channels) {
			e->kind = MSG_HOST_CHANNELS;
			e->bytes = in->channels.data;
			e->bytes_len = in->channels.len;
		}
	}
	out->priv_ = m;
	return 0;
}

void msg_host_release(struct msg_host *h)
{
	if (h->priv_ != NULL)
		host_buffers__host_message__free_unpacked(h->priv_, NULL);
	free(h->events);
	free(h->chunks_);
	*h = (struct msg_host){0};
}

void msg_chans_encode(const struct msg_chans *in, struct buf *out)
{
	MoshChannels__Channels m = MOSH_CHANNELS__CHANNELS__INIT;
	size_t nc = in->n_chans, nr = in->n_reqs;
	MoshChannels__Channel *ch = xcalloc(nc ? nc : 1, sizeof *ch);
	MoshChannels__Channel **chp = xcalloc(nc ? nc : 1, sizeof *chp);
	MoshChannels__Request *rq = xcalloc(nr ? nr : 1, sizeof *rq);
	MoshChannels__Request **rqp = xcalloc(nr ? nr : 1, sizeof *rqp);

	for (size_t i = 0; i < nc; i++) {
		const struct msg_chan *c = &in->chans[i];
		MoshChannels__Channel *o = &ch[i];

		mosh_channels__channel__init(o);
		o->has_id = true;
		o->id = c->id;
		o->has_kind = c->kind != 0;
		o->kind = c->kind;
		o->has_reply = c->reply != 0;
		o->reply = c->reply;
		o->has_target = c->has_target;
		o->target = bin(c->target, c->target_len);
		o->has_reason = c->has_reason;
		o->reason = bin(c->reason, c->reason_len);
		o->has_offset = o->has_data = c->has_data;
		o->offset = c->offset;
		o->data = bin(c->data, c->data_len);
		o->has_fin = c->fin;
		o->fin = c->fin;
		o->has_consumed = c->has_consumed;
		o->consumed = c->consumed;
		o->has_gone = c->gone;
		o->gone = c->gone;
		chp[i] = o;
	}
	for (size_t i = 0; i < nr; i++) {
		const struct msg_chan_req *r = &in->reqs[i];
		MoshChannels__Request *o = &rq[i];

		mosh_channels__request__init(o);
		o->has_id = true;
		o->id = r->id;
		o->has_kind = r->kind != 0;
		o->kind = r->kind;
		o->has_port = r->port != 0;
		o->port = r->port;
		o->has_status = r->status != 0;
		o->status = r->status;
		o->has_bind = r->has_bind;
		o->bind = bin(r->bind, r->bind_len);
		o->has_reason = r->has_reason;
		o->reason = bin(r->reason, r->reason_len);
		rqp[i] = o;
	}
	m.n_channel = nc;
	m.channel = chp;
	m.n_request = nr;
	m.request = rqp;
	pack_into(&m.base, out);
	free(ch);
	free(chp);
	free(rq);
	free(rqp);
}

static void text_field(bool has, ProtobufCBinaryData b, bool *has_out, const uint8_t **p,
                       size_t *len)
{
	*has_out = has;
	*p = has ? b.data : NULL;
	*len = has ? b.len : 0;
}

int msg_chans_decode(const uint8_t *data, size_t len, struct msg_chans *out)
{
	MoshChannels__Channels *m;

	*out = (struct msg_chans){0};
	if (!small_enough(data, len, &chans_message))
		return ERR_RANGE;
	m = mosh_channels__channels__unpack(NULL, len, data);
	if (m == NULL)
		return ERR_INVAL;
	out->chans = xcalloc(m->n_channel ? m->n_channel : 1, sizeof *out->chans);
	out->n_chans = m->n_channel;
	for (size_t i = 0; i < m->n_channel; i++) {
		const MoshChannels__Channel *c = m->channel[i];
		struct msg_chan *o = &out->chans[i];

		o->id = c->id;
		o->kind = c->kind;
		o->reply = c->reply;
		text_field(c->has_target, c->target, &o->has_target, &o->target, &o->target_len);
		text_field(c->has_reason, c->reason, &o->has_reason, &o->reason, &o->reason_len);
		text_field(c->has_data, c->data, &o->has_data, &o->data, &o->data_len);
		o->offset = c->offset;
		o->fin = c->fin;
		o->has_consumed = c->has_consumed;
		o->consumed = c->consumed;
		o->gone = c->gone;
	}
	out->reqs = xcalloc(m->n_request ? m->n_request : 1, sizeof *out->reqs);
	out->n_reqs = m->n_request;
	for (size_t i = 0; i < m->n_request; i++) {
		const MoshChannels__Request *r = m->request[i];
		struct msg_chan_req *o = &out->reqs[i];

		o->id = r->id;
		o->kind = r->kind;
		o->port = r->port;
		o->status = r->status;
		text_field(r->has_bind, r->bind, &o->has_bind, &o->bind, &o->bind_len);
		text_field(r->has_reason, r->reason, &o->has_reason, &o->reason, &o->reason_len);
	}
	out->priv_ = m;
	return 0;
}

void msg_chans_release(struct msg_chans *c)
{
	if (c->priv_ != NULL)
		mosh_channels__channels__free_unpacked(c->priv_, NULL);
	free(c->chans);
	free(c->reqs);
	*c = (struct msg_chans){0};
}
